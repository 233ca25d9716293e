#include "storage/dispositions.h"

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "storage/schema.h"
#include "storage/stats.h"

namespace jijian::storage {
namespace {

constexpr char kColumns[] =
    "id, version, state, object_id, subject_idx, unit, measures, form, party, government, "
    "disciplines, decided_date, probation_months, period_months, permanent, period_end, reason, "
    "proposed_by, approved_by, announced_date, delivered_date, filed_date, appeal_petition, "
    "appeal_outcome, created_us, updated_us";

DispositionRow FromRow(const Stmt& q) {
  DispositionRow r;
  r.id = q.Text(0);
  r.version = q.Int(1);
  r.state = q.Text(2);
  r.object_id = q.Text(3);
  r.subject_idx = q.Int(4);
  r.unit = q.Text(5);
  r.measures = q.Text(6);
  r.form = q.Int(7);
  r.party = q.Int(8) == 1;
  r.government = q.Int(9) == 1;
  r.disciplines = q.Text(10);
  r.decided_date = q.Text(11);
  r.probation_months = q.Int(12);
  r.period_months = q.Int(13);
  r.permanent = q.Int(14) == 1;
  r.period_end = q.Text(15);
  r.reason = q.BlobAt(16);
  r.proposed_by = q.Text(17);
  r.approved_by = q.Text(18);
  r.announced_date = q.Text(19);
  r.delivered_date = q.Text(20);
  r.filed_date = q.Text(21);
  r.appeal_petition = q.Text(22);
  r.appeal_outcome = q.Text(23);
  r.created_us = q.Int(24);
  r.updated_us = q.Int(25);
  return r;
}

absl::Status Write(WriteTxn& txn, const DispositionRow& r, RowWrite kind) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(RowWriteSql(kind, "dispositions", kColumns));
  if (!q.ok()) return q.status();
  q->Bind(r.id, r.version, r.state, r.object_id, r.subject_idx, r.unit, r.measures, r.form, r.party,
          r.government, r.disciplines, r.decided_date, r.probation_months, r.period_months,
          r.permanent, r.period_end, Blob{r.reason}, r.proposed_by, r.approved_by, r.announced_date,
          r.delivered_date, r.filed_date, r.appeal_petition, r.appeal_outcome, r.created_us,
          r.updated_us);
  return RunRowWrite(*q, kind, txn.db(), "dispositions", r.id);
}

// Whether a and b count the same in the statistics (storage/stats.h).
bool SameStatsColumns(const DispositionRow& a, const DispositionRow& b) {
  return a.state == b.state && a.unit == b.unit && a.decided_date == b.decided_date &&
         a.form == b.form && a.measures == b.measures && a.party == b.party &&
         a.government == b.government;
}

}  // namespace

absl::Status InsertDisposition(WriteTxn& txn, const DispositionRow& row) {
  if (absl::Status st = Write(txn, row, RowWrite::kInsert); !st.ok()) return st;
  return AdjustDispositionStats(txn, row.id, +1);
}

absl::Status UpdateDisposition(WriteTxn& txn, DispositionRow& row) {
  absl::StatusOr<DispositionRow> before = GetDisposition(txn.db(), row.id);
  if (!before.ok()) return before.status();
  const bool counted = !SameStatsColumns(*before, row);
  if (counted) {
    if (absl::Status st = AdjustDispositionStats(txn, row.id, -1); !st.ok()) return st;
  }
  row.version += 1;
  row.updated_us = txn.now_us();
  if (absl::Status st = Write(txn, row, RowWrite::kUpdate); !st.ok()) return st;
  return counted ? AdjustDispositionStats(txn, row.id, +1) : absl::OkStatus();
}

absl::StatusOr<DispositionRow> GetDisposition(Db& db, const std::string& id) {
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", kColumns, " FROM dispositions WHERE id = ?"));
  if (!q.ok()) return q.status();
  q->Bind(id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("disposition ", id, " does not exist"));
  return FromRow(*q);
}

absl::StatusOr<std::vector<DispositionRow>> DispositionsOf(Db& db, const std::string& object_id) {
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat(
      "SELECT ", kColumns, " FROM dispositions WHERE object_id = ? ORDER BY subject_idx, id"));
  if (!q.ok()) return q.status();
  q->Bind(object_id);
  return q->Collect<DispositionRow>(FromRow);
}

