// The year's leads: registration, assignment, disposal proposals, inquiries (lead_service.cc).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/bench/year_generator.h"

namespace jijian::bench::year {

absl::Status YearGenerator::LeadRegister(WriteTxn& txn, int day, uint32_t n) {
  const storage::Keyring& keys = txn.keyring();
  Lead& lead = leads_[n];
  absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "XS", options_.year);
  if (!number.ok()) return number.status();
  if (*number != n) return absl::InternalError("lead numbers out of step");
  const std::string id = Id("XS", n);
  google::protobuf::RepeatedPtrField<v1::Subject> subjects;
  std::string summary;
  if (lead.petition != 0) {
    // As the service does: the subjects and summary are opened from the petition.
    const std::string pid = Id("XF", lead.petition);
    absl::StatusOr<storage::PetitionRow> p = storage::GetPetition(txn.db(), pid);
    if (!p.ok()) return p.status();
    absl::StatusOr<std::vector<storage::SubjectRow>> rows = storage::GetSubjects(txn.db(), pid);
    if (!rows.ok()) return rows.status();
    for (const storage::SubjectRow& s : *rows) {
      absl::StatusOr<std::string> bytes =
          server::OpenAt(keys, "petition_subjects", "subject", ChildRowId(pid, s.idx), s.sealed);
      if (!bytes.ok()) return bytes.status();
      subjects.Add()->ParseFromString(*bytes);
    }
    absl::StatusOr<std::string> text =
        server::OpenAt(keys, "petitions", "summary", pid, p->summary);
    if (!text.ok()) return text.status();
    summary = *text;
  } else {
    for (uint32_t person : {lead.p1, lead.p2}) {
      if (person != kNone) *subjects.Add() = SubjectProto(person);
    }
    summary = "巡察移交：" + PersonName(lead.p1) + "涉嫌违规发放津补贴";
  }
  // How the lead will end, drawn now; the longer paths only while they can end in the year.
  struct Option {
    Plan plan;
    double share;
    int latest;  // last registration day from which the path usually ends in the year
  };
  static constexpr Option kPlans[] = {
      {Plan::kCase, 0.40, 290}, {Plan::kVerifyFirstForm, 0.27, 330}, {Plan::kInquiry, 0.209, 345}};
  double r = Real();
  lead.plan = Real() < 0.6 ? Plan::kClose : Plan::kHold;
  for (const Option& o : kPlans) {
    if (day > o.latest) continue;
    const double p = o.share * kDays / o.latest;
    if (r < p) {
      lead.plan = o.plan;
      break;
    }
    r -= p;
  }
  storage::LeadRow row;
  row.id = id;
  row.state = v1::LeadState_Name(v1::LEAD_REGISTERED);
  row.source = v1::LeadSource_Name(static_cast<v1::LeadSource>(lead.source));
  row.petition_id = lead.petition ? Id("XF", lead.petition) : "";
  absl::StatusOr<std::string> sealed =
      SealAt(keys, KeyDomain::kContent, "leads", "summary", id, summary);
  if (!sealed.ok()) return sealed.status();
  row.summary = *sealed;
  row.report_required = server::domain::ReportToHigherRequired(subjects);
  row.registered_by = txn.actor().user_id;
  row.registered_date = Date(day);
  row.created_us = row.updated_us = txn.now_us();
  if (absl::Status st = storage::InsertLead(txn, row); !st.ok()) return st;
  for (int i = 0; i < subjects.size(); ++i) {
    const v1::Subject& s = subjects[i];
    absl::StatusOr<std::string> subject =
        SealAt(keys, KeyDomain::kIdentity, storage::kLeadSubjects, "subject", ChildRowId(id, i + 1),
               s.SerializeAsString());
    if (!subject.ok()) return subject.status();
    if (absl::Status st = storage::InsertSubject(
            txn, {id, i + 1, *subject, s.unit(), s.rank(), server::SubjectFlags(s)},
            storage::kLeadSubjects);
        !st.ok())
      return st;
    for (const std::string& digest : server::SubjectDigests(keys, s)) {
      if (absl::Status st = storage::AddPersonIndex(txn, digest, id); !st.ok()) return st;
    }
  }
  const server::domain::LeadDeadlineRules rules;
  if (absl::Status st = storage::SetDeadline(
          txn, {id, "disposal_proposal", FormatDate(start_ + day + rules.proposal_calendar_days),
                false, ""});
      !st.ok())
    return st;
  if (lead.petition != 0) {
    if (absl::Status st = storage::AddObjectLink(txn, row.petition_id, id, "lead"); !st.ok())
      return st;
    if (absl::Status st = Event(txn, {"petition.handed_on", "petition", row.petition_id, "ACCEPTED",
                                      "ACCEPTED", "lead=" + id});
        !st.ok())
      return st;
  }
  if (absl::Status st =
          Event(txn, {"lead.register", "lead", id, "", "REGISTERED", "source=" + row.source});
      !st.ok())
    return st;
  ++counts_.leads;
  Schedule(day + Uniform(1, 3), Step::kLeadAssign, n);
  return absl::OkStatus();
}

