#include "storage/unseal.h"

#include "absl/strings/str_cat.h"
#include "storage/schema.h"

namespace jijian::storage {
namespace {

constexpr char kColumns[] =
    "id, petition_id, state, requested_by, reason, decided_by, decision_reason, requested_us, "
    "decided_us, expires_us, views";

UnsealRow FromRow(const Stmt& q) {
  return UnsealRow{q.Text(0),   q.Text(1), q.Text(2), q.Text(3), q.BlobAt(4), q.Text(5),
                   q.BlobAt(6), q.Int(7),  q.Int(8),  q.Int(9),  q.Int(10)};
}

absl::Status Write(WriteTxn& txn, const UnsealRow& r, RowWrite kind) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(RowWriteSql(kind, "unseal_requests", kColumns));
  if (!q.ok()) return q.status();
  q->Bind(r.id, r.petition_id, r.state, r.requested_by, Blob{r.reason}, r.decided_by,
          Blob{r.decision_reason}, r.requested_us, r.decided_us, r.expires_us, r.views);
  return RunRowWrite(*q, kind, txn.db(), "unseal_requests", r.id);
}

}  // namespace

absl::Status InsertUnseal(WriteTxn& txn, const UnsealRow& row) {
  return Write(txn, row, RowWrite::kInsert);
}

absl::Status UpdateUnseal(WriteTxn& txn, const UnsealRow& row) {
  return Write(txn, row, RowWrite::kUpdate);
}

absl::StatusOr<UnsealRow> GetUnseal(Db& db, const std::string& id) {
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", kColumns, " FROM unseal_requests WHERE id = ?"));
  if (!q.ok()) return q.status();
  q->Bind(id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError("unseal request " + id + " does not exist");
  return FromRow(*q);
}

absl::StatusOr<std::optional<UnsealRow>> OpenUnsealFor(Db& db, const std::string& petition_id,
                                                       const std::string& user, int64_t now_us) {
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat(
      "SELECT ", kColumns,
      " FROM unseal_requests WHERE petition_id = ? AND requested_by = ? "
      "AND state = 'UNSEAL_APPROVED' AND expires_us > ? ORDER BY expires_us DESC LIMIT 1"));
  if (!q.ok()) return q.status();
  q->Bind(petition_id, user, now_us);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<UnsealRow>();
  return std::optional<UnsealRow>(FromRow(*q));
}

absl::StatusOr<std::vector<UnsealRow>> DueUnsealExpiries(Db& db, int64_t now_us, int limit) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", kColumns,
                   " FROM unseal_requests WHERE state = 'UNSEAL_APPROVED' AND expires_us <= ? "
                   "ORDER BY expires_us LIMIT ?"));
  if (!q.ok()) return q.status();
  q->Bind(now_us, static_cast<int64_t>(limit));
  return q->Collect<UnsealRow>(FromRow);
}

absl::StatusOr<std::vector<UnsealRow>> ListUnseals(Db& db, const UnsealFilter& f) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", kColumns,
                   " FROM unseal_requests WHERE id_order > ?1 AND (?2 = '' OR petition_id = ?2) "
                   "AND (?3 = '' OR state = ?3) ORDER BY id_order LIMIT ?4"));
  if (!q.ok()) return q.status();
  q->Bind(IdOrder(f.after_id), f.petition_id, f.state, static_cast<int64_t>(f.limit));
  return q->Collect<UnsealRow>(FromRow);
}

}  // namespace jijian::storage