absl::StatusOr<std::vector<DispositionRow>> ListDispositions(Db& db, const DispositionFilter& f) {
  // Every filter is optional (the SQL keeps one plan): the list walks dispositions_order in
  // id order and tests each row.
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat(
      "SELECT ", kColumns,
      " FROM dispositions WHERE id_order > ?1 AND (?2 = '' OR object_id = ?2) "
      "AND (?3 = '' OR state = ?3) AND (?4 = 0 OR form = ?4) "
      "AND (?5 = 0 OR (state = 'DISPOSITION_APPROVED' AND (permanent = 1 OR period_end >= ?6))) "
      "AND (?7 = '' OR (state = 'DISPOSITION_APPROVED' AND permanent = 0 "
      "                 AND period_end >= ?6 AND period_end <= ?7)) "
      "ORDER BY id_order LIMIT ?8"));
  if (!q.ok()) return q.status();
  q->Bind(IdOrder(f.after_id), f.object_id, f.state, f.form, f.in_period, f.today, f.ending_by,
          static_cast<int64_t>(f.limit));
  return q->Collect<DispositionRow>(FromRow);
}

absl::Status AddDispositionHistory(WriteTxn& txn, DispositionHistoryRow row) {
  absl::StatusOr<std::optional<int64_t>> last = [&]() -> absl::StatusOr<std::optional<int64_t>> {
    absl::StatusOr<Stmt> q =
        txn.db().Prepare("SELECT MAX(seq) FROM disposition_history WHERE disposition_id = ?");
    if (!q.ok()) return q.status();
    q->Bind(row.disposition_id);
    absl::StatusOr<bool> has = q->Step();
    if (!has.ok()) return has.status();
    if (!*has || q->IsNull(0)) return std::optional<int64_t>();
    return std::optional<int64_t>(q->Int(0));
  }();
  if (!last.ok()) return last.status();
  row.seq = last->value_or(0) + 1;
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "INSERT INTO disposition_history(disposition_id, seq, kind, date, actor, measures, text) "
      "VALUES (?,?,?,?,?,?,?)");
  if (!q.ok()) return q.status();
  q->Bind(row.disposition_id, row.seq, row.kind, row.date, row.actor, row.measures, Blob{row.text});
  return q->Run();
}

absl::StatusOr<std::vector<DispositionHistoryRow>> GetDispositionHistory(Db& db,
                                                                         const std::string& id) {
  absl::StatusOr<Stmt> q = db.Prepare(
      "SELECT disposition_id, seq, kind, date, actor, measures, text FROM disposition_history "
      "WHERE disposition_id = ? ORDER BY seq");
  if (!q.ok()) return q.status();
  q->Bind(id);
  return q->Collect<DispositionHistoryRow>([](const Stmt& s) {
    return DispositionHistoryRow{s.Text(0), s.Int(1),  s.Text(2),  s.Text(3),
                                 s.Text(4), s.Text(5), s.BlobAt(6)};
  });
}

absl::Status AddDispositionIndex(WriteTxn& txn, const std::string& digest,
                                 const std::string& disposition_id) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "INSERT OR IGNORE INTO disposition_index(digest, disposition_id) VALUES (?, ?)");
  if (!q.ok()) return q.status();
  q->Bind(Blob{digest}, disposition_id);
  return q->Run();
}

absl::StatusOr<std::vector<DispositionRow>> ApprovedDispositionsByDigest(
    Db& db, const std::vector<std::string>& digests) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", kColumns,
                   " FROM dispositions WHERE +state = 'DISPOSITION_APPROVED' AND id IN "
                   "(SELECT disposition_id FROM disposition_index WHERE digest = ?) ORDER BY id"));
  if (!q.ok()) return q.status();
  std::vector<DispositionRow> out;
  for (const std::string& d : digests) {
    q->Bind(Blob{d});
    absl::StatusOr<std::vector<DispositionRow>> rows = q->Collect<DispositionRow>(FromRow);
    if (!rows.ok()) return rows.status();
    for (DispositionRow& r : *rows) {
      bool seen = std::any_of(out.begin(), out.end(),
                              [&](const DispositionRow& x) { return x.id == r.id; });
      if (!seen) out.push_back(std::move(r));
    }
  }
  std::sort(out.begin(), out.end(),
            [](const DispositionRow& a, const DispositionRow& b) { return a.id < b.id; });
  return out;
}

absl::Status InsertIntegrityCheck(WriteTxn& txn, const IntegrityCheckRow& r) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "INSERT INTO integrity_checks(id, digest, purpose, opinion, asked_by, date, created_us) "
      "VALUES (?,?,?,?,?,?,?)");
  if (!q.ok()) return q.status();
  q->Bind(r.id, Blob{r.digest}, Blob{r.purpose}, r.opinion, r.asked_by, r.date, txn.now_us());
  return q->Run();
}

}  // namespace jijian::storage