absl::Status YearGenerator::ChangeLead(
    WriteTxn& txn, uint32_t n, server::domain::LeadAction action, const std::string& event_action,
    const std::function<absl::Status(storage::LeadRow&, v1::LeadState&, storage::EventInput&)>&
        change) {
  const std::string id = Id("XS", n);
  absl::StatusOr<storage::LeadRow> row = storage::GetLead(txn.db(), id);
  if (!row.ok()) return row.status();
  if (absl::Status st = txn.CheckVersion("leads", "id", id, row->version); !st.ok()) return st;
  const v1::LeadState from = server::LeadStateOf(*row);
  absl::StatusOr<v1::LeadState> next = server::domain::NextLeadState(id, from, action);
  if (!next.ok()) return next.status();
  v1::LeadState to = *next;
  storage::EventInput event{
      event_action, "lead", id, std::string(server::domain::LeadStateName(from)), "", ""};
  if (absl::Status st = change(*row, to, event); !st.ok()) return st;
  if (to == server::domain::kDecidedByProposal) return absl::InternalError("no state after " + id);
  event.state_after = std::string(server::domain::LeadStateName(to));
  row->state = v1::LeadState_Name(to);
  if (absl::Status st = storage::UpdateLead(txn, *row); !st.ok()) return st;
  return Event(txn, event);
}

absl::Status YearGenerator::AddNote(WriteTxn& txn, const std::string& id, const std::string& kind,
                                    const std::string& date, const std::string& text) {
  absl::StatusOr<int64_t> seq = storage::NextMessageSeq(txn.db(), id, storage::kLeadNotes);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<std::string> body = SealAt(txn.keyring(), KeyDomain::kContent, storage::kLeadNotes,
                                            "body", ChildRowId(id, *seq), text);
  if (!body.ok()) return body.status();
  return storage::AddMessage(txn, {id, *seq, kind, date, "", *body, txn.actor().user_id, 0},
                             storage::kLeadNotes);
}

absl::Status YearGenerator::AddProposal(WriteTxn& txn, const storage::LeadRow& row,
                                        const std::string& kind, const std::string& date) {
  absl::StatusOr<std::vector<storage::ProposalRow>> existing =
      storage::GetProposals(txn.db(), row.id);
  if (!existing.ok()) return existing.status();
  const int64_t seq = static_cast<int64_t>(existing->size()) + 1;
  absl::StatusOr<std::string> sealed =
      SealAt(txn.keyring(), KeyDomain::kContent, "lead_proposals", "reason",
             ChildRowId(row.id, seq), "经集体排查，建议" + kind);
  if (!sealed.ok()) return sealed.status();
  absl::StatusOr<int64_t> added = storage::AddProposal(
      txn, {row.id, 0, kind, *sealed, txn.actor().user_id, date, row.state, "", "", ""});
  return added.ok() ? absl::OkStatus() : added.status();
}

