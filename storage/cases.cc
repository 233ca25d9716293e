#include "storage/cases.h"

#include "absl/strings/str_cat.h"
#include "storage/schema.h"
#include "storage/stats.h"

namespace jijian::storage {
namespace {

constexpr char kCaseColumns[] =
    "id, version, state, lead_id, inspector, requested_by, approved_by, external_approver, "
    "external_date, filed_date, closed_date, created_us, updated_us";

CaseRow CaseFromRow(const Stmt& q) {
  return CaseRow{q.Text(0),   q.Int(1),  q.Text(2), q.Text(3),  q.Text(4), q.Text(5), q.Text(6),
                 q.BlobAt(7), q.Text(8), q.Text(9), q.Text(10), q.Int(11), q.Int(12)};
}

absl::Status WriteCase(WriteTxn& txn, const CaseRow& r, RowWrite kind) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(RowWriteSql(kind, "cases", kCaseColumns));
  if (!q.ok()) return q.status();
  q->Bind(r.id, r.version, r.state, r.lead_id, r.inspector, r.requested_by, r.approved_by,
          Blob{r.external_approver}, r.external_date, r.filed_date, r.closed_date, r.created_us,
          r.updated_us);
  return RunRowWrite(*q, kind, txn.db(), "cases", r.id);
}

}  // namespace

absl::Status InsertCase(WriteTxn& txn, const CaseRow& row) {
  if (absl::Status st = WriteCase(txn, row, RowWrite::kInsert); !st.ok()) return st;
  return AdjustCaseStats(txn, row.id, +1);
}

absl::Status UpdateCase(WriteTxn& txn, CaseRow& row) {
  absl::StatusOr<CaseRow> before = GetCase(txn.db(), row.id);
  if (!before.ok()) return before.status();
  const bool counted = before->lead_id != row.lead_id ||
                       before->filed_date != row.filed_date ||
                       before->closed_date != row.closed_date;
  if (counted) {
    if (absl::Status st = AdjustCaseStats(txn, row.id, -1); !st.ok()) return st;
  }
  row.version += 1;
  row.updated_us = txn.now_us();
  if (absl::Status st = WriteCase(txn, row, RowWrite::kUpdate); !st.ok()) return st;
  return counted ? AdjustCaseStats(txn, row.id, +1) : absl::OkStatus();
}

absl::StatusOr<CaseRow> GetCase(Db& db, const std::string& id) {
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", kCaseColumns, " FROM cases WHERE id = ?"));
  if (!q.ok()) return q.status();
  q->Bind(id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("case ", id, " does not exist"));
  return CaseFromRow(*q);
}

absl::StatusOr<std::vector<CaseRow>> ListCases(Db& db, const CaseFilter& f) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", kCaseColumns,
                   " FROM cases c WHERE c.id_order > ?1 "
                   "AND (?2 = '' OR c.state = ?2) AND (?3 = '' OR c.inspector = ?3) "
                   "AND (?4 = 0 OR EXISTS (SELECT 1 FROM deadlines d WHERE d.object_id = c.id "
                   "                       AND d.met_date = '' AND d.due_date < ?5)) "
                   "ORDER BY c.id_order LIMIT ?6"));
  if (!q.ok()) return q.status();
  q->Bind(IdOrder(f.after_id), f.state, f.inspector, f.overdue, f.today,
          static_cast<int64_t>(f.limit));
  return q->Collect<CaseRow>(CaseFromRow);
}

absl::StatusOr<std::vector<CaseRow>> ListCaseLane(Db& db, const CaseLaneFilter& lane) {
  std::string where = lane.by_inspector
                          ? "cases_inspector_order WHERE c.inspector = ?2 AND c.state = ?1"
                          : "cases_state_order WHERE c.state = ?1";
  if (!lane.not_requested_by.empty()) absl::StrAppend(&where, " AND c.requested_by != ?3");
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", kCaseColumns, " FROM cases c INDEXED BY ", where,
                              " AND c.id_order > ?4 ORDER BY c.id_order LIMIT ?5"));
  if (!q.ok()) return q.status();
  q->Bind(lane.state, lane.inspector, lane.not_requested_by, IdOrder(lane.after_id),
          static_cast<int64_t>(lane.limit));
  return q->Collect<CaseRow>(CaseFromRow);
}

absl::Status PutCasePerson(WriteTxn& txn, const CasePersonRow& r) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "INSERT OR REPLACE INTO case_persons(case_id, idx, person, decision, decision_date, "
      "to_procuratorate, announced_date, delivered_date, filed_date) VALUES (?,?,?,?,?,?,?,?,?)");
  if (!q.ok()) return q.status();
  q->Bind(r.case_id, r.idx, Blob{r.person}, Blob{r.decision}, r.decision_date, r.to_procuratorate,
          r.announced_date, r.delivered_date, r.filed_date);
  return q->Run();
}

absl::StatusOr<std::vector<CasePersonRow>> GetCasePersons(Db& db, const std::string& case_id) {
  absl::StatusOr<Stmt> q = db.Prepare(
      "SELECT case_id, idx, person, decision, decision_date, to_procuratorate, announced_date, "
      "delivered_date, filed_date FROM case_persons WHERE case_id = ? ORDER BY idx");
  if (!q.ok()) return q.status();
  q->Bind(case_id);
  return q->Collect<CasePersonRow>([](const Stmt& s) {
    return CasePersonRow{s.Text(0),     s.Int(1),  s.BlobAt(2), s.BlobAt(3), s.Text(4),
                         s.Int(5) == 1, s.Text(6), s.Text(7),   s.Text(8)};
  });
}

}  // namespace jijian::storage
