#include "server/lead_service.h"

#include "server/disposition_service.h"

#include <algorithm>
#include <set>

#include "server/domain/calendar.h"
#include "server/domain/case_rules.h"
#include "server/domain/id_number.h"
#include "server/domain/lead_rules.h"
#include "server/domain/petition_validate.h"
#include "server/domain/request_validate.h"
#include "server/domain/roles.h"
#include "server/domain/validate.h"
#include "server/lead_codec.h"
#include "server/petition_codec.h"
#include "server/queue.h"
#include "server/recusal.h"
#include "storage/cases.h"
#include "storage/petitions.h"
#include "storage/users.h"

namespace jijian::server {
namespace {

using domain::FormatDate;
using domain::LeadAction;
using storage::KeyDomain;

constexpr char kService[] = "/jijian.v1.LeadService/";
constexpr char kLeads[] = "leads";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

std::string Rpc(const char* method) { return std::string(kService) + method; }

// Need to know: an inspector acting as such sees only the leads assigned to them; to anyone
// else the lead does not exist.
absl::Status CheckNeedToKnow(const Caller& caller, const storage::LeadRow& row) {
  if (caller.acting_role == v1::ROLE_INSPECTOR && row.inspector != caller.user.user_id) {
    return absl::NotFoundError("lead " + row.id + " does not exist");
  }
  return absl::OkStatus();
}

// Acts that only the assigned inspector performs.
absl::Status CheckAssignedInspector(const Caller& caller, const storage::LeadRow& row) {
  if (row.inspector != caller.user.user_id) {
    return absl::PermissionDeniedError("only the inspector assigned to lead " + row.id +
                                       " may record this" +
                                       (row.inspector.empty() ? " (it is not assigned yet)" : ""));
  }
  return absl::OkStatus();
}

absl::Status AddLeadDeadline(storage::WriteTxn& txn, const domain::WorkCalendar& calendar,
                             const std::string& id, const std::string& name, absl::CivilDay start,
                             int working_days) {
  domain::WorkCalendar::Deadline due = calendar.AddWorkingDays(start, working_days);
  return storage::SetDeadline(txn, {id, name, FormatDate(due.due), due.provisional, ""});
}

absl::Status AddSealedNote(storage::WriteTxn& txn, const std::string& id, const std::string& kind,
                           const std::string& date, const std::string& text) {
  absl::StatusOr<int64_t> seq = storage::NextMessageSeq(txn.db(), id, storage::kLeadNotes);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<std::string> body = SealAt(txn.keyring(), KeyDomain::kContent, storage::kLeadNotes,
                                            "body", ChildRowId(id, *seq), text);
  if (!body.ok()) return body.status();
  return storage::AddMessage(txn, {id, *seq, kind, date, "", *body, txn.actor().user_id, 0},
                             storage::kLeadNotes);
}

absl::Status AddSealedProposal(storage::WriteTxn& txn, const storage::LeadRow& row,
                               const std::string& kind, const std::string& reason,
                               const std::string& date) {
  absl::StatusOr<std::vector<storage::ProposalRow>> existing =
      storage::GetProposals(txn.db(), row.id);
  if (!existing.ok()) return existing.status();
  const int64_t seq = static_cast<int64_t>(existing->size()) + 1;
  absl::StatusOr<std::string> sealed = SealAt(txn.keyring(), KeyDomain::kContent, "lead_proposals",
                                              "reason", ChildRowId(row.id, seq), reason);
  if (!sealed.ok()) return sealed.status();
  absl::StatusOr<int64_t> added = storage::AddProposal(
      txn, {row.id, 0, kind, *sealed, txn.actor().user_id, date, row.state, "", "", ""});
  return added.ok() ? absl::OkStatus() : added.status();
}

using LeadChange = std::function<absl::Status(storage::WriteTxn&, LeadRecord&, v1::LeadState next,
                                              storage::EventInput&)>;

// A mutation on an existing lead: version, need to know, the state table, the change, the
// row and its event; returns the lead as the caller may see it.
storage::MutationFn ChangeLead(const ServiceDeps& deps, const Caller& caller, std::string id,
                               int64_t expected, LeadAction action, std::string event_action,
                               LeadChange change) {
  return [deps, caller, id, expected, action, event_action,
          change](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
    absl::StatusOr<storage::LeadRow> exists = storage::GetLead(txn.db(), id);
    if (!exists.ok()) return exists.status();
    if (absl::Status st = CheckNeedToKnow(caller, *exists); !st.ok()) return st;
    if (absl::Status st = txn.CheckVersion(kLeads, "id", id, expected); !st.ok()) return st;
    absl::StatusOr<LeadRecord> record = LoadLeadRecord(txn.db(), id);
    if (!record.ok()) return record.status();
    const v1::LeadState from = LeadStateOf(record->row);
    absl::StatusOr<v1::LeadState> next = domain::NextLeadState(id, from, action);
    if (!next.ok()) return next.status();
    storage::EventInput event{event_action,
                              "lead",
                              id,
                              std::string(domain::LeadStateName(from)),
                              std::string(domain::LeadStateName(*next)),
                              ""};
    v1::LeadState to = *next;
    if (absl::Status st = change(txn, *record, to, event); !st.ok()) return st;
    // change may have resolved kDecidedByProposal into the real next state.
    if (event.state_after.empty() || event.state_after == "UNSPECIFIED") {
      return absl::InternalError("lead transition left no state");
    }
    v1::LeadState after{};
    v1::LeadState_Parse("LEAD_" + event.state_after, &after);
    record->row.state = v1::LeadState_Name(after);
    if (absl::Status st = storage::UpdateLead(txn, record->row); !st.ok()) return st;
    if (absl::StatusOr<int64_t> seq = txn.AppendEvent(event); !seq.ok()) return seq.status();
    absl::StatusOr<LeadRecord> fresh = LoadLeadRecord(txn.db(), id);
    if (!fresh.ok()) return fresh.status();
    absl::StatusOr<v1::Lead> lead = LeadToProto(txn.keyring(), *fresh, *deps.calendar, Today());
    if (!lead.ok()) return lead.status();
    v1::LeadResponse out;
    *out.mutable_lead() = *std::move(lead);
    return Serialized(out);
  };
}

absl::Status CheckLeadChange(const std::string& request_id, const std::string& id,
                             int64_t version) {
  if (absl::Status st = domain::CheckRequestId(request_id); !st.ok()) return st;
  if (absl::Status st = domain::CheckObjectId("id", "XS", id); !st.ok()) return st;
  if (version < 1) {
    return absl::InvalidArgumentError(
        "expected_version: required, the version you last read (>= 1)");
  }
  return absl::OkStatus();
}

}  // namespace

grpc::Status LeadServiceImpl::RegisterLead(grpc::ServerContext* ctx,
                                           const v1::RegisterLeadRequest* req,
                                           v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RegisterLead"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const absl::CivilDay today = Today();
  if (absl::Status st = domain::ValidateRegisterLead(*req, today); !st.ok()) {
    return ToGrpcStatus(st);
  }
  const ServiceDeps deps = deps_;
  const v1::RegisterLeadRequest request = *req;
  return RunMutation(
      deps_, *caller, req->request_id(),
      [deps, request, today](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        const storage::Keyring& keys = txn.keyring();
        google::protobuf::RepeatedPtrField<v1::Subject> subjects = request.subjects();
        std::string summary = request.summary();
        std::string source = v1::LeadSource_Name(request.source());
        if (!request.petition_id().empty()) {
          absl::StatusOr<storage::PetitionRow> p =
              storage::GetPetition(txn.db(), request.petition_id());
          if (!p.ok()) return p.status();
          if (p->state != v1::PetitionState_Name(v1::PETITION_ACCEPTED)) {
            return absl::FailedPreconditionError("petition " + p->id +
                                                 " is not ACCEPTED; only an "
                                                 "accepted petition becomes a problem lead");
          }
          absl::StatusOr<std::vector<std::string>> linked =
              storage::ListLinkedTo(txn.db(), p->id, "lead");
          if (!linked.ok()) return linked.status();
          if (!linked->empty()) {
            return absl::FailedPreconditionError("petition " + p->id + " is already lead " +
                                                 linked->front());
          }
          absl::StatusOr<std::vector<storage::SubjectRow>> rows =
              storage::GetSubjects(txn.db(), p->id);
          if (!rows.ok()) return rows.status();
          subjects.Clear();
          for (const storage::SubjectRow& s : *rows) {
            absl::StatusOr<std::string> bytes =
                OpenAt(keys, "petition_subjects", "subject", ChildRowId(p->id, s.idx), s.sealed);
            if (!bytes.ok()) return bytes.status();
            subjects.Add()->ParseFromString(*bytes);
          }
          absl::StatusOr<std::string> text =
              OpenAt(keys, "petitions", "summary", p->id, p->summary);
          if (!text.ok()) return text.status();
          summary = *text;
          source = v1::LeadSource_Name(v1::LEAD_SOURCE_PETITION);
        }
        absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "XS", today.year());
        if (!number.ok()) return number.status();
        const std::string id = domain::FormatObjectId("XS", today.year(), *number);
        storage::LeadRow row;
        row.id = id;
        row.state = v1::LeadState_Name(v1::LEAD_REGISTERED);
        row.source = source;
        row.petition_id = request.petition_id();
        absl::StatusOr<std::string> sealed =
            SealAt(keys, KeyDomain::kContent, kLeads, "summary", id, summary);
        if (!sealed.ok()) return sealed.status();
        row.summary = *sealed;
        row.report_required = domain::ReportToHigherRequired(subjects);
        row.registered_by = txn.actor().user_id;
        row.registered_date = FormatDate(today);
        row.created_us = row.updated_us = txn.now_us();
        if (absl::Status st = storage::InsertLead(txn, row); !st.ok()) return st;
        for (int i = 0; i < subjects.size(); ++i) {
          v1::Subject& s = subjects[i];
          if (!s.id_number().empty()) s.set_id_number(domain::NormalizeIdNumber(s.id_number()));
          absl::StatusOr<std::string> subject =
              SealAt(keys, KeyDomain::kIdentity, storage::kLeadSubjects, "subject",
                     ChildRowId(id, i + 1), s.SerializeAsString());
          if (!subject.ok()) return subject.status();
          if (absl::Status st = storage::InsertSubject(
                  txn, {id, i + 1, *subject, s.unit(), s.rank(), SubjectFlags(s)},
                  storage::kLeadSubjects);
              !st.ok()) {
            return st;
          }
          for (const std::string& digest : SubjectDigests(keys, s)) {
            if (absl::Status st = storage::AddPersonIndex(txn, digest, id); !st.ok()) return st;
          }
        }
        const domain::LeadDeadlineRules& rules = deps.config->lead_rules;
        if (absl::Status st = storage::SetDeadline(
                txn, {id, "disposal_proposal", FormatDate(today + rules.proposal_calendar_days),
                      false, ""});
            !st.ok()) {
          return st;
        }
        if (row.report_required) {
          // 第二十二条: report to the higher commission; the lead cannot close before it.
          if (absl::Status st = storage::SetDeadline(
                  txn, {id, "report_to_higher", FormatDate(today + 30), false, ""});
              !st.ok()) {
            return st;
          }
        }
        if (!request.petition_id().empty()) {
          if (absl::Status st = storage::AddObjectLink(txn, request.petition_id(), id, "lead");
              !st.ok())
            return st;
          absl::StatusOr<int64_t> seq =
              txn.AppendEvent({"petition.handed_on", "petition", request.petition_id(), "ACCEPTED",
                               "ACCEPTED", "lead=" + id});
          if (!seq.ok()) return seq.status();
        }
        absl::StatusOr<int64_t> seq = txn.AppendEvent(
            {"lead.register", "lead", id, "", "REGISTERED",
             "source=" + source + (row.report_required ? " report_to_higher" : "")});
        if (!seq.ok()) return seq.status();
        absl::StatusOr<LeadRecord> record = LoadLeadRecord(txn.db(), id);
        if (!record.ok()) return record.status();
        absl::StatusOr<v1::Lead> lead = LeadToProto(keys, *record, *deps.calendar, today);
        if (!lead.ok()) return lead.status();
        v1::LeadResponse out;
        *out.mutable_lead() = *std::move(lead);
        return Serialized(out);
      },
      resp);
}

