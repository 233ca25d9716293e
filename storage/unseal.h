// Rows of identity unseal requests (dual control, issue 7). Reasons are sealed by the
// caller.
#ifndef JIJIAN_STORAGE_UNSEAL_H_
#define JIJIAN_STORAGE_UNSEAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/store.h"

namespace jijian::storage {

struct UnsealRow {
  std::string id, petition_id, state, requested_by;
  std::string reason;  // sealed
  std::string decided_by;
  std::string decision_reason;  // sealed; may be empty
  int64_t requested_us = 0, decided_us = 0, expires_us = 0, views = 0;
};

absl::Status InsertUnseal(WriteTxn& txn, const UnsealRow& row);
absl::Status UpdateUnseal(WriteTxn& txn, const UnsealRow& row);
absl::StatusOr<UnsealRow> GetUnseal(Db& db, const std::string& id);

// The approved, unexpired request of user for petition_id at now_us, if any.
absl::StatusOr<std::optional<UnsealRow>> OpenUnsealFor(Db& db, const std::string& petition_id,
                                                       const std::string& user,
                                                       int64_t now_us);

// Approved requests whose time ran out by now_us (at most limit).
absl::StatusOr<std::vector<UnsealRow>> DueUnsealExpiries(Db& db, int64_t now_us, int limit);

struct UnsealFilter {
  std::string petition_id, state, after_id;
  int limit = 50;
};
// The requests that match f after after_id (the last id of the previous page), in id order
// (year, then number), at most limit.
absl::StatusOr<std::vector<UnsealRow>> ListUnseals(Db& db, const UnsealFilter& f);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_UNSEAL_H_
