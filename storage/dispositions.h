// Rows of dispositions (四种形态), their history, their person index and integrity checks.
// Sealed columns hold bytes sealed by the caller. Writing a disposition keeps the statistics
// counters (storage/stats.h) in the same transaction.
#ifndef JIJIAN_STORAGE_DISPOSITIONS_H_
#define JIJIAN_STORAGE_DISPOSITIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/store.h"

namespace jijian::storage {

struct DispositionRow {
  std::string id;
  int64_t version = 1;
  std::string state, object_id;
  int64_t subject_idx = 0;
  std::string unit, measures;  // measures: codes, comma-separated
  int64_t form = 0;
  bool party = false, government = false;
  std::string disciplines, decided_date;
  int64_t probation_months = 0, period_months = 0;
  bool permanent = false;
  std::string period_end;
  std::string reason;  // sealed
  std::string proposed_by, approved_by;
  std::string announced_date, delivered_date, filed_date;
  std::string appeal_petition, appeal_outcome;
  int64_t created_us = 0, updated_us = 0;
};

struct DispositionHistoryRow {
  std::string disposition_id;
  int64_t seq = 0;
  std::string kind, date, actor, measures;
  std::string text;  // sealed; may be empty
};

absl::Status InsertDisposition(WriteTxn& txn, const DispositionRow& row);
// Writes every column, bumping the version (the caller checked it).
absl::Status UpdateDisposition(WriteTxn& txn, DispositionRow& row);
absl::StatusOr<DispositionRow> GetDisposition(Db& db, const std::string& id);
// Every disposition of one lead or case, by subject then id.
absl::StatusOr<std::vector<DispositionRow>> DispositionsOf(Db& db, const std::string& object_id);

struct DispositionFilter {
  std::string object_id, state, after_id;
  int64_t form = 0;
  // Approved dispositions whose period contains today: permanent, or period_end >= today.
  bool in_period = false;
  std::string today;
  // Approved, non-permanent dispositions whose period ends from today to ending_by.
  std::string ending_by;
  int limit = 50;
};
// The dispositions that match f after after_id (the last id of the previous page), in id
// order (year, then number), at most limit.
absl::StatusOr<std::vector<DispositionRow>> ListDispositions(Db& db, const DispositionFilter& f);

// Appends a history entry with the next sequence number.
absl::Status AddDispositionHistory(WriteTxn& txn, DispositionHistoryRow row);
absl::StatusOr<std::vector<DispositionHistoryRow>> GetDispositionHistory(Db& db,
                                                                         const std::string& id);

absl::Status AddDispositionIndex(WriteTxn& txn, const std::string& digest,
                                 const std::string& disposition_id);
// Approved dispositions found through any of these digests.
absl::StatusOr<std::vector<DispositionRow>> ApprovedDispositionsByDigest(
    Db& db, const std::vector<std::string>& digests);

struct IntegrityCheckRow {
  std::string id;
  std::string digest;
  std::string purpose;  // sealed
  std::string opinion, asked_by, date;
};
absl::Status InsertIntegrityCheck(WriteTxn& txn, const IntegrityCheckRow& row);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_DISPOSITIONS_H_