grpc::Status LeadServiceImpl::GetLead(grpc::ServerContext* ctx, const v1::GetLeadRequest* req,
                                      v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GetLead"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = domain::CheckObjectId("id", "XS", req->id()); !st.ok())
    return ToGrpcStatus(st);
  absl::StatusOr<v1::Lead> lead =
      deps_.store->Read<v1::Lead>([&](storage::Db& db) -> absl::StatusOr<v1::Lead> {
        absl::StatusOr<LeadRecord> record = LoadLeadRecord(db, req->id());
        if (!record.ok()) return record.status();
        if (absl::Status st = CheckNeedToKnow(*caller, record->row); !st.ok()) return st;
        return LeadToProto(deps_.store->keyring(), *record, *deps_.calendar, Today());
      });
  if (!lead.ok()) return ToGrpcStatus(lead.status());
  *resp->mutable_lead() = *std::move(lead);
  return grpc::Status::OK;
}

grpc::Status LeadServiceImpl::ListLeads(grpc::ServerContext* ctx, const v1::ListLeadsRequest* req,
                                        v1::ListLeadsResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ListLeads"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const absl::CivilDay today = Today();
  storage::LeadFilter f;
  absl::Status st;
  if (req->state() != v1::LEAD_STATE_UNSPECIFIED) {
    if (!v1::LeadState_IsValid(req->state()))
      st = absl::InvalidArgumentError("state: unknown value");
    f.state = v1::LeadState_Name(req->state());
  }
  if (st.ok() && !req->inspector().empty()) st = domain::CheckUserId("inspector", req->inspector());
  if (st.ok() && (req->page_size() < 0 || req->page_size() > kMaxPageSize)) {
    st = absl::InvalidArgumentError("page_size: from 1 to 500 (0 for the default of 50)");
  }
  if (st.ok() && !req->page_token().empty())
    st = domain::CheckObjectId("page_token", "XS", req->page_token());
  if (!st.ok()) return ToGrpcStatus(st);
  f.inspector = req->inspector();
  // Need to know: an inspector's ledger is their own assignments.
  if (caller->acting_role == v1::ROLE_INSPECTOR) f.inspector = caller->user.user_id;
  f.overdue = req->overdue();
  f.hold_due = req->hold_due();
  f.today = FormatDate(today);
  f.after_id = req->page_token();
  f.limit = req->page_size() == 0 ? kDefaultPageSize : req->page_size();
  absl::StatusOr<v1::ListLeadsResponse> out = deps_.store->Read<v1::ListLeadsResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::ListLeadsResponse> {
        absl::StatusOr<std::vector<storage::LeadRow>> rows = storage::ListLeads(db, f);
        if (!rows.ok()) return rows.status();
        v1::ListLeadsResponse list;
        for (const storage::LeadRow& row : *rows) {
          absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines =
              storage::GetDeadlines(db, row.id);
          if (!deadlines.ok()) return deadlines.status();
          absl::StatusOr<v1::LeadListItem> item =
              LeadListItemFromRow(deps_.store->keyring(), row, *deadlines, *deps_.calendar, today);
          if (!item.ok()) return item.status();
          *list.add_leads() = *std::move(item);
        }
        if (static_cast<int>(rows->size()) == f.limit) list.set_next_page_token(rows->back().id);
        return list;
      });
  if (!out.ok()) return ToGrpcStatus(out.status());
  *resp = *std::move(out);
  return grpc::Status::OK;
}

