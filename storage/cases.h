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
absl::StatusOr<std::vector<CaseRow>> ListCases(Db& db, const CaseFilter& filter);
// The cases of inspector that are not closed, in id order, at most limit: one seek in the
// inspector index however many cases there are.
absl::StatusOr<std::vector<CaseRow>> ListOpenCasesOfInspector(Db& db, const std::string& inspector,
                                                              int limit);

// Inserts or replaces a person row.
absl::Status PutCasePerson(WriteTxn& txn, const CasePersonRow& row);
absl::StatusOr<std::vector<CasePersonRow>> GetCasePersons(Db& db, const std::string& case_id);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_CASES_H_
