#include "server/case_service.h"

#include "server/disposition_service.h"
#include "server/domain/calendar.h"
#include "server/domain/case_rules.h"
#include "server/domain/lead_rules.h"
#include "server/domain/petition_validate.h"
#include "server/domain/request_validate.h"
#include "server/domain/validate.h"
#include "server/lead_codec.h"
#include "server/petition_codec.h"
#include "storage/cases.h"
#include "storage/leads.h"
#include "storage/petitions.h"

namespace jijian::server {
namespace {

using domain::CaseAction;
using domain::FormatDate;
using storage::KeyDomain;

constexpr char kService[] = "/jijian.v1.CaseService/";
constexpr char kCases[] = "cases";
constexpr char kPersons[] = "case_persons";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

std::string Rpc(const char* method) { return std::string(kService) + method; }

v1::CaseState StateOf(const storage::CaseRow& row) {
  v1::CaseState s{};
  v1::CaseState_Parse(row.state, &s);
  return s;
}

// Need to know: an inspector acting as such sees only the cases they investigate.
absl::Status CheckNeedToKnow(const Caller& caller, const storage::CaseRow& row) {
  if (caller.acting_role == v1::ROLE_INSPECTOR && row.inspector != caller.user.user_id) {
    return absl::NotFoundError("case " + row.id + " does not exist");
  }
  return absl::OkStatus();
}

struct CaseRecord {
  storage::CaseRow row;
  std::vector<storage::CasePersonRow> persons;
  std::vector<storage::MessageRow> notes;
  std::vector<storage::DeadlineRow> deadlines;
  std::map<int64_t, storage::DispositionRow> decided;  // approved disposition per person
};

absl::StatusOr<CaseRecord> LoadCase(storage::Db& db, const std::string& id) {
  CaseRecord r;
  absl::StatusOr<storage::CaseRow> row = storage::GetCase(db, id);
  if (!row.ok()) return row.status();
  r.row = *std::move(row);
  absl::StatusOr<std::vector<storage::CasePersonRow>> persons = storage::GetCasePersons(db, id);
  if (!persons.ok()) return persons.status();
  r.persons = *std::move(persons);
  absl::StatusOr<std::vector<storage::MessageRow>> notes =
      storage::GetMessages(db, id, storage::kLeadNotes);
  if (!notes.ok()) return notes.status();
  r.notes = *std::move(notes);
  absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines = storage::GetDeadlines(db, id);
  if (!deadlines.ok()) return deadlines.status();
  r.deadlines = *std::move(deadlines);
  absl::StatusOr<std::map<int64_t, storage::DispositionRow>> decided = ApprovedByPerson(db, id);
  if (!decided.ok()) return decided.status();
  r.decided = *std::move(decided);
  return r;
}

absl::StatusOr<v1::Case> CaseToProto(const storage::Keyring& keys, const CaseRecord& r,
                                     const domain::WorkCalendar& calendar, absl::CivilDay today) {
  v1::Case c;
  c.set_id(r.row.id);
  c.set_version(r.row.version);
  c.set_state(StateOf(r.row));
  c.set_lead_id(r.row.lead_id);
  c.set_inspector(r.row.inspector);
  c.set_requested_by(r.row.requested_by);
  c.set_approved_by(r.row.approved_by);
  absl::StatusOr<std::string> approver =
      OpenAt(keys, kCases, "external_approver", r.row.id, r.row.external_approver);
  if (!approver.ok()) return approver.status();
  c.set_external_approver(*approver);
  c.set_external_approval_date(r.row.external_date);
  c.set_filed_date(r.row.filed_date);
  c.set_closed_date(r.row.closed_date);
  for (const storage::CasePersonRow& p : r.persons) {
    v1::CasePerson* out = c.add_persons();
    absl::StatusOr<std::string> who =
        OpenAt(keys, kPersons, "person", ChildRowId(r.row.id, p.idx), p.person);
    if (!who.ok()) return who.status();
    v1::Subject subject;
    subject.ParseFromString(*who);
    out->set_index(static_cast<int32_t>(p.idx));
    out->set_name(subject.name());
    out->set_unit(subject.unit());
    // What was decided is the person's approved disposition (四种形态), if any.
    auto d = r.decided.find(p.idx);
    if (d == r.decided.end()) continue;
    const storage::DispositionRow& dr = d->second;
    out->set_disposition_id(dr.id);
    out->set_form(static_cast<int32_t>(dr.form));
    out->set_decision(dr.measures);
    out->set_decision_date(dr.decided_date);
    out->set_to_procuratorate(dr.measures.find("prosecution-transfer") != std::string::npos);
    out->set_announced_date(dr.announced_date);
    out->set_delivered_date(dr.delivered_date);
    out->set_filed_date(dr.filed_date);
  }
  for (const storage::MessageRow& m : r.notes) {
    absl::StatusOr<std::string> text =
        OpenAt(keys, storage::kLeadNotes, "body", ChildRowId(r.row.id, m.seq), m.body);
    if (!text.ok()) return text.status();
    v1::CaseNote* n = c.add_notes();
    n->set_kind(m.kind);
    n->set_date(m.date);
    n->set_text(*text);
    n->set_author(m.author);
  }
  DeadlinesToProto(r.deadlines, calendar, today, c.mutable_deadlines(), /*overdue_only=*/false);
  return c;
}

absl::Status AddCaseNote(storage::WriteTxn& txn, const std::string& id, const std::string& kind,
                         const std::string& text) {
  absl::StatusOr<int64_t> seq = storage::NextMessageSeq(txn.db(), id, storage::kLeadNotes);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<std::string> body = SealAt(txn.keyring(), KeyDomain::kContent, storage::kLeadNotes,
                                            "body", ChildRowId(id, *seq), text);
  if (!body.ok()) return body.status();
  return storage::AddMessage(
      txn, {id, *seq, kind, FormatDate(Today()), "", *body, txn.actor().user_id, 0},
      storage::kLeadNotes);
}

using CaseChange = std::function<absl::Status(storage::WriteTxn&, CaseRecord&, v1::CaseState& next,
                                              storage::EventInput&)>;

storage::MutationFn ChangeCase(const ServiceDeps& deps, const Caller& caller, std::string id,
                               int64_t expected, CaseAction action, std::string event_action,
                               CaseChange change) {
  return [deps, caller, id, expected, action, event_action,
          change](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
    absl::StatusOr<storage::CaseRow> exists = storage::GetCase(txn.db(), id);
    if (!exists.ok()) return exists.status();
    if (absl::Status st = CheckNeedToKnow(caller, *exists); !st.ok()) return st;
    if (absl::Status st = txn.CheckVersion(kCases, "id", id, expected); !st.ok()) return st;
    absl::StatusOr<CaseRecord> record = LoadCase(txn.db(), id);
    if (!record.ok()) return record.status();
    const v1::CaseState from = StateOf(record->row);
    absl::StatusOr<v1::CaseState> next = domain::NextCaseState(id, from, action);
    if (!next.ok()) return next.status();
    v1::CaseState to = *next;
    storage::EventInput event{event_action, "case", id, std::string(domain::CaseStateName(from)),
                              "",           ""};
    if (absl::Status st = change(txn, *record, to, event); !st.ok()) return st;
    event.state_after = std::string(domain::CaseStateName(to));
    record->row.state = v1::CaseState_Name(to);
    if (absl::Status st = storage::UpdateCase(txn, record->row); !st.ok()) return st;
    if (absl::StatusOr<int64_t> seq = txn.AppendEvent(event); !seq.ok()) return seq.status();
    absl::StatusOr<CaseRecord> fresh = LoadCase(txn.db(), id);
    if (!fresh.ok()) return fresh.status();
    absl::StatusOr<v1::Case> c = CaseToProto(txn.keyring(), *fresh, *deps.calendar, Today());
    if (!c.ok()) return c.status();
    v1::CaseResponse out;
    *out.mutable_case_() = *std::move(c);
    return Serialized(out);
  };
}

absl::Status CheckCaseChange(const std::string& request_id, const std::string& id,
                             int64_t version) {
  if (absl::Status st = domain::CheckRequestId(request_id); !st.ok()) return st;
  if (absl::Status st = domain::CheckObjectId("id", "LA", id); !st.ok()) return st;
  if (version < 1) {
    return absl::InvalidArgumentError(
        "expected_version: required, the version you last read (>= 1)");
  }
  return absl::OkStatus();
}

absl::Status OnlyInspector(const Caller& caller, const storage::CaseRow& row) {
  if (caller.acting_role == v1::ROLE_INSPECTOR && row.inspector != caller.user.user_id) {
    return absl::PermissionDeniedError("only the inspector of case " + row.id + " may do this");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status CaseServiceImpl::FileCase(grpc::ServerContext* ctx, const v1::FileCaseRequest* req,
                                       v1::CaseResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("FileCase"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = domain::ValidateFileCase(*req); !st.ok()) return ToGrpcStatus(st);
  const ServiceDeps deps = deps_;
  const Caller who = *caller;
  const v1::FileCaseRequest request = *req;
  return RunMutation(
      deps_, *caller, req->request_id(),
      [deps, who, request](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        absl::StatusOr<LeadRecord> lead = LoadLeadRecord(txn.db(), request.lead_id());
        if (!lead.ok()) return lead.status();
        if (who.acting_role == v1::ROLE_INSPECTOR && lead->row.inspector != who.user.user_id) {
          return absl::NotFoundError("lead " + request.lead_id() + " does not exist");
        }
        if (LeadStateOf(lead->row) != v1::LEAD_CASE_PENDING) {
          return absl::FailedPreconditionError(
              "lead " + lead->row.id + " is in " +
              std::string(domain::LeadStateName(LeadStateOf(lead->row))) +
              "; a case is filed only after a leader approved the proposal to file (CASE_PENDING)");
        }
        absl::StatusOr<std::vector<std::string>> existing =
            storage::ListLinkedTo(txn.db(), lead->row.id, "case");
        if (!existing.ok()) return existing.status();
        if (!existing->empty()) {
          return absl::FailedPreconditionError("lead " + lead->row.id + " already has case " +
                                               existing->front());
        }
        const absl::CivilDay today = Today();
        absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "LA", today.year());
        if (!number.ok()) return number.status();
        const std::string id = domain::FormatObjectId("LA", today.year(), *number);
        storage::CaseRow row;
        row.id = id;
        row.state = v1::CaseState_Name(v1::CASE_FILING_REQUESTED);
        row.lead_id = lead->row.id;
        row.inspector = lead->row.inspector;
        row.requested_by = txn.actor().user_id;
        row.created_us = row.updated_us = txn.now_us();
        if (absl::Status st = storage::InsertCase(txn, row); !st.ok()) return st;
        absl::StatusOr<std::vector<v1::Subject>> subjects = OpenLeadSubjects(txn.keyring(), *lead);
        if (!subjects.ok()) return subjects.status();
        for (size_t i = 0; i < subjects->size(); ++i) {
          v1::Subject person;
          person.set_name((*subjects)[i].name());
          person.set_unit((*subjects)[i].unit());
          absl::StatusOr<std::string> sealed =
              SealAt(txn.keyring(), KeyDomain::kIdentity, kPersons, "person",
                     ChildRowId(id, static_cast<int64_t>(i + 1)), person.SerializeAsString());
          if (!sealed.ok()) return sealed.status();
          storage::CasePersonRow p;
          p.case_id = id;
          p.idx = static_cast<int64_t>(i + 1);
          p.person = *sealed;
          if (absl::Status st = storage::PutCasePerson(txn, p); !st.ok()) return st;
        }
        if (absl::Status st = AddCaseNote(txn, id, "filing_request", request.reason()); !st.ok())
          return st;
        if (absl::Status st = storage::AddObjectLink(txn, lead->row.id, id, "case"); !st.ok())
          return st;
        absl::StatusOr<int64_t> seq = txn.AppendEvent(
            {"case.request_filing", "case", id, "", "FILING_REQUESTED", "lead=" + lead->row.id});
        if (!seq.ok()) return seq.status();
        absl::StatusOr<CaseRecord> record = LoadCase(txn.db(), id);
        if (!record.ok()) return record.status();
        absl::StatusOr<v1::Case> c = CaseToProto(txn.keyring(), *record, *deps.calendar, today);
        if (!c.ok()) return c.status();
        v1::CaseResponse out;
        *out.mutable_case_() = *std::move(c);
        return Serialized(out);
      },
      resp);
}

grpc::Status CaseServiceImpl::ApproveFiling(grpc::ServerContext* ctx,
                                            const v1::ApproveFilingRequest* req,
                                            v1::CaseResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ApproveFiling"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckCaseChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok())
    st = domain::CheckText("external_approver", req->external_approver(), domain::kMaxNameChars,
                           true);
  absl::StatusOr<absl::CivilDay> date =
      absl::InvalidArgumentError("external_approval_date: required");
  if (st.ok()) {
    if (req->external_approval_date().empty()) {
      st = absl::InvalidArgumentError(
          "external_approval_date: required (the same-level party committee head's approval, "
          "第三十八条)");
    } else {
      date =
          domain::DateNotInFuture("external_approval_date", req->external_approval_date(), Today());
      if (!date.ok()) st = date.status();
    }
  }
  if (!st.ok()) return ToGrpcStatus(st);
  const ServiceDeps deps = deps_;
  const Caller who = *caller;
  const std::string approver = req->external_approver();
  const std::string approval_date = FormatDate(*date);
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeCase(
          deps_, *caller, req->id(), req->expected_version(), CaseAction::kApproveFiling,
          "case.file",
          [deps, who, approver, approval_date](storage::WriteTxn& txn, CaseRecord& r,
                                               v1::CaseState&,
                                               storage::EventInput& event) -> absl::Status {
            if (r.row.requested_by == who.user.user_id) {
              return absl::PermissionDeniedError(
                  "a leader may not approve their own filing request (case " + r.row.id + ")");
            }
            const absl::CivilDay today = Today();
            absl::StatusOr<std::string> sealed = SealAt(txn.keyring(), KeyDomain::kIdentity, kCases,
                                                        "external_approver", r.row.id, approver);
            if (!sealed.ok()) return sealed.status();
            r.row.external_approver = *sealed;
            r.row.external_date = approval_date;
            r.row.approved_by = who.user.user_id;
            r.row.filed_date = FormatDate(today);
            if (absl::Status st = storage::SetDeadline(
                    txn, {r.row.id, "investigation_report",
                          FormatDate(today + deps.config->lead_rules.case_investigation_days),
                          false, ""});
                !st.ok()) {
              return st;
            }
            // The lead carries on as this case.
            absl::StatusOr<storage::LeadRow> lead = storage::GetLead(txn.db(), r.row.lead_id);
            if (!lead.ok()) return lead.status();
            lead->state = v1::LeadState_Name(v1::LEAD_CASE_FILED);
            lead->case_id = r.row.id;
            if (absl::Status st = storage::UpdateLead(txn, *lead); !st.ok()) return st;
            absl::StatusOr<int64_t> seq =
                txn.AppendEvent({"lead.case_filed", "lead", lead->id, "CASE_PENDING", "CASE_FILED",
                                 "case=" + r.row.id});
            if (!seq.ok()) return seq.status();
            event.reason = "external_approval=" + approval_date;
            return absl::OkStatus();
          }),
      resp);
}

grpc::Status CaseServiceImpl::GetCase(grpc::ServerContext* ctx, const v1::GetCaseRequest* req,
                                      v1::CaseResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GetCase"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = domain::CheckObjectId("id", "LA", req->id()); !st.ok())
    return ToGrpcStatus(st);
  absl::StatusOr<v1::Case> c =
      deps_.store->Read<v1::Case>([&](storage::Db& db) -> absl::StatusOr<v1::Case> {
        absl::StatusOr<CaseRecord> r = LoadCase(db, req->id());
        if (!r.ok()) return r.status();
        if (absl::Status st = CheckNeedToKnow(*caller, r->row); !st.ok()) return st;
        return CaseToProto(deps_.store->keyring(), *r, *deps_.calendar, Today());
      });
  if (!c.ok()) return ToGrpcStatus(c.status());
  *resp->mutable_case_() = *std::move(c);
  return grpc::Status::OK;
}

grpc::Status CaseServiceImpl::ListCases(grpc::ServerContext* ctx, const v1::ListCasesRequest* req,
                                        v1::ListCasesResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ListCases"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const absl::CivilDay today = Today();
  storage::CaseFilter f;
  absl::Status st;
  if (req->state() != v1::CASE_STATE_UNSPECIFIED) {
    if (!v1::CaseState_IsValid(req->state()))
      st = absl::InvalidArgumentError("state: unknown value");
    f.state = v1::CaseState_Name(req->state());
  }
  if (st.ok() && (req->page_size() < 0 || req->page_size() > kMaxPageSize)) {
    st = absl::InvalidArgumentError("page_size: from 1 to 500 (0 for the default of 50)");
  }
  if (st.ok() && !req->page_token().empty())
    st = domain::CheckObjectId("page_token", "LA", req->page_token());
  if (!st.ok()) return ToGrpcStatus(st);
  if (caller->acting_role == v1::ROLE_INSPECTOR) f.inspector = caller->user.user_id;
  f.overdue = req->overdue();
  f.today = FormatDate(today);
  f.after_id = req->page_token();
  f.limit = req->page_size() == 0 ? kDefaultPageSize : req->page_size();
  absl::StatusOr<v1::ListCasesResponse> out = deps_.store->Read<v1::ListCasesResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::ListCasesResponse> {
        absl::StatusOr<std::vector<storage::CaseRow>> rows = storage::ListCases(db, f);
        if (!rows.ok()) return rows.status();
        v1::ListCasesResponse list;
        for (const storage::CaseRow& row : *rows) {
          v1::CaseListItem* item = list.add_cases();
          item->set_id(row.id);
          item->set_state(StateOf(row));
          item->set_lead_id(row.lead_id);
          item->set_inspector(row.inspector);
          item->set_filed_date(row.filed_date);
          absl::StatusOr<std::vector<storage::CasePersonRow>> persons =
              storage::GetCasePersons(db, row.id);
          if (!persons.ok()) return persons.status();
          item->set_persons(static_cast<int32_t>(persons->size()));
          absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines =
              storage::GetDeadlines(db, row.id);
          if (!deadlines.ok()) return deadlines.status();
          DeadlinesToProto(*deadlines, *deps_.calendar, today, item->mutable_overdue(), true);
        }
        if (static_cast<int>(rows->size()) == f.limit) list.set_next_page_token(rows->back().id);
        return list;
      });
  if (!out.ok()) return ToGrpcStatus(out.status());
  *resp = *std::move(out);
  return grpc::Status::OK;
}

grpc::Status CaseServiceImpl::SubmitInvestigationReport(grpc::ServerContext* ctx,
                                                        const v1::CaseNoteRequest* req,
                                                        v1::CaseResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("SubmitInvestigationReport"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckCaseChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok()) st = domain::CheckText("text", req->text(), domain::kMaxContentChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const Caller who = *caller;
  const std::string text = req->text();
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeCase(deps_, *caller, req->id(), req->expected_version(),
                 CaseAction::kInvestigationReport, "case.investigation_report",
                 [who, text](storage::WriteTxn& txn, CaseRecord& r, v1::CaseState&,
                             storage::EventInput&) -> absl::Status {
                   if (absl::Status st = OnlyInspector(who, r.row); !st.ok()) return st;
                   if (absl::Status st = storage::MeetDeadline(
                           txn, r.row.id, "investigation_report", FormatDate(Today()));
                       !st.ok()) {
                     return st;
                   }
                   return AddCaseNote(txn, r.row.id, "investigation_report", text);
                 }),
      resp);
}

grpc::Status CaseServiceImpl::TransferToReview(grpc::ServerContext* ctx,
                                               const v1::CaseStepRequest* req,
                                               v1::CaseResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("TransferToReview"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = CheckCaseChange(req->request_id(), req->id(), req->expected_version());
      !st.ok()) {
    return ToGrpcStatus(st);
  }
  const Caller who = *caller;
  return RunMutation(deps_, *caller, req->request_id(),
                     ChangeCase(deps_, *caller, req->id(), req->expected_version(),
                                CaseAction::kTransferToReview, "case.transfer_review",
                                [who](storage::WriteTxn&, CaseRecord& r, v1::CaseState&,
                                      storage::EventInput&) { return OnlyInspector(who, r.row); }),
                     resp);
}

grpc::Status CaseServiceImpl::SubmitReviewOpinion(grpc::ServerContext* ctx,
                                                  const v1::CaseNoteRequest* req,
                                                  v1::CaseResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("SubmitReviewOpinion"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckCaseChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok()) st = domain::CheckText("text", req->text(), domain::kMaxContentChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const std::string text = req->text();
  return RunMutation(deps_, *caller, req->request_id(),
                     ChangeCase(deps_, *caller, req->id(), req->expected_version(),
                                CaseAction::kReviewOpinion, "case.review_opinion",
                                [text](storage::WriteTxn& txn, CaseRecord& r, v1::CaseState&,
                                       storage::EventInput&) {
                                  return AddCaseNote(txn, r.row.id, "review_opinion", text);
                                }),
                     resp);
}

grpc::Status CaseServiceImpl::CloseCase(grpc::ServerContext* ctx, const v1::CaseStepRequest* req,
                                        v1::CaseResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("CloseCase"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = CheckCaseChange(req->request_id(), req->id(), req->expected_version());
      !st.ok()) {
    return ToGrpcStatus(st);
  }
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeCase(deps_, *caller, req->id(), req->expected_version(), CaseAction::kClose,
                 "case.close",
                 [](storage::WriteTxn&, CaseRecord& r, v1::CaseState&,
                    storage::EventInput&) -> absl::Status {
                   std::vector<domain::PersonProgress> progress;
                   for (const auto& p : r.persons) {
                     auto d = r.decided.find(p.idx);
                     if (d == r.decided.end()) {
                       progress.push_back({static_cast<int>(p.idx), false, "", "", ""});
                     } else {
                       progress.push_back({static_cast<int>(p.idx), true,
                                           d->second.announced_date, d->second.delivered_date,
                                           d->second.filed_date});
                     }
                   }
                   std::string blocker = domain::CaseCloseBlocker(progress);
                   if (!blocker.empty()) {
                     return absl::FailedPreconditionError(
                         "case " + r.row.id + " cannot close: " + blocker + "; allowed: execute");
                   }
                   r.row.closed_date = FormatDate(Today());
                   return absl::OkStatus();
                 }),
      resp);
}

}  // namespace jijian::server
