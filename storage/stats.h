// The statistics (统计) of petitions, leads, cases and the four forms, kept as counters.
//
// Every write that changes what the statistics count adjusts the counter tables of schema 11
// (storage/schema.cc) in its own transaction, so the counters can never disagree with the rows,
// even after a crash. A counter row holds how many objects of one day, or of one month, share
// one combination of the columns the statistics group by, under one unit ('' = every unit).
// Reading a period reads its whole months from month rows and the days of the months it covers
// only in part from day rows: its cost grows with the months of the period and the combinations
// seen in them, not with the rows of the period. Everything reads plain columns only; nothing is
// decrypted.
#ifndef JIJIAN_STORAGE_STATS_H_
#define JIJIAN_STORAGE_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/store.h"

namespace jijian::storage {

// ---- Reading -------------------------------------------------------------------------------

// Where the counts come from: the counters (what the service reads), or a count over the rows
// themselves, whose cost grows with the rows of the period (tests and checks).
enum class StatsSource { kCounters, kRows };

// Approved dispositions decided in [from, to], optionally of one unit, grouped by the
// combination of measures (few distinct) and month.
struct DispositionGroup {
  std::string month;  // YYYY-MM
  int64_t form = 0;
  std::string measures;
  bool party = false, government = false;
  int64_t count = 0;
};
absl::StatusOr<std::vector<DispositionGroup>> CountDispositions(
    Db& db, const std::string& from, const std::string& to, const std::string& unit,
    StatsSource source = StatsSource::kCounters);

// Petitions received in [from, to] grouped by month, channel, category, handling mode and
// anonymity; with unit, only petitions with a subject of that unit.
struct PetitionGroup {
  std::string month, channel, category, mode;
  bool anonymous = false;
  int64_t count = 0;
};
absl::StatusOr<std::vector<PetitionGroup>> CountPetitions(
    Db& db, const std::string& from, const std::string& to, const std::string& unit,
    StatsSource source = StatsSource::kCounters);

// The deadlines the statistics report (acceptance notices and result feedback), by name.
bool IsCountedDeadline(const std::string& name);

// Deadlines named name (a counted one) of petitions received in [from, to] that were due by
// today or met: how many, and how many were met on or before their due date.
struct DeadlineCounts {
  int64_t due = 0, on_time = 0;
};
absl::StatusOr<DeadlineCounts> CountPetitionDeadlines(
    Db& db, const std::string& name, const std::string& from, const std::string& to,
    const std::string& unit, const std::string& today, StatsSource source = StatsSource::kCounters);

// Leads registered in [from, to] by month and source; disposal proposals approved for them
// by kind.
struct KeyCount {
  std::string month, key;
  int64_t count = 0;
};
absl::StatusOr<std::vector<KeyCount>> CountLeads(Db& db, const std::string& from,
                                                 const std::string& to, const std::string& unit,
                                                 StatsSource source = StatsSource::kCounters);
absl::StatusOr<std::vector<KeyCount>> CountLeadDisposals(
    Db& db, const std::string& from, const std::string& to, const std::string& unit,
    StatsSource source = StatsSource::kCounters);
// Cases filed (key "filed") and closed (key "closed") in [from, to], by month.
absl::StatusOr<std::vector<KeyCount>> CountCases(Db& db, const std::string& from,
                                                 const std::string& to, const std::string& unit,
                                                 StatsSource source = StatsSource::kCounters);

// Compares every counter table with the count of the rows (its *_recount view): one line per
// counter row that differs, at most max_listed (then a line saying more differ). Empty when
// they agree. Reads every row: for `jijian-server verify` and tests, not for requests.
absl::StatusOr<std::vector<std::string>> CheckStatsCounters(Db& db, size_t max_listed);

// ---- Upkeep, by the writers of this folder inside their transaction ------------------------
//
// Each adds (delta +1) or takes away (delta -1) what one object's rows, as they are now,
// count in the counters. A writer that changes a counted column takes the old contribution
// away before the change and adds the new one after it. A non-empty unit limits the change to
// that unit's counters (a subject of a new unit was added); an empty one means every unit the
// object counts under.

// A petition (stats_petitions).
absl::Status AdjustPetitionStats(WriteTxn& txn, const std::string& petition_id, int delta,
                                 const std::string& unit = "");
// The deadline name of object_id ("" = every counted one) if the object is a petition.
absl::Status AdjustDeadlineStats(WriteTxn& txn, const std::string& object_id,
                                 const std::string& name, int delta, const std::string& unit = "");
// A lead (stats_leads).
absl::Status AdjustLeadStats(WriteTxn& txn, const std::string& lead_id, int delta,
                             const std::string& unit = "");
// Disposal proposal seq of a lead (0 = every one), when approved.
absl::Status AdjustProposalStats(WriteTxn& txn, const std::string& lead_id, int64_t seq, int delta,
                                 const std::string& unit = "");
// A case's filing and closing dates.
absl::Status AdjustCaseStats(WriteTxn& txn, const std::string& case_id, int delta,
                             const std::string& unit = "");
// A disposition, when approved.
absl::Status AdjustDispositionStats(WriteTxn& txn, const std::string& disposition_id, int delta);

// Whether object_id (a petition or lead) already has a subject of unit in subjects_table.
absl::StatusOr<bool> HasSubjectUnit(Db& db, std::string_view subjects_table,
                                    const std::string& object_id, const std::string& unit);
// Counts everything of object_id under unit, a unit its subjects (in subjects_table) did not
// have before: a petition and its deadlines, or a lead, its approved proposals and its cases.
absl::Status AddSubjectUnitStats(WriteTxn& txn, std::string_view subjects_table,
                                 const std::string& object_id, const std::string& unit);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_STATS_H_
