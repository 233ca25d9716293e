// Rows of dispositions (四种形态), their history, their person index, integrity checks, and
// the grouped counts statistics are made from. Sealed columns hold bytes sealed by the
// caller; every count here reads plain columns only.
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

// ---- Statistics: grouped counts over plain columns ----------------------------------

// Approved dispositions decided in [from, to], optionally of one unit, grouped by the
// combination of measures (few distinct) and month.
struct DispositionGroup {
  std::string month;  // YYYY-MM
  int64_t form = 0;
  std::string measures;
  bool party = false, government = false;
  int64_t count = 0;
};
absl::StatusOr<std::vector<DispositionGroup>> CountDispositions(Db& db, const std::string& from,
                                                                const std::string& to,
                                                                const std::string& unit);

// Petitions received in [from, to] grouped by month, channel, category, handling mode and
// anonymity; with unit, only petitions with a subject of that unit.
struct PetitionGroup {
  std::string month, channel, category, mode;
  bool anonymous = false;
  int64_t count = 0;
};
absl::StatusOr<std::vector<PetitionGroup>> CountPetitions(Db& db, const std::string& from,
                                                          const std::string& to,
                                                          const std::string& unit);

// Deadlines named name of petitions received in [from, to] that were due by today or met:
// how many, and how many were met on or before their due date.
struct DeadlineCounts {
  int64_t due = 0, on_time = 0;
};
absl::StatusOr<DeadlineCounts> CountPetitionDeadlines(Db& db, const std::string& name,
                                                      const std::string& from,
                                                      const std::string& to,
                                                      const std::string& unit,
                                                      const std::string& today);

// Leads registered in [from, to] by month and source; disposal proposals approved for them
// by kind.
struct KeyCount {
  std::string month, key;
  int64_t count = 0;
};
absl::StatusOr<std::vector<KeyCount>> CountLeads(Db& db, const std::string& from,
                                                 const std::string& to, const std::string& unit);
absl::StatusOr<std::vector<KeyCount>> CountLeadDisposals(Db& db, const std::string& from,
                                                         const std::string& to,
                                                         const std::string& unit);
// Cases filed (key "filed") and closed (key "closed") in [from, to], by month.
absl::StatusOr<std::vector<KeyCount>> CountCases(Db& db, const std::string& from,
                                                 const std::string& to, const std::string& unit);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_DISPOSITIONS_H_