grpc::Status LeadServiceImpl::AssignLead(grpc::ServerContext* ctx, const v1::AssignLeadRequest* req,
                                         v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("AssignLead"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckLeadChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok()) st = domain::CheckUserId("inspector", req->inspector());
  if (st.ok()) st = domain::CheckText("department", req->department(), 100, false);
  if (!st.ok()) return ToGrpcStatus(st);
  const std::string inspector = req->inspector();
  const std::string department = req->department();
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeLead(
          deps_, *caller, req->id(), req->expected_version(), LeadAction::kAssign, "lead.assign",
          [inspector, department](storage::WriteTxn& txn, LeadRecord& r, v1::LeadState next,
                                  storage::EventInput& event) -> absl::Status {
            absl::StatusOr<storage::UserRecord> user = storage::GetUser(txn.db(), inspector);
            if (!user.ok())
              return absl::NotFoundError("inspector: user " + inspector + " does not exist");
            absl::StatusOr<std::vector<domain::Role>> roles = domain::ParseRoleList(user->roles);
            if (!user->enabled || !roles.ok() ||
                std::find(roles->begin(), roles->end(), v1::ROLE_INSPECTOR) == roles->end()) {
              return absl::FailedPreconditionError(
                  "inspector: " + inspector + " is not an enabled user with the inspector role");
            }
            absl::StatusOr<std::string> conflict = RecusalConflict(txn, r, *user);
            if (!conflict.ok()) return conflict.status();
            if (!conflict->empty()) {
              return absl::FailedPreconditionError("inspector: " + inspector +
                                                   " may not handle lead " + r.row.id +
                                                   " (回避): " + *conflict);
            }
            const std::string date = FormatDate(Today());
            event.reason =
                "to=" + inspector + (r.row.inspector.empty() ? "" : " from=" + r.row.inspector);
            r.row.inspector = inspector;
            r.row.department = department;
            event.state_after = std::string(domain::LeadStateName(next));
            return storage::AddAssignment(
                txn, {r.row.id, 0, inspector, department, txn.actor().user_id, date});
          }),
      resp);
}

