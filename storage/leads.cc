#include "storage/leads.h"

#include "absl/strings/str_cat.h"
#include "storage/schema.h"
#include "storage/stats.h"

namespace jijian::storage {
namespace {

constexpr char kLeadColumns[] =
    "id, version, state, source, petition_id, summary, inspector, department, report_required, "
    "reported_date, case_id, hold_review_date, registered_by, registered_date, closed_date, "
    "created_us, updated_us";

LeadRow LeadFromRow(const Stmt& q) {
  LeadRow r;
  r.id = q.Text(0);
  r.version = q.Int(1);
  r.state = q.Text(2);
  r.source = q.Text(3);
  r.petition_id = q.Text(4);
  r.summary = q.BlobAt(5);
  r.inspector = q.Text(6);
  r.department = q.Text(7);
  r.report_required = q.Int(8) == 1;
  r.reported_date = q.Text(9);
  r.case_id = q.Text(10);
  r.hold_review_date = q.Text(11);
  r.registered_by = q.Text(12);
  r.registered_date = q.Text(13);
  r.closed_date = q.Text(14);
  r.created_us = q.Int(15);
  r.updated_us = q.Int(16);
  return r;
}

absl::Status WriteLead(WriteTxn& txn, const LeadRow& r, RowWrite kind) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(RowWriteSql(kind, "leads", kLeadColumns));
  if (!q.ok()) return q.status();
  q->Bind(r.id, r.version, r.state, r.source, r.petition_id, Blob{r.summary}, r.inspector,
          r.department, r.report_required, r.reported_date, r.case_id, r.hold_review_date,
          r.registered_by, r.registered_date, r.closed_date, r.created_us, r.updated_us);
  return RunRowWrite(*q, kind, txn.db(), "leads", r.id);
}

absl::StatusOr<int64_t> NextSeq(Db& db, const char* table, const std::string& lead_id) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT COALESCE(MAX(seq), 0) + 1 FROM ", table, " WHERE lead_id = ?"));
  if (!q.ok()) return q.status();
  q->Bind(lead_id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  return q->Int(0);
}

}  // namespace

absl::Status InsertLead(WriteTxn& txn, const LeadRow& row) {
  if (absl::Status st = WriteLead(txn, row, RowWrite::kInsert); !st.ok()) return st;
  return AdjustLeadStats(txn, row.id, +1);
}

absl::Status UpdateLead(WriteTxn& txn, LeadRow& row) {
  absl::StatusOr<LeadRow> before = GetLead(txn.db(), row.id);
  if (!before.ok()) return before.status();
  const bool counted = before->registered_date != row.registered_date ||
                       before->source != row.source;
  if (counted) {
    if (absl::Status st = AdjustLeadStats(txn, row.id, -1); !st.ok()) return st;
  }
  row.version += 1;
  row.updated_us = txn.now_us();
  if (absl::Status st = WriteLead(txn, row, RowWrite::kUpdate); !st.ok()) return st;
  return counted ? AdjustLeadStats(txn, row.id, +1) : absl::OkStatus();
}

absl::StatusOr<LeadRow> GetLead(Db& db, const std::string& id) {
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", kLeadColumns, " FROM leads WHERE id = ?"));
  if (!q.ok()) return q.status();
  q->Bind(id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("lead ", id, " does not exist"));
  return LeadFromRow(*q);
}

absl::StatusOr<std::vector<LeadRow>> ListLeads(Db& db, const LeadFilter& f) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", kLeadColumns,
                   " FROM leads l WHERE l.id_order > ?1 "
                   "AND (?2 = '' OR l.state = ?2) AND (?3 = '' OR l.inspector = ?3) "
                   "AND (?4 = 0 OR EXISTS (SELECT 1 FROM deadlines d WHERE d.object_id = l.id "
                   "                       AND d.met_date = '' AND d.due_date < ?6)) "
                   "AND (?5 = 0 OR (l.hold_review_date != '' AND l.hold_review_date <= ?6 "
                   "                AND l.state = 'LEAD_HOLD')) "
                   "ORDER BY l.id_order LIMIT ?7"));
  if (!q.ok()) return q.status();
  q->Bind(IdOrder(f.after_id), f.state, f.inspector, f.overdue, f.hold_due, f.today,
          static_cast<int64_t>(f.limit));
  return q->Collect<LeadRow>(LeadFromRow);
}

