// Rows of cases (立案审查调查) and the persons in them. Sealed columns hold bytes sealed by
// the caller. Writing a case keeps the statistics counters (storage/stats.h) in the same
// transaction.
#ifndef JIJIAN_STORAGE_CASES_H_
#define JIJIAN_STORAGE_CASES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/store.h"

namespace jijian::storage {

struct CaseRow {
  std::string id;
  int64_t version = 1;
  std::string state, lead_id, inspector, requested_by, approved_by;
  std::string external_approver;  // sealed
  std::string external_date, filed_date, closed_date;
  int64_t created_us = 0, updated_us = 0;
};

struct CasePersonRow {
  std::string case_id;
  int64_t idx = 0;
  std::string person;    // sealed
  std::string decision;  // sealed
  std::string decision_date;
  bool to_procuratorate = false;
  std::string announced_date, delivered_date, filed_date;
};

absl::Status InsertCase(WriteTxn& txn, const CaseRow& row);
// Writes every column, bumping the version (the caller checked it).
absl::Status UpdateCase(WriteTxn& txn, CaseRow& row);
absl::StatusOr<CaseRow> GetCase(Db& db, const std::string& id);

struct CaseFilter {
  std::string state, inspector, after_id, today;
  bool overdue = false;
  int limit = 50;
};
// The cases that match filter after after_id (the last id of the previous page), in id
// order (year, then number), at most limit.
absl::StatusOr<std::vector<CaseRow>> ListCases(Db& db, const CaseFilter& filter);

// One lane of a work queue (server/queue.cc): the cases in state, all of them or (when
// by_inspector) those of inspector, narrowed by not_requested_by. One range of
// cases_state_order or cases_inspector_order (schema 10), so that a page of it costs the rows
// it reads however large the ledger.
struct CaseLaneFilter {
  std::string state;
  bool by_inspector = false;
  std::string inspector;
  std::string not_requested_by;  // its filing was requested by someone else
  std::string after_id;
  int limit = 50;
};
// The cases of one lane after after_id, in id order (year, then number), at most limit.
absl::StatusOr<std::vector<CaseRow>> ListCaseLane(Db& db, const CaseLaneFilter& lane);

// Inserts or replaces a person row.
absl::Status PutCasePerson(WriteTxn& txn, const CasePersonRow& row);
absl::StatusOr<std::vector<CasePersonRow>> GetCasePersons(Db& db, const std::string& case_id);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_CASES_H_