grpc::Status LeadServiceImpl::ProposeDisposal(grpc::ServerContext* ctx,
                                              const v1::ProposeDisposalRequest* req,
                                              v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ProposeDisposal"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckLeadChange(req->request_id(), req->id(), req->expected_version());
  const std::string kind(domain::DisposalKind(req->method()));
  if (st.ok() && kind.empty()) {
    st = absl::InvalidArgumentError(
        "method: must be one of talk-inquiry, verification, hold, close, first-form");
  }
  if (st.ok()) st = domain::CheckText("reason", req->reason(), domain::kMaxReasonChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const std::string reason = req->reason();
  const Caller who = *caller;
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeLead(
          deps_, *caller, req->id(), req->expected_version(), LeadAction::kPropose, "lead.propose",
          [kind, reason, who](storage::WriteTxn& txn, LeadRecord& r, v1::LeadState next,
                              storage::EventInput& event) -> absl::Status {
            if (who.acting_role == v1::ROLE_INSPECTOR) {
              if (absl::Status st = CheckAssignedInspector(who, r.row); !st.ok()) return st;
            }
            if (kind == "first-form" && LeadStateOf(r.row) != v1::LEAD_INQUIRY_REPLIED) {
              return absl::FailedPreconditionError(
                  "lead " + r.row.id + " is in " +
                  std::string(domain::LeadStateName(LeadStateOf(r.row))) +
                  "; a first-form measure is proposed after the inquiry reply (or in a "
                  "verification report)");
            }
            const std::string date = FormatDate(Today());
            event.reason = "method=" + kind;
            event.state_after = std::string(domain::LeadStateName(next));
            if (absl::Status st = storage::MeetDeadline(txn, r.row.id, "disposal_proposal", date);
                !st.ok()) {
              return st;
            }
            return AddSealedProposal(txn, r.row, kind, reason, date);
          }),
      resp);
}