absl::StatusOr<std::vector<LeadRow>> ListLeadLane(Db& db, const LeadLaneFilter& lane) {
  std::string where;
  if (lane.report_due) {
    where = "leads_report_due WHERE l.report_required = 1 AND l.reported_date = ''";
  } else if (lane.by_inspector) {
    where = "leads_inspector_order WHERE l.inspector = ?2 AND l.state = ?1";
  } else {
    where = "leads_state_order WHERE l.state = ?1";
  }
  if (!lane.not_proposed_by.empty()) {
    absl::StrAppend(&where,
                    " AND (SELECT p.proposed_by FROM lead_proposals p WHERE p.lead_id = l.id "
                    "ORDER BY p.seq DESC LIMIT 1) != ?3");
  }
  if (lane.without_case) {
    absl::StrAppend(&where,
                    " AND NOT EXISTS (SELECT 1 FROM object_links k WHERE k.from_id = l.id "
                    "AND k.kind = 'case')");
  }
  if (!lane.hold_due_by.empty()) {
    absl::StrAppend(&where, " AND l.hold_review_date != '' AND l.hold_review_date <= ?4");
  }
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", kLeadColumns, " FROM leads l INDEXED BY ", where,
                              " AND l.id_order > ?5 ORDER BY l.id_order LIMIT ?6"));
  if (!q.ok()) return q.status();
  q->Bind(lane.state, lane.inspector, lane.not_proposed_by, lane.hold_due_by,
          IdOrder(lane.after_id), static_cast<int64_t>(lane.limit));
  return q->Collect<LeadRow>(LeadFromRow);
}

absl::Status AddAssignment(WriteTxn& txn, AssignmentRow r) {
  absl::StatusOr<int64_t> seq = NextSeq(txn.db(), "lead_assignments", r.lead_id);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "INSERT INTO lead_assignments(lead_id, seq, inspector, department, assigned_by, date) "
      "VALUES (?,?,?,?,?,?)");
  if (!q.ok()) return q.status();
  q->Bind(r.lead_id, *seq, r.inspector, r.department, r.assigned_by, r.date);
  return q->Run();
}

absl::StatusOr<std::vector<AssignmentRow>> GetAssignments(Db& db, const std::string& lead_id) {
  absl::StatusOr<Stmt> q = db.Prepare(
      "SELECT lead_id, seq, inspector, department, assigned_by, date FROM lead_assignments "
      "WHERE lead_id = ? ORDER BY seq");
  if (!q.ok()) return q.status();
  q->Bind(lead_id);
  return q->Collect<AssignmentRow>([](const Stmt& s) {
    return AssignmentRow{s.Text(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5)};
  });
}

// A new proposal has no outcome yet, so the statistics do not count it until decided.
absl::StatusOr<int64_t> AddProposal(WriteTxn& txn, ProposalRow r) {
  absl::StatusOr<int64_t> seq = NextSeq(txn.db(), "lead_proposals", r.lead_id);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "INSERT INTO lead_proposals(lead_id, seq, kind, reason, proposed_by, date, return_state) "
      "VALUES (?,?,?,?,?,?,?)");
  if (!q.ok()) return q.status();
  q->Bind(r.lead_id, *seq, r.kind, Blob{r.reason}, r.proposed_by, r.date, r.return_state);
  if (absl::Status st = q->Run(); !st.ok()) return st;
  return *seq;
}

absl::Status DecideProposal(WriteTxn& txn, const ProposalRow& r) {
  if (absl::Status st = AdjustProposalStats(txn, r.lead_id, r.seq, -1); !st.ok()) return st;
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "UPDATE lead_proposals SET outcome = ?, decided_by = ?, decision_reason = ? "
      "WHERE lead_id = ? AND seq = ?");
  if (!q.ok()) return q.status();
  q->Bind(r.outcome, r.decided_by, Blob{r.decision_reason}, r.lead_id, r.seq);
  if (absl::Status st = q->Run(); !st.ok()) return st;
  return AdjustProposalStats(txn, r.lead_id, r.seq, +1);
}

absl::StatusOr<std::vector<ProposalRow>> GetProposals(Db& db, const std::string& lead_id) {
  absl::StatusOr<Stmt> q = db.Prepare(
      "SELECT lead_id, seq, kind, reason, proposed_by, date, return_state, outcome, decided_by, "
      "decision_reason FROM lead_proposals WHERE lead_id = ? ORDER BY seq");
  if (!q.ok()) return q.status();
  q->Bind(lead_id);
  return q->Collect<ProposalRow>([](const Stmt& s) {
    return ProposalRow{s.Text(0), s.Int(1),  s.Text(2), s.BlobAt(3), s.Text(4),
                       s.Text(5), s.Text(6), s.Text(7), s.Text(8),   s.BlobAt(9)};
  });
}

absl::Status AddRecusal(WriteTxn& txn, const RecusalRow& r) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "INSERT OR REPLACE INTO recusals(user_id, target, kind, ground, reason, created_us) "
      "VALUES (?,?,?,?,?,?)");
  if (!q.ok()) return q.status();
  q->Bind(r.user_id, Blob{r.target}, r.kind, r.ground, Blob{r.reason}, txn.now_us());
  return q->Run();
}

absl::StatusOr<bool> HasRecusal(Db& db, const std::string& user_id,
                                const std::vector<std::string>& targets) {
  absl::StatusOr<Stmt> q = db.Prepare("SELECT 1 FROM recusals WHERE user_id = ? AND target = ?");
  if (!q.ok()) return q.status();
  for (const std::string& t : targets) {
    q->Bind(user_id, Blob{t});
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (*row) return true;
  }
  return false;
}

}  // namespace jijian::storage
