#include "server/lead_codec.h"

#include "server/petition_codec.h"

namespace jijian::server {

absl::StatusOr<LeadRecord> LoadLeadRecord(storage::Db& db, const std::string& id) {
  LeadRecord r;
  absl::StatusOr<storage::LeadRow> row = storage::GetLead(db, id);
  if (!row.ok()) return row.status();
  r.row = *std::move(row);
  absl::StatusOr<std::vector<storage::SubjectRow>> subjects =
      storage::GetSubjects(db, id, storage::kLeadSubjects);
  if (!subjects.ok()) return subjects.status();
  r.subjects = *std::move(subjects);
  absl::StatusOr<std::vector<storage::AssignmentRow>> assignments = storage::GetAssignments(db, id);
  if (!assignments.ok()) return assignments.status();
  r.assignments = *std::move(assignments);
  absl::StatusOr<std::vector<storage::ProposalRow>> proposals = storage::GetProposals(db, id);
  if (!proposals.ok()) return proposals.status();
  r.proposals = *std::move(proposals);
  absl::StatusOr<std::vector<storage::MessageRow>> notes =
      storage::GetMessages(db, id, storage::kLeadNotes);
  if (!notes.ok()) return notes.status();
  r.notes = *std::move(notes);
  absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines = storage::GetDeadlines(db, id);
  if (!deadlines.ok()) return deadlines.status();
  r.deadlines = *std::move(deadlines);
  return r;
}

v1::LeadState LeadStateOf(const storage::LeadRow& row) {
  v1::LeadState state{};
  v1::LeadState_Parse(row.state, &state);
  return state;
}

absl::StatusOr<std::vector<v1::Subject>> OpenLeadSubjects(const storage::Keyring& keyring,
                                                          const LeadRecord& record) {
  std::vector<v1::Subject> out;
  for (const storage::SubjectRow& s : record.subjects) {
    absl::StatusOr<std::string> bytes = OpenAt(keyring, storage::kLeadSubjects, "subject",
                                               ChildRowId(record.row.id, s.idx), s.sealed);
    if (!bytes.ok()) return bytes.status();
    v1::Subject subject;
    if (!subject.ParseFromString(*bytes)) {
      return absl::DataLossError("lead " + record.row.id + ": subject record unreadable");
    }
    out.push_back(std::move(subject));
  }
  return out;
}

absl::StatusOr<v1::Lead> LeadToProto(const storage::Keyring& keyring, const LeadRecord& r,
                                     const domain::WorkCalendar& calendar, absl::CivilDay today) {
  v1::Lead lead;
  const storage::LeadRow& row = r.row;
  lead.set_id(row.id);
  lead.set_version(row.version);
  lead.set_state(LeadStateOf(row));
  v1::LeadSource source{};
  v1::LeadSource_Parse(row.source, &source);
  lead.set_source(source);
  lead.set_petition_id(row.petition_id);
  absl::StatusOr<std::vector<v1::Subject>> subjects = OpenLeadSubjects(keyring, r);
  if (!subjects.ok()) return subjects.status();
  for (v1::Subject& s : *subjects) {
    s.clear_id_number();
    *lead.add_subjects() = std::move(s);
  }
  absl::StatusOr<std::string> summary = OpenAt(keyring, "leads", "summary", row.id, row.summary);
  if (!summary.ok()) return summary.status();
  lead.set_summary(*summary);
  for (const storage::AssignmentRow& a : r.assignments) {
    v1::Assignment* out = lead.add_assignment_history();
    out->set_inspector(a.inspector);
    out->set_department(a.department);
    out->set_assigned_by(a.assigned_by);
    out->set_date(a.date);
    *lead.mutable_assignment() = *out;
  }
  for (const storage::ProposalRow& p : r.proposals) {
    v1::Proposal* out = lead.add_proposals();
    out->set_kind(p.kind);
    absl::StatusOr<std::string> reason =
        OpenAt(keyring, "lead_proposals", "reason", ChildRowId(row.id, p.seq), p.reason);
    if (!reason.ok()) return reason.status();
    out->set_reason(*reason);
    out->set_proposed_by(p.proposed_by);
    out->set_date(p.date);
    out->set_outcome(p.outcome);
    out->set_decided_by(p.decided_by);
    absl::StatusOr<std::string> why = OpenAt(keyring, "lead_proposals", "decision_reason",
                                             ChildRowId(row.id, p.seq), p.decision_reason);
    if (!why.ok()) return why.status();
    out->set_decision_reason(*why);
  }
  for (const storage::MessageRow& m : r.notes) {
    absl::StatusOr<std::string> text =
        OpenAt(keyring, storage::kLeadNotes, "body", ChildRowId(row.id, m.seq), m.body);
    if (!text.ok()) return text.status();
    v1::LeadNote* out = lead.add_notes();
    out->set_kind(m.kind);
    out->set_date(m.date);
    out->set_text(*text);
    out->set_author(m.author);
  }
  DeadlinesToProto(r.deadlines, calendar, today, lead.mutable_deadlines(), /*overdue_only=*/false);
  lead.set_report_to_higher_required(row.report_required);
  lead.set_reported_to_higher_date(row.reported_date);
  lead.set_case_id(row.case_id);
  lead.set_registered_by(row.registered_by);
  lead.set_registered_date(row.registered_date);
  lead.set_closed_date(row.closed_date);
  lead.set_hold_review_date(row.hold_review_date);
  return lead;
}

absl::StatusOr<v1::LeadListItem> LeadListItemFromRow(
    const storage::Keyring& keyring, const storage::LeadRow& row,
    const std::vector<storage::DeadlineRow>& deadlines, const domain::WorkCalendar& calendar,
    absl::CivilDay today) {
  v1::LeadListItem item;
  item.set_id(row.id);
  item.set_state(LeadStateOf(row));
  v1::LeadSource source{};
  v1::LeadSource_Parse(row.source, &source);
  item.set_source(source);
  item.set_inspector(row.inspector);
  item.set_registered_date(row.registered_date);
  item.set_hold_review_date(row.hold_review_date);
  item.set_report_to_higher_required(row.report_required && row.reported_date.empty());
  absl::StatusOr<std::string> summary = OpenAt(keyring, "leads", "summary", row.id, row.summary);
  if (!summary.ok()) return summary.status();
  item.set_summary(*summary);
  DeadlinesToProto(deadlines, calendar, today, item.mutable_overdue(), /*overdue_only=*/true);
  return item;
}

}  // namespace jijian::server