namespace {

// Approve or reject the pending proposal of a lead.
storage::MutationFn DecideLeadProposal(const ServiceDeps& deps, const Caller& caller,
                                       const v1::DecideProposalRequest& req, bool approve) {
  const std::string reason = req.reason();
  return ChangeLead(
      deps, caller, req.id(), req.expected_version(),
      approve ? LeadAction::kApprove : LeadAction::kReject,
      approve ? "lead.approve" : "lead.reject",
      [deps, caller, reason, approve](storage::WriteTxn& txn, LeadRecord& r, v1::LeadState,
                                      storage::EventInput& event) -> absl::Status {
        auto pending =
            std::find_if(r.proposals.rbegin(), r.proposals.rend(),
                         [](const storage::ProposalRow& p) { return p.outcome.empty(); });
        if (pending == r.proposals.rend()) {
          return absl::FailedPreconditionError("lead " + r.row.id + " has no pending proposal");
        }
        storage::ProposalRow p = *pending;
        if (p.proposed_by == caller.user.user_id) {
          return absl::PermissionDeniedError("a leader may not " +
                                             std::string(approve ? "approve" : "reject") +
                                             " their own proposal (lead " + r.row.id + ")");
        }
        const absl::CivilDay today = Today();
        const std::string date = FormatDate(today);
        v1::LeadState next{};
        if (approve) {
          absl::StatusOr<v1::LeadState> target = domain::ApprovedState(p.kind);
          if (!target.ok()) return target.status();
          next = *target;
          if (p.kind == "first-form") {
            // The measure itself is a disposition (四种形态), so that statistics count what
            // was decided: a lead ends in the first form only once one is approved.
            absl::StatusOr<std::map<int64_t, storage::DispositionRow>> decided =
                ApprovedByPerson(txn.db(), r.row.id);
            if (!decided.ok()) return decided.status();
            if (decided->empty()) {
              return absl::FailedPreconditionError(
                  "lead " + r.row.id +
                  " has no approved first-form disposition; record one (jijian disposition "
                  "record) and have it approved first");
            }
          }
          const domain::LeadDeadlineRules& rules = deps.config->lead_rules;
          if ((next == v1::LEAD_CLOSED || next == v1::LEAD_TRANSFERRED) && r.row.report_required &&
              r.row.reported_date.empty()) {
            return absl::FailedPreconditionError(
                "lead " + r.row.id +
                " must first be reported to the higher commission (第二十二条); "
                "allowed: report-higher");
          }
          if (next == v1::LEAD_VERIFICATION) {
            if (absl::Status st =
                    AddLeadDeadline(txn, *deps.calendar, r.row.id, "verification_report", today,
                                    rules.verification_working_days);
                !st.ok()) {
              return st;
            }
          } else if (next == v1::LEAD_HOLD) {
            r.row.hold_review_date = FormatDate(today + rules.hold_review_days);
          } else if (next == v1::LEAD_CLOSED || next == v1::LEAD_TRANSFERRED) {
            r.row.closed_date = date;
          }
          if (next != v1::LEAD_HOLD) r.row.hold_review_date.clear();
        } else {
          if (reason.empty())
            return absl::InvalidArgumentError("reason: required to reject a proposal");
          v1::LeadState_Parse(p.return_state, &next);
          if (LeadStateOf(r.row) == v1::LEAD_VERIFICATION_REPORTED) next = v1::LEAD_VERIFICATION;
        }
        p.outcome = approve ? "approved" : "rejected";
        p.decided_by = caller.user.user_id;
        absl::StatusOr<std::string> why =
            SealAt(txn.keyring(), KeyDomain::kContent, "lead_proposals", "decision_reason",
                   ChildRowId(r.row.id, p.seq), reason);
        if (!why.ok()) return why.status();
        p.decision_reason = *why;
        event.reason = std::string(approve ? "approved " : "rejected ") + p.kind +
                       " proposed_by=" + p.proposed_by;
        event.state_after = std::string(domain::LeadStateName(next));
        return storage::DecideProposal(txn, p);
      });
}

}  // namespace

