// Data-key rotation without downtime (issue 7). A new random data key becomes the active
// key of its domain at once (new values are sealed with it); a background job then reseals,
// in small batches that interleave with ordinary writes, every stored value that an older
// key of that domain sealed. Progress is kept in the key_rotations table, so an interrupted
// job simply resumes (it reseals what still carries an old key id). Old keys stay in the
// keyring: a value that escaped a pass still opens, and the next pass reseals it.
#ifndef JIJIAN_STORAGE_REKEY_H_
#define JIJIAN_STORAGE_REKEY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/keyring.h"
#include "storage/store.h"

namespace jijian::storage {

// One sealed column and how its AAD row id is formed from the row (an SQL expression).
struct SealedColumn {
  std::string column;
  std::string row_id_sql;
};
// A table with sealed columns, walked in primary-key order.
struct SealedTable {
  std::string table;
  std::vector<std::string> key_columns;  // the primary key, in order
  std::vector<SealedColumn> columns;
};
// Every sealed column of the schema. A new sealed column must be added here (rekey_test
// checks that every BLOB column documented as sealed is listed).
const std::vector<SealedTable>& SealedTables();

struct KeyRotation {
  std::string key_id;  // the new key
  std::string domain;
  std::string replaced_key_id;
  std::string requested_by;
  int64_t started_us = 0, finished_us = 0;  // finished_us 0: still resealing
  int64_t resealed = 0;                     // values resealed so far
  std::string position;                     // table the job is in
};
absl::StatusOr<std::vector<KeyRotation>> ListKeyRotations(Db& db);

// Every column holding blind-index digests, as "table.column" (an index-key rotation
// carries each digest forward; rekey_test checks the list against the schema).
std::vector<std::string> DigestColumnNames();

// Makes a new data key for domain (identity, content or index) the active one, records the
// rotation and a "key.rotate" audit event for actor, in one transaction, then switches the
// running keyring to it. Returns the new key id. INVALID_ARGUMENT for the audit signing
// domain (verifiers pin the audit public key; see docs/security.md).
absl::StatusOr<std::string> RotateDataKey(Store& store, const Actor& actor, KeyDomain domain);

// Reseals stored values batch by batch (for the index domain: carries every stored digest
// forward along the index key chain, Keyring::AdvanceDigest). Not thread-safe; one job per
// store.
class Resealer {
 public:
  explicit Resealer(Store& store, int batch_rows = 200) : store_(store), batch_(batch_rows) {}

  // Reseals one batch of the oldest unfinished rotation. Returns false when no rotation is
  // unfinished (nothing to do); true when there may be more.
  absl::StatusOr<bool> Step();

 private:
  Store& store_;
  const int batch_;
  std::string key_id_;               // the rotation being worked on
  std::string pass_key_;             // the domain's newest key when this pass started
  size_t table_ = 0;                 // index into SealedTables()
  std::vector<std::string> cursor_;  // last primary key seen (as text), empty: from the start
};

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_REKEY_H_