absl::Status YearGenerator::LeadStep(WriteTxn& txn, int day, uint32_t n, Step step) {
  using server::domain::LeadAction;
  Lead& lead = leads_[n];
  const std::string date = Date(day);
  const server::domain::LeadDeadlineRules rules;
  switch (step) {
    case Step::kLeadAssign: {
      const std::string inspector = Inspector(n);
      absl::Status st = ChangeLead(
          txn, n, LeadAction::kAssign, "lead.assign",
          [&](storage::LeadRow& r, v1::LeadState&, storage::EventInput& e) -> absl::Status {
            absl::StatusOr<storage::UserRecord> user = storage::GetUser(txn.db(), inspector);
            if (!user.ok()) return user.status();
            e.reason = "to=" + inspector;
            r.inspector = inspector;
            r.department = "第" + std::to_string(n % 12 + 1) + "监督检查室";
            return storage::AddAssignment(
                txn, {r.id, 0, inspector, r.department, txn.actor().user_id, date});
          });
      if (!st.ok()) return st;
      Schedule(day + Uniform(2, 8), Step::kLeadPropose, n);
      return absl::OkStatus();
    }
    case Step::kLeadPropose: {
      // The disposal method, or after an inquiry reply the first-form measure.
      const bool after_reply =
          lead.plan == Plan::kInquiry && day > 0 &&
          storage::GetLead(txn.db(), Id("XS", n))->state == "LEAD_INQUIRY_REPLIED";
      const std::string kind = after_reply                   ? "first-form"
                               : lead.plan == Plan::kInquiry ? "talk-inquiry"
                               : lead.plan == Plan::kHold    ? "hold"
                               : lead.plan == Plan::kClose   ? "close"
                                                             : "verification";
      absl::Status st = ChangeLead(
          txn, n, LeadAction::kPropose, "lead.propose",
          [&](storage::LeadRow& r, v1::LeadState&, storage::EventInput& e) -> absl::Status {
            e.reason = "method=" + kind;
            if (absl::Status st = storage::MeetDeadline(txn, r.id, "disposal_proposal", date);
                !st.ok())
              return st;
            return AddProposal(txn, r, kind, date);
          });
      if (!st.ok()) return st;
      Schedule(day + Uniform(1, 3), Step::kLeadApprove, n);
      return absl::OkStatus();
    }
    case Step::kLeadApprove: {
      v1::LeadState reached{};
      absl::Status st = ChangeLead(
          txn, n, LeadAction::kApprove, "lead.approve",
          [&](storage::LeadRow& r, v1::LeadState& to, storage::EventInput& e) -> absl::Status {
            absl::StatusOr<std::vector<storage::ProposalRow>> proposals =
                storage::GetProposals(txn.db(), r.id);
            if (!proposals.ok()) return proposals.status();
            if (proposals->empty() || !proposals->back().outcome.empty())
              return absl::FailedPreconditionError("lead " + r.id + " has no pending proposal");
            storage::ProposalRow p = proposals->back();
            absl::StatusOr<v1::LeadState> target = server::domain::ApprovedState(p.kind);
            if (!target.ok()) return target.status();
            to = *target;
            if (to == v1::LEAD_VERIFICATION) {
              server::domain::WorkCalendar::Deadline due =
                  calendar_.AddWorkingDays(start_ + day, rules.verification_working_days);
              if (absl::Status st = storage::SetDeadline(
                      txn, {r.id, "verification_report", FormatDate(due.due), due.provisional, ""});
                  !st.ok())
                return st;
            } else if (to == v1::LEAD_HOLD) {
              r.hold_review_date = FormatDate(start_ + day + rules.hold_review_days);
            } else if (to == v1::LEAD_CLOSED || to == v1::LEAD_TRANSFERRED) {
              r.closed_date = date;
            }
            if (to != v1::LEAD_HOLD) r.hold_review_date.clear();
            p.outcome = "approved";
            p.decided_by = txn.actor().user_id;
            absl::StatusOr<std::string> why =
                SealAt(txn.keyring(), KeyDomain::kContent, "lead_proposals", "decision_reason",
                       ChildRowId(r.id, p.seq), "同意");
            if (!why.ok()) return why.status();
            p.decision_reason = *why;
            e.reason = "approved " + p.kind;
            reached = to;
            return storage::DecideProposal(txn, p);
          });
      if (!st.ok()) return st;
      if (reached == v1::LEAD_INQUIRY) Schedule(day + Uniform(2, 7), Step::kLeadInquirySent, n);
      if (reached == v1::LEAD_VERIFICATION) Schedule(day + Uniform(2, 5), Step::kLeadPlan, n);
      if (reached == v1::LEAD_CASE_PENDING) Schedule(day + Uniform(1, 5), Step::kCaseRequest, n);
      return absl::OkStatus();
    }
    case Step::kLeadInquirySent:
    case Step::kLeadInquiryReply:
    case Step::kLeadPlan: {
      const LeadAction action = step == Step::kLeadInquirySent    ? LeadAction::kInquirySent
                                : step == Step::kLeadInquiryReply ? LeadAction::kInquiryReply
                                                                  : LeadAction::kPlan;
      const std::string kind = step == Step::kLeadInquirySent    ? "inquiry_sent"
                               : step == Step::kLeadInquiryReply ? "inquiry_reply"
                                                                 : "verification_plan";
      absl::Status st = ChangeLead(
          txn, n, action, "lead." + kind,
          [&](storage::LeadRow& r, v1::LeadState&, storage::EventInput&) -> absl::Status {
            if (step == Step::kLeadInquirySent) {
              server::domain::WorkCalendar::Deadline due =
                  calendar_.AddWorkingDays(start_ + day, rules.inquiry_reply_working_days);
              if (absl::Status st = storage::SetDeadline(
                      txn, {r.id, "inquiry_reply", FormatDate(due.due), due.provisional, ""});
                  !st.ok())
                return st;
            } else if (step == Step::kLeadInquiryReply) {
              if (absl::Status st = storage::MeetDeadline(txn, r.id, "inquiry_reply", date);
                  !st.ok())
                return st;
            }
            const std::string text =
                step == Step::kLeadPlan
                    ? "team: " + Inspector(n) + "\n初核方案：调取账目，约谈知情人"
                    : "函询内容及回复要点";
            return AddNote(txn, r.id, kind, date, text);
          });
      if (!st.ok()) return st;
      if (step == Step::kLeadInquirySent)
        Schedule(day + Uniform(5, 15), Step::kLeadInquiryReply, n);
      if (step == Step::kLeadInquiryReply)
        Schedule(day + Uniform(1, 5), Step::kDispositionsPropose, n, 0);
      if (step == Step::kLeadPlan) Schedule(day + Uniform(10, 30), Step::kLeadReport, n);
      return absl::OkStatus();
    }
    case Step::kLeadReport: {
      const std::string kind = lead.plan == Plan::kCase ? "file-case" : "first-form";
      absl::Status st = ChangeLead(
          txn, n, LeadAction::kReport, "lead.verification_report",
          [&](storage::LeadRow& r, v1::LeadState&, storage::EventInput& e) -> absl::Status {
            e.reason = "proposal=" + kind;
            if (absl::Status st = storage::MeetDeadline(txn, r.id, "verification_report", date);
                !st.ok())
              return st;
            if (absl::Status st = AddNote(txn, r.id, "verification_report", date,
                                          "初步核实报告：反映问题基本属实");
                !st.ok())
              return st;
            return AddProposal(txn, r, kind, date);
          });
      if (!st.ok()) return st;
      if (lead.plan == Plan::kCase) {
        Schedule(day + Uniform(1, 3), Step::kLeadApprove, n);
      } else {
        Schedule(day + Uniform(1, 5), Step::kDispositionsPropose, n, 0);
      }
      return absl::OkStatus();
    }
    default:
      return absl::InternalError("not a lead step");
  }
}

}  // namespace jijian::bench::year