grpc::Status LeadServiceImpl::ApproveProposal(grpc::ServerContext* ctx,
                                              const v1::DecideProposalRequest* req,
                                              v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ApproveProposal"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckLeadChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok())
    st = domain::CheckText("reason", req->reason(), domain::kMaxReasonChars, false, true);
  if (!st.ok()) return ToGrpcStatus(st);
  return RunMutation(deps_, *caller, req->request_id(),
                     DecideLeadProposal(deps_, *caller, *req, true), resp);
}

grpc::Status LeadServiceImpl::RejectProposal(grpc::ServerContext* ctx,
                                             const v1::DecideProposalRequest* req,
                                             v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RejectProposal"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckLeadChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok()) st = domain::CheckText("reason", req->reason(), domain::kMaxReasonChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  return RunMutation(deps_, *caller, req->request_id(),
                     DecideLeadProposal(deps_, *caller, *req, false), resp);
}

namespace {

// Records a dated note by the assigned inspector (or, for the higher report, a case manager).
grpc::Status NoteChange(
    const ServiceDeps& deps, const Caller& caller, const v1::LeadNoteRequest& req,
    LeadAction action, const std::string& kind, v1::LeadResponse* resp,
    std::function<absl::Status(storage::WriteTxn&, LeadRecord&, const std::string& date)> extra) {
  absl::Status st = CheckLeadChange(req.request_id(), req.id(), req.expected_version());
  if (st.ok()) st = domain::CheckText("text", req.text(), domain::kMaxMessageChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  absl::StatusOr<absl::CivilDay> day = domain::DateNotInFuture("date", req.date(), Today());
  if (!day.ok()) return ToGrpcStatus(day.status());
  const std::string date = FormatDate(*day);
  std::string text = req.text();
  if (!req.team().empty()) {
    std::string members;
    for (const std::string& m : req.team()) members += (members.empty() ? "" : ", ") + m;
    text = "team: " + members + "\n" + text;
  }
  const bool inspector_only = action != LeadAction::kReportHigher;
  return RunMutation(
      deps, caller, req.request_id(),
      ChangeLead(deps, caller, req.id(), req.expected_version(), action, "lead." + kind,
                 [caller, kind, date, text, extra, inspector_only](
                     storage::WriteTxn& txn, LeadRecord& r, v1::LeadState next,
                     storage::EventInput& event) -> absl::Status {
                   if (inspector_only) {
                     if (absl::Status st = CheckAssignedInspector(caller, r.row); !st.ok())
                       return st;
                   }
                   if (date < r.row.registered_date) {
                     return absl::InvalidArgumentError(
                         "date: must not be before the lead was registered (" +
                         r.row.registered_date + ")");
                   }
                   event.state_after = std::string(domain::LeadStateName(next));
                   if (absl::Status st = extra(txn, r, date); !st.ok()) return st;
                   return AddSealedNote(txn, r.row.id, kind, date, text);
                 }),
      resp);
}

}  // namespace

grpc::Status LeadServiceImpl::RecordInquirySent(grpc::ServerContext* ctx,
                                                const v1::LeadNoteRequest* req,
                                                v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RecordInquirySent"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const ServiceDeps deps = deps_;
  return NoteChange(
      deps_, *caller, *req, LeadAction::kInquirySent, "inquiry_sent", resp,
      [deps](storage::WriteTxn& txn, LeadRecord& r, const std::string& date) -> absl::Status {
        for (const auto& n : r.notes) {
          if (n.kind == "inquiry_sent") {
            return absl::FailedPreconditionError("lead " + r.row.id +
                                                 " already records its inquiry (" + n.date + ")");
          }
        }
        return AddLeadDeadline(txn, *deps.calendar, r.row.id, "inquiry_reply",
                               *domain::ParseDate("date", date),
                               deps.config->lead_rules.inquiry_reply_working_days);
      });
}

grpc::Status LeadServiceImpl::RecordInquiryReply(grpc::ServerContext* ctx,
                                                 const v1::LeadNoteRequest* req,
                                                 v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RecordInquiryReply"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return NoteChange(
      deps_, *caller, *req, LeadAction::kInquiryReply, "inquiry_reply", resp,
      [](storage::WriteTxn& txn, LeadRecord& r, const std::string& date) -> absl::Status {
        return storage::MeetDeadline(txn, r.row.id, "inquiry_reply", date);
      });
}

