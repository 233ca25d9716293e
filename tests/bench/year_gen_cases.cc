// The year's cases: filing, investigation, review, closing (case_service.cc).
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/bench/year_generator.h"

namespace jijian::bench::year {

absl::Status YearGenerator::ChangeCase(
    WriteTxn& txn, uint32_t n, server::domain::CaseAction action, const std::string& event_action,
    const std::function<absl::Status(storage::CaseRow&, storage::EventInput&)>& change) {
  const std::string id = Id("LA", n);
  absl::StatusOr<storage::CaseRow> row = storage::GetCase(txn.db(), id);
  if (!row.ok()) return row.status();
  if (absl::Status st = txn.CheckVersion("cases", "id", id, row->version); !st.ok()) return st;
  v1::CaseState from{};
  v1::CaseState_Parse(row->state, &from);
  absl::StatusOr<v1::CaseState> next = server::domain::NextCaseState(id, from, action);
  if (!next.ok()) return next.status();
  storage::EventInput event{event_action,
                            "case",
                            id,
                            std::string(server::domain::CaseStateName(from)),
                            std::string(server::domain::CaseStateName(*next)),
                            ""};
  if (absl::Status st = change(*row, event); !st.ok()) return st;
  row->state = v1::CaseState_Name(*next);
  if (absl::Status st = storage::UpdateCase(txn, *row); !st.ok()) return st;
  return Event(txn, event);
}

absl::Status YearGenerator::CaseStep(WriteTxn& txn, int day, uint32_t n, Step step) {
  using server::domain::CaseAction;
  const std::string date = Date(day);
  switch (step) {
    case Step::kCaseRequest: {  // n is the lead
      const std::string lead_id = Id("XS", n);
      absl::StatusOr<server::LeadRecord> lead = server::LoadLeadRecord(txn.db(), lead_id);
      if (!lead.ok()) return lead.status();
      if (lead->row.state != "LEAD_CASE_PENDING")
        return absl::FailedPreconditionError(lead_id + " is not CASE_PENDING");
      absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "LA", options_.year);
      if (!number.ok()) return number.status();
      if (*number != static_cast<int64_t>(cases_.size()))
        return absl::InternalError("case numbers out of step");
      const std::string id = Id("LA", static_cast<uint32_t>(*number));
      storage::CaseRow row;
      row.id = id;
      row.state = v1::CaseState_Name(v1::CASE_FILING_REQUESTED);
      row.lead_id = lead_id;
      row.inspector = lead->row.inspector;
      row.requested_by = txn.actor().user_id;
      row.created_us = row.updated_us = txn.now_us();
      if (absl::Status st = storage::InsertCase(txn, row); !st.ok()) return st;
      absl::StatusOr<std::vector<v1::Subject>> subjects =
          server::OpenLeadSubjects(txn.keyring(), *lead);
      if (!subjects.ok()) return subjects.status();
      for (size_t i = 0; i < subjects->size(); ++i) {
        v1::Subject person;
        person.set_name((*subjects)[i].name());
        person.set_unit((*subjects)[i].unit());
        absl::StatusOr<std::string> sealed =
            SealAt(txn.keyring(), KeyDomain::kIdentity, "case_persons", "person",
                   ChildRowId(id, static_cast<int64_t>(i + 1)), person.SerializeAsString());
        if (!sealed.ok()) return sealed.status();
        storage::CasePersonRow p;
        p.case_id = id;
        p.idx = static_cast<int64_t>(i + 1);
        p.person = *sealed;
        if (absl::Status st = storage::PutCasePerson(txn, p); !st.ok()) return st;
      }
      if (absl::Status st = AddNote(txn, id, "filing_request", date, "立案请示：建议立案审查调查");
          !st.ok())
        return st;
      if (absl::Status st = storage::AddObjectLink(txn, lead_id, id, "case"); !st.ok()) return st;
      if (absl::Status st = Event(
              txn, {"case.request_filing", "case", id, "", "FILING_REQUESTED", "lead=" + lead_id});
          !st.ok())
        return st;
      const uint32_t c = static_cast<uint32_t>(cases_.size());
      cases_.push_back(n);
      leads_[n].case_no = c;
      ++counts_.cases;
      Schedule(day + Uniform(1, 3), Step::kCaseFile, c);
      return absl::OkStatus();
    }
    case Step::kCaseFile: {
      const server::domain::LeadDeadlineRules rules;
      absl::Status st = ChangeCase(
          txn, n, CaseAction::kApproveFiling, "case.file",
          [&](storage::CaseRow& r, storage::EventInput& e) -> absl::Status {
            absl::StatusOr<std::string> sealed =
                SealAt(txn.keyring(), KeyDomain::kIdentity, "cases", "external_approver", r.id,
                       "党委书记");
            if (!sealed.ok()) return sealed.status();
            r.external_approver = *sealed;
            r.external_date = date;
            r.approved_by = txn.actor().user_id;
            r.filed_date = date;
            if (absl::Status st = storage::SetDeadline(
                    txn, {r.id, "investigation_report",
                          FormatDate(start_ + day + rules.case_investigation_days), false, ""});
                !st.ok())
              return st;
            absl::StatusOr<storage::LeadRow> lead = storage::GetLead(txn.db(), r.lead_id);
            if (!lead.ok()) return lead.status();
            lead->state = v1::LeadState_Name(v1::LEAD_CASE_FILED);
            lead->case_id = r.id;
            if (absl::Status st = storage::UpdateLead(txn, *lead); !st.ok()) return st;
            if (absl::Status st = Event(txn, {"lead.case_filed", "lead", lead->id, "CASE_PENDING",
                                              "CASE_FILED", "case=" + r.id});
                !st.ok())
              return st;
            e.reason = "external_approval=" + date;
            return absl::OkStatus();
          });
      if (!st.ok()) return st;
      Schedule(day + Uniform(15, 35), Step::kCaseInvestigationReport, n);
      return absl::OkStatus();
    }
    case Step::kCaseInvestigationReport:
    case Step::kCaseTransferReview:
    case Step::kCaseReviewOpinion:
    case Step::kCaseClose: {
      const CaseAction action = step == Step::kCaseInvestigationReport
                                    ? CaseAction::kInvestigationReport
                                : step == Step::kCaseTransferReview ? CaseAction::kTransferToReview
                                : step == Step::kCaseReviewOpinion  ? CaseAction::kReviewOpinion
                                                                    : CaseAction::kClose;
      const std::string name = step == Step::kCaseInvestigationReport ? "investigation_report"
                               : step == Step::kCaseTransferReview    ? "transfer_review"
                               : step == Step::kCaseReviewOpinion     ? "review_opinion"
                                                                      : "close";
      absl::Status st = ChangeCase(
          txn, n, action, "case." + name,
          [&](storage::CaseRow& r, storage::EventInput&) -> absl::Status {
            if (step == Step::kCaseInvestigationReport) {
              if (absl::Status st = storage::MeetDeadline(txn, r.id, "investigation_report", date);
                  !st.ok())
                return st;
              return AddNote(txn, r.id, name, date, "审查调查报告：违纪事实清楚，证据确凿");
            }
            if (step == Step::kCaseReviewOpinion)
              return AddNote(txn, r.id, name, date, "审理意见：同意给予处分");
            if (step == Step::kCaseClose) r.closed_date = date;
            return absl::OkStatus();
          });
      if (!st.ok()) return st;
      if (step == Step::kCaseInvestigationReport)
        Schedule(day + Uniform(1, 5), Step::kCaseTransferReview, n);
      if (step == Step::kCaseTransferReview)
        Schedule(day + Uniform(5, 12), Step::kCaseReviewOpinion, n);
      if (step == Step::kCaseReviewOpinion)
        Schedule(day + Uniform(1, 3), Step::kDispositionsPropose, n, 1);
      return absl::OkStatus();
    }
    default:
      return absl::InternalError("not a case step");
  }
}

}  // namespace jijian::bench::year