grpc::Status LeadServiceImpl::RecordHigherReport(grpc::ServerContext* ctx,
                                                 const v1::LeadNoteRequest* req,
                                                 v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RecordHigherReport"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return NoteChange(
      deps_, *caller, *req, LeadAction::kReportHigher, "higher_report", resp,
      [](storage::WriteTxn& txn, LeadRecord& r, const std::string& date) -> absl::Status {
        if (!r.row.reported_date.empty()) {
          return absl::FailedPreconditionError(
              "lead " + r.row.id + " was already reported to the higher commission on " +
              r.row.reported_date);
        }
        r.row.reported_date = date;
        return storage::MeetDeadline(txn, r.row.id, "report_to_higher", date);
      });
}

grpc::Status LeadServiceImpl::RecordVerificationPlan(grpc::ServerContext* ctx,
                                                     const v1::LeadNoteRequest* req,
                                                     v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RecordVerificationPlan"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (req->team().empty() || req->team_size() > 20) {
    return ToGrpcStatus(absl::InvalidArgumentError("team: 1 to 20 user ids (核查组)"));
  }
  for (const std::string& member : req->team()) {
    if (absl::Status st = domain::CheckUserId("team", member); !st.ok()) return ToGrpcStatus(st);
  }
  const std::vector<std::string> team(req->team().begin(), req->team().end());
  return NoteChange(
      deps_, *caller, *req, LeadAction::kPlan, "verification_plan", resp,
      [team](storage::WriteTxn& txn, LeadRecord& r, const std::string&) -> absl::Status {
        for (const auto& n : r.notes) {
          if (n.kind == "verification_plan") {
            return absl::FailedPreconditionError(
                "lead " + r.row.id + " already has its verification plan (" + n.date + ")");
          }
        }
        // Every member must be an enabled user free of a declared or apparent conflict.
        for (const std::string& member : team) {
          absl::StatusOr<storage::UserRecord> user = storage::GetUser(txn.db(), member);
          if (!user.ok() || !user->enabled) {
            return absl::FailedPreconditionError("team: " + member + " is not an enabled user");
          }
          absl::StatusOr<std::string> conflict = RecusalConflict(txn, r, *user);
          if (!conflict.ok()) return conflict.status();
          if (!conflict->empty()) {
            return absl::FailedPreconditionError("team: " + member + " may not work on lead " +
                                                 r.row.id + " (回避)");
          }
        }
        return absl::OkStatus();
      });
}

grpc::Status LeadServiceImpl::SubmitVerificationReport(grpc::ServerContext* ctx,
                                                       const v1::VerificationReportRequest* req,
                                                       v1::LeadResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("SubmitVerificationReport"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckLeadChange(req->request_id(), req->id(), req->expected_version());
  const std::string kind(domain::ReportKind(req->proposal()));
  if (st.ok() && kind.empty()) {
    st = absl::InvalidArgumentError(
        "proposal: must be one of file-case, close, first-form, hold, transfer");
  }
  if (st.ok()) st = domain::CheckText("text", req->text(), domain::kMaxContentChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const std::string text = req->text();
  const Caller who = *caller;
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeLead(
          deps_, *caller, req->id(), req->expected_version(), LeadAction::kReport,
          "lead.verification_report",
          [who, kind, text](storage::WriteTxn& txn, LeadRecord& r, v1::LeadState next,
                            storage::EventInput& event) -> absl::Status {
            if (absl::Status st = CheckAssignedInspector(who, r.row); !st.ok()) return st;
            const std::string date = FormatDate(Today());
            event.reason = "proposal=" + kind;
            event.state_after = std::string(domain::LeadStateName(next));
            if (absl::Status st = storage::MeetDeadline(txn, r.row.id, "verification_report", date);
                !st.ok()) {
              return st;
            }
            if (absl::Status st = AddSealedNote(txn, r.row.id, "verification_report", date, text);
                !st.ok()) {
              return st;
            }
            return AddSealedProposal(txn, r.row, kind, "as in the verification report of " + date,
                                     date);
          }),
      resp);
}

grpc::Status LeadServiceImpl::MyQueue(grpc::ServerContext* ctx, const v1::MyQueueRequest* req,
                                      v1::MyQueueResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("MyQueue"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st;
  if (req->page_size() < 0 || req->page_size() > kMaxPageSize) {
    st = absl::InvalidArgumentError("page_size: from 1 to 500 (0 for the default of 50)");
  }
  // The token is the last item of the previous page: a lead, or a case once the leads are done.
  if (st.ok() && !req->page_token().empty() &&
      !domain::CheckObjectId("page_token", "XS", req->page_token()).ok() &&
      !domain::CheckObjectId("page_token", "LA", req->page_token()).ok()) {
    st = absl::InvalidArgumentError(
        "page_token: must be a next_page_token, a lead XS-YYYY-NNNNNN or a case LA-YYYY-NNNNNN");
  }
  if (!st.ok()) return ToGrpcStatus(st);
  absl::StatusOr<v1::MyQueueResponse> queue =
      BuildQueue(deps_, *caller, req->page_token(),
                 req->page_size() == 0 ? kDefaultPageSize : req->page_size());
  if (!queue.ok()) return ToGrpcStatus(queue.status());
  *resp = *std::move(queue);
  return grpc::Status::OK;
}

}  // namespace jijian::server
