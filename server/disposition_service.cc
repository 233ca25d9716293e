#include "server/disposition_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/disposition_codec.h"
#include "server/domain/calendar.h"
#include "server/domain/four_forms.h"
#include "server/domain/id_number.h"
#include "server/domain/petition_validate.h"
#include "server/domain/request_validate.h"
#include "server/domain/validate.h"
#include "server/lead_codec.h"
#include "server/petition_codec.h"
#include "server/recusal.h"
#include "storage/cases.h"
#include "storage/leads.h"
#include "storage/petitions.h"

namespace jijian::server {
namespace {

using domain::FormatDate;
using storage::DispositionRow;
using storage::KeyDomain;

constexpr char kService[] = "/jijian.v1.DispositionService/";
using dispositions::CheckNeedToKnow;
using dispositions::Derive;
using dispositions::kHistory;
using dispositions::kTable;
using dispositions::LoadMatter;
using dispositions::Matter;
using dispositions::ShortState;
using dispositions::SplitCodes;
using dispositions::StateName;
using dispositions::StateOf;
using dispositions::SubjectOf;
using dispositions::ToProto;
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;
constexpr int kMaxEndingWithinDays = 3660;

std::string Rpc(const char* method) { return std::string(kService) + method; }

absl::StatusOr<std::string> ResponseFor(storage::WriteTxn& txn, const ServiceDeps& deps,
                                        const std::string& id) {
  absl::StatusOr<DispositionRow> row = storage::GetDisposition(txn.db(), id);
  if (!row.ok()) return row.status();
  absl::StatusOr<Matter> m = LoadMatter(txn.db(), row->object_id);
  if (!m.ok()) return m.status();
  absl::StatusOr<v1::Disposition> d = ToProto(txn.db(), txn.keyring(), *deps.measures, *row, *m);
  if (!d.ok()) return d.status();
  v1::DispositionResponse out;
  *out.mutable_disposition() = *std::move(d);
  return Serialized(out);
}

absl::Status AddHistory(storage::WriteTxn& txn, const DispositionRow& r, const std::string& kind,
                        const std::string& date, const std::string& text) {
  absl::StatusOr<int64_t> next = [&]() -> absl::StatusOr<int64_t> {
    absl::StatusOr<std::vector<storage::DispositionHistoryRow>> h =
        storage::GetDispositionHistory(txn.db(), r.id);
    if (!h.ok()) return h.status();
    return static_cast<int64_t>(h->size()) + 1;
  }();
  if (!next.ok()) return next.status();
  std::string sealed;
  if (!text.empty()) {
    absl::StatusOr<std::string> s =
        SealAt(txn.keyring(), KeyDomain::kContent, kHistory, "text", ChildRowId(r.id, *next), text);
    if (!s.ok()) return s.status();
    sealed = *s;
  }
  return storage::AddDispositionHistory(
      txn, {r.id, *next, kind, date, txn.actor().user_id, r.measures, sealed});
}

absl::Status CheckStep(const std::string& request_id, const std::string& id, int64_t version) {
  if (absl::Status st = domain::CheckRequestId(request_id); !st.ok()) return st;
  if (absl::Status st = domain::CheckObjectId("id", "CZ", id); !st.ok()) return st;
  if (version < 1) {
    return absl::InvalidArgumentError(
        "expected_version: required, the version you last read (>= 1)");
  }
  return absl::OkStatus();
}

// Where a lead or case must be for a disposition to be proposed (propose) or approved.
absl::Status CheckMatterState(const Matter& m, bool approve) {
  static const std::set<std::string> kLeadPropose = {"LEAD_INQUIRY_REPLIED", "LEAD_VERIFICATION",
                                                     "LEAD_VERIFICATION_REPORTED"};
  static const std::set<std::string> kLeadApprove = {"LEAD_INQUIRY_REPLIED", "LEAD_VERIFICATION",
                                                     "LEAD_VERIFICATION_REPORTED", "LEAD_PROPOSED",
                                                     "LEAD_CLOSED"};
  static const std::set<std::string> kCasePropose = {"CASE_INVESTIGATED", "CASE_IN_REVIEW",
                                                     "CASE_REVIEWED"};
  static const std::set<std::string> kCaseApprove = {"CASE_REVIEWED"};
  if (m.is_case) {
    const auto& allowed = approve ? kCaseApprove : kCasePropose;
    if (allowed.count(m.state) == 0) {
      return absl::FailedPreconditionError(
          "case " + m.id + " is in " + m.state.substr(5) +
          (approve ? "; a disposition is approved after the review opinion (REVIEWED)"
                   : "; a disposition is proposed once the investigation is reported "
                     "(INVESTIGATED, IN_REVIEW or REVIEWED)"));
    }
  } else {
    const auto& allowed = approve ? kLeadApprove : kLeadPropose;
    if (allowed.count(m.state) == 0) {
      return absl::FailedPreconditionError(
          "lead " + m.id + " is in " + m.state.substr(5) +
          "; a first-form disposition follows an inquiry reply or a verification "
          "(INQUIRY_REPLIED, VERIFICATION, VERIFICATION_REPORTED)");
    }
  }
  return absl::OkStatus();
}

using DispositionChange = std::function<absl::Status(storage::WriteTxn&, DispositionRow&,
                                                     const Matter&, storage::EventInput&)>;

// Loads, checks need to know and the version, applies change, writes the row and the audit
// event, and answers with the disposition as it now is.
storage::MutationFn ChangeDisposition(const ServiceDeps& deps, const Caller& caller, std::string id,
                                      int64_t expected, std::string action,
                                      DispositionChange change) {
  return [deps, caller, id, expected, action,
          change](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
    absl::StatusOr<DispositionRow> row = storage::GetDisposition(txn.db(), id);
    if (!row.ok()) return row.status();
    absl::StatusOr<Matter> m = LoadMatter(txn.db(), row->object_id);
    if (!m.ok()) return m.status();
    if (absl::Status st = CheckNeedToKnow(caller, *m, "disposition " + id); !st.ok()) return st;
    if (absl::Status st = txn.CheckVersion(kTable, "id", id, expected); !st.ok()) return st;
    storage::EventInput event{action, "disposition", id, ShortState(row->state), "", ""};
    if (absl::Status st = change(txn, *row, *m, event); !st.ok()) return st;
    event.state_after = ShortState(row->state);
    if (absl::Status st = storage::UpdateDisposition(txn, *row); !st.ok()) return st;
    if (absl::StatusOr<int64_t> seq = txn.AppendEvent(event); !seq.ok()) return seq.status();
    return ResponseFor(txn, deps, id);
  };
}

absl::Status NotTheProposer(const Caller& caller, const DispositionRow& r, const char* verb) {
  if (r.proposed_by == caller.user.user_id) {
    return absl::PermissionDeniedError(std::string("a leader may not ") + verb +
                                       " a disposition they proposed (" + r.id + ")");
  }
  return absl::OkStatus();
}

// A case's state follows its persons: once every person has an approved disposition the
// case is DECIDED (its execution under way); a revoked one sends it back to REVIEWED.
// changed is the disposition being written (not yet in the table).
absl::Status SyncCaseState(storage::WriteTxn& txn, const Matter& m, const DispositionRow& changed) {
  if (!m.is_case) return absl::OkStatus();
  absl::StatusOr<storage::CaseRow> c = storage::GetCase(txn.db(), m.id);
  if (!c.ok()) return c.status();
  if (c->state != "CASE_REVIEWED" && c->state != "CASE_DECIDED") return absl::OkStatus();
  absl::StatusOr<std::vector<storage::CasePersonRow>> persons =
      storage::GetCasePersons(txn.db(), m.id);
  if (!persons.ok()) return persons.status();
  absl::StatusOr<std::map<int64_t, DispositionRow>> decided = ApprovedByPerson(txn.db(), m.id);
  if (!decided.ok()) return decided.status();
  auto it = decided->find(changed.subject_idx);
  if (it != decided->end() && it->second.id == changed.id) decided->erase(it);
  if (StateOf(changed) == v1::DISPOSITION_APPROVED) decided->emplace(changed.subject_idx, changed);
  const bool all = std::all_of(persons->begin(), persons->end(),
                               [&](const auto& p) { return decided->count(p.idx) > 0; });
  const std::string want = all ? "CASE_DECIDED" : "CASE_REVIEWED";
  if (c->state == want) return absl::OkStatus();
  storage::EventInput event{
      "case.decide",
      "case",
      m.id,
      c->state.substr(5),
      want.substr(5),
      "persons decided=" + std::to_string(decided->size()) + "/" + std::to_string(persons->size())};
  c->state = want;
  if (absl::Status st = storage::UpdateCase(txn, *c); !st.ok()) return st;
  absl::StatusOr<int64_t> seq = txn.AppendEvent(event);
  return seq.ok() ? absl::OkStatus() : seq.status();
}

}  // namespace

absl::StatusOr<std::map<int64_t, DispositionRow>> ApprovedByPerson(storage::Db& db,
                                                                   const std::string& object_id) {
  absl::StatusOr<std::vector<DispositionRow>> rows = storage::DispositionsOf(db, object_id);
  if (!rows.ok()) return rows.status();
  std::map<int64_t, DispositionRow> out;
  for (DispositionRow& r : *rows) {
    if (StateOf(r) == v1::DISPOSITION_APPROVED) out[r.subject_idx] = std::move(r);
  }
  return out;
}

grpc::Status DispositionServiceImpl::RecordDisposition(grpc::ServerContext* ctx,
                                                       const v1::RecordDispositionRequest* req,
                                                       v1::DispositionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RecordDisposition"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<domain::DispositionDecision> decision =
      domain::ValidateRecordDisposition(*req, *deps_.measures, Today());
  if (!decision.ok()) return ToGrpcStatus(decision.status());

  const ServiceDeps deps = deps_;
  const Caller who = *caller;
  const v1::RecordDispositionRequest request = *req;
  const std::vector<std::string> measure_codes = decision->measure_codes;
  const std::string discipline_names = decision->disciplines;
  const std::string decided_day = FormatDate(decision->decided);
  return RunMutation(
      deps_, *caller, req->request_id(),
      [deps, who, request, measure_codes, discipline_names,
       decided_day](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        absl::StatusOr<Matter> m = LoadMatter(txn.db(), request.object_id());
        if (!m.ok()) return m.status();
        if (absl::Status st = CheckNeedToKnow(who, *m, request.object_id()); !st.ok()) return st;
        if (absl::Status st = CheckMatterState(*m, /*approve=*/false); !st.ok()) return st;
        int64_t person = request.subject_index();
        if (!request.subject_id_number().empty()) {
          absl::StatusOr<int64_t> found =
              dispositions::SubjectByIdNumber(txn.keyring(), *m, request.subject_id_number());
          if (!found.ok()) return found.status();
          person = *found;
        }
        absl::StatusOr<v1::Subject> subject = SubjectOf(txn.keyring(), *m, person);
        if (!subject.ok()) return subject.status();
        if (!m->filed_or_registered.empty() && decided_day < m->filed_or_registered) {
          return absl::InvalidArgumentError(
              "decided_date (--decided): must not be before " +
              std::string(m->is_case ? "the case was filed (" : "the lead was registered (") +
              m->filed_or_registered + ")");
        }
        absl::StatusOr<std::vector<DispositionRow>> existing =
            storage::DispositionsOf(txn.db(), m->id);
        if (!existing.ok()) return existing.status();
        for (const DispositionRow& e : *existing) {
          const v1::DispositionState s = StateOf(e);
          if (e.subject_idx == person &&
              (s == v1::DISPOSITION_PROPOSED || s == v1::DISPOSITION_APPROVED)) {
            return absl::FailedPreconditionError(
                "subject_index (--subject-id): person " + std::to_string(e.subject_idx) + " of " +
                m->id + " already has disposition " + e.id + " (" + ShortState(e.state) +
                "); an approved one changes only on appeal");
          }
        }
        const absl::CivilDay today = Today();
        absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "CZ", today.year());
        if (!number.ok()) return number.status();
        DispositionRow row;
        row.id = domain::FormatObjectId("CZ", today.year(), *number);
        row.state = StateName(v1::DISPOSITION_PROPOSED);
        row.object_id = m->id;
        row.subject_idx = person;
        row.unit = subject->unit();
        row.disciplines = discipline_names;
        row.decided_date = decided_day;
        if (absl::Status st =
                Derive(*deps.measures, measure_codes, request.probation_months(), row);
            !st.ok())
          return st;
        absl::StatusOr<std::string> reason =
            SealAt(txn.keyring(), KeyDomain::kContent, kTable, "reason", row.id, request.reason());
        if (!reason.ok()) return reason.status();
        row.reason = *reason;
        row.proposed_by = txn.actor().user_id;
        row.created_us = row.updated_us = txn.now_us();
        if (absl::Status st = storage::InsertDisposition(txn, row); !st.ok()) return st;
        if (absl::Status st = AddHistory(txn, row, "proposed", FormatDate(today), ""); !st.ok())
          return st;
        for (const std::string& digest : SubjectDigests(txn.keyring(), *subject)) {
          if (absl::Status st = storage::AddDispositionIndex(txn, digest, row.id); !st.ok())
            return st;
        }
        if (absl::Status st = storage::AddObjectLink(txn, m->id, row.id, "disposition"); !st.ok())
          return st;
        absl::StatusOr<int64_t> seq = txn.AppendEvent(
            {"disposition.propose", "disposition", row.id, "", "PROPOSED",
             "object=" + m->id + " person=" + std::to_string(row.subject_idx) +
                 " form=" + std::to_string(row.form) + " measures=" + row.measures});
        if (!seq.ok()) return seq.status();
        return ResponseFor(txn, deps, row.id);
      },
      resp);
}

grpc::Status DispositionServiceImpl::ApproveDisposition(grpc::ServerContext* ctx,
                                                        const v1::DispositionStepRequest* req,
                                                        v1::DispositionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ApproveDisposition"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckStep(req->request_id(), req->id(), req->expected_version());
  if (st.ok())
    st = domain::CheckText("reason", req->reason(), domain::kMaxReasonChars, false, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const Caller who = *caller;
  const std::string reason = req->reason();
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeDisposition(
          deps_, *caller, req->id(), req->expected_version(), "disposition.approve",
          [who, reason](storage::WriteTxn& txn, DispositionRow& r, const Matter& m,
                        storage::EventInput& event) -> absl::Status {
            if (StateOf(r) != v1::DISPOSITION_PROPOSED) {
              return absl::FailedPreconditionError("disposition " + r.id + " is " +
                                                   ShortState(r.state) +
                                                   "; only a proposed one is approved");
            }
            if (absl::Status st = NotTheProposer(who, r, "approve"); !st.ok()) return st;
            if (absl::Status st = CheckMatterState(m, /*approve=*/true); !st.ok()) return st;
            absl::StatusOr<std::string> conflict = RecusalConflict(txn, m.lead, who.user);
            if (!conflict.ok()) return conflict.status();
            if (!conflict->empty()) {
              return absl::FailedPreconditionError(who.user.user_id + " may not decide on " + m.id +
                                                   " (回避): " + *conflict);
            }
            r.state = StateName(v1::DISPOSITION_APPROVED);
            r.approved_by = who.user.user_id;
            event.reason = "object=" + m.id + " form=" + std::to_string(r.form) +
                           " proposed_by=" + r.proposed_by;
            if (absl::Status st = AddHistory(txn, r, "approved", FormatDate(Today()), reason);
                !st.ok())
              return st;
            return SyncCaseState(txn, m, r);
          }),
      resp);
}

grpc::Status DispositionServiceImpl::RejectDisposition(grpc::ServerContext* ctx,
                                                       const v1::DispositionStepRequest* req,
                                                       v1::DispositionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RejectDisposition"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckStep(req->request_id(), req->id(), req->expected_version());
  if (st.ok()) st = domain::CheckText("reason", req->reason(), domain::kMaxReasonChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const Caller who = *caller;
  const std::string reason = req->reason();
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeDisposition(deps_, *caller, req->id(), req->expected_version(), "disposition.reject",
                        [who, reason](storage::WriteTxn& txn, DispositionRow& r, const Matter& m,
                                      storage::EventInput& event) -> absl::Status {
                          if (StateOf(r) != v1::DISPOSITION_PROPOSED) {
                            return absl::FailedPreconditionError(
                                "disposition " + r.id + " is " + ShortState(r.state) +
                                "; only a proposed one is rejected");
                          }
                          if (absl::Status st = NotTheProposer(who, r, "reject"); !st.ok())
                            return st;
                          r.state = StateName(v1::DISPOSITION_REJECTED);
                          event.reason = "object=" + m.id + " proposed_by=" + r.proposed_by;
                          return AddHistory(txn, r, "rejected", FormatDate(Today()), reason);
                        }),
      resp);
}

grpc::Status DispositionServiceImpl::RecordExecution(grpc::ServerContext* ctx,
                                                     const v1::DispositionExecutionRequest* req,
                                                     v1::DispositionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RecordExecution"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  static const std::vector<std::string> kSteps = {"announced", "delivered", "filed"};
  absl::Status st = CheckStep(req->request_id(), req->id(), req->expected_version());
  auto step = std::find(kSteps.begin(), kSteps.end(), req->step());
  if (st.ok() && step == kSteps.end())
    st = absl::InvalidArgumentError("step: must be one of announced, delivered, filed");
  if (st.ok() && req->date().empty())
    st = absl::InvalidArgumentError("date: required (YYYY-MM-DD)");
  absl::StatusOr<absl::CivilDay> date = domain::DateNotInFuture("date", req->date(), Today());
  if (st.ok() && !date.ok()) st = date.status();
  if (!st.ok()) return ToGrpcStatus(st);
  const size_t index = static_cast<size_t>(step - kSteps.begin());
  const std::string name = req->step();
  const std::string day = FormatDate(*date);
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeDisposition(
          deps_, *caller, req->id(), req->expected_version(), "disposition.execute",
          [index, name, day](storage::WriteTxn& txn, DispositionRow& r, const Matter&,
                             storage::EventInput& event) -> absl::Status {
            if (StateOf(r) != v1::DISPOSITION_APPROVED) {
              return absl::FailedPreconditionError("disposition " + r.id + " is " +
                                                   ShortState(r.state) +
                                                   "; only an approved one is executed");
            }
            std::string* dates[] = {&r.announced_date, &r.delivered_date, &r.filed_date};
            if (!dates[index]->empty()) {
              return absl::FailedPreconditionError(name + " is already recorded (" + *dates[index] +
                                                   ")");
            }
            if (index > 0 && dates[index - 1]->empty()) {
              return absl::FailedPreconditionError(name + " comes after " + kSteps[index - 1]);
            }
            const std::string& floor = index > 0 ? *dates[index - 1] : r.decided_date;
            if (day < floor) {
              return absl::InvalidArgumentError("date: must not be before " +
                                                (index > 0 ? kSteps[index - 1] : "the decision") +
                                                " (" + floor + ")");
            }
            *dates[index] = day;
            event.reason = "step=" + name;
            return AddHistory(txn, r, name, day, "");
          }),
      resp);
}

grpc::Status DispositionServiceImpl::RegisterAppeal(grpc::ServerContext* ctx,
                                                    const v1::RegisterAppealRequest* req,
                                                    v1::DispositionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RegisterAppeal"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckStep(req->request_id(), req->id(), req->expected_version());
  if (st.ok()) st = domain::CheckObjectId("petition_id", "XF", req->petition_id());
  if (!st.ok()) return ToGrpcStatus(st);
  const std::string petition_id = req->petition_id();
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeDisposition(
          deps_, *caller, req->id(), req->expected_version(), "disposition.appeal",
          [petition_id](storage::WriteTxn& txn, DispositionRow& r, const Matter&,
                        storage::EventInput& event) -> absl::Status {
            if (StateOf(r) != v1::DISPOSITION_APPROVED) {
              return absl::FailedPreconditionError("disposition " + r.id + " is " +
                                                   ShortState(r.state) +
                                                   "; only an approved one is appealed");
            }
            if (!r.appeal_petition.empty() && r.appeal_outcome.empty()) {
              return absl::FailedPreconditionError("disposition " + r.id +
                                                   " already has an open appeal (" +
                                                   r.appeal_petition + ")");
            }
            absl::StatusOr<storage::PetitionRow> p = storage::GetPetition(txn.db(), petition_id);
            if (!p.ok()) return p.status();
            if (p->category != "CATEGORY_APPEAL") {
              return absl::FailedPreconditionError(
                  "petition_id: " + petition_id +
                  " is not an appeal (申诉); register the appeal as a petition of category appeal");
            }
            r.appeal_petition = petition_id;
            r.appeal_outcome.clear();
            event.reason = "petition=" + petition_id;
            if (absl::Status st = storage::AddObjectLink(txn, petition_id, r.id, "appeal_of");
                !st.ok())
              return st;
            return AddHistory(txn, r, "appeal", FormatDate(Today()), "");
          }),
      resp);
}

grpc::Status DispositionServiceImpl::DecideAppeal(grpc::ServerContext* ctx,
                                                  const v1::DecideAppealRequest* req,
                                                  v1::DispositionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("DecideAppeal"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckStep(req->request_id(), req->id(), req->expected_version());
  if (st.ok() && (req->outcome() == v1::APPEAL_OUTCOME_UNSPECIFIED ||
                  !v1::AppealOutcome_IsValid(req->outcome())))
    st = absl::InvalidArgumentError("outcome: must be one of upheld, changed, revoked");
  if (st.ok() && req->outcome() != v1::APPEAL_CHANGED &&
      (!req->measures().empty() || req->probation_months() != 0))
    st = absl::InvalidArgumentError("measure: only a changed outcome takes new measures");
  std::vector<std::string> codes;
  if (st.ok() && req->outcome() == v1::APPEAL_CHANGED) {
    absl::StatusOr<std::vector<std::string>> c = domain::CheckMeasureList(req->measures());
    if (!c.ok())
      st = c.status();
    else
      codes = *c;
  }
  absl::StatusOr<absl::CivilDay> date = domain::DateNotInFuture("date", req->date(), Today());
  if (st.ok() && !date.ok()) st = date.status();
  if (st.ok()) st = domain::CheckText("reason", req->reason(), domain::kMaxReasonChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const ServiceDeps deps = deps_;
  const v1::DecideAppealRequest request = *req;
  const std::string day = FormatDate(*date);
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangeDisposition(
          deps_, *caller, req->id(), req->expected_version(), "disposition.appeal_decided",
          [deps, request, codes, day](storage::WriteTxn& txn, DispositionRow& r, const Matter& m,
                                      storage::EventInput& event) -> absl::Status {
            if (r.appeal_petition.empty() || !r.appeal_outcome.empty()) {
              return absl::FailedPreconditionError("disposition " + r.id +
                                                   " has no open appeal; register one first");
            }
            if (day < r.decided_date) {
              return absl::InvalidArgumentError("date: must not be before the decision (" +
                                                r.decided_date + ")");
            }
            const std::string before = r.measures;
            std::string kind;
            switch (request.outcome()) {
              case v1::APPEAL_UPHELD:
                kind = "appeal_upheld";
                break;
              case v1::APPEAL_CHANGED: {
                kind = "appeal_changed";
                if (absl::Status st = domain::CheckCombination(*deps.measures, codes, m.is_case,
                                                               request.probation_months());
                    !st.ok())
                  return absl::Status(st.code(), absl::StrCat("measure: ", st.message()));
                // The period still runs from the original decision date (the change replaces
                // the measures, not the day they were imposed).
                if (absl::Status st = Derive(*deps.measures, codes, request.probation_months(), r);
                    !st.ok())
                  return st;
                break;
              }
              case v1::APPEAL_REVOKED:
                kind = "appeal_revoked";
                r.state = StateName(v1::DISPOSITION_REVOKED);
                break;
              default:
                return absl::InvalidArgumentError("outcome: unknown");
            }
            r.appeal_outcome = v1::AppealOutcome_Name(request.outcome());
            event.reason = "petition=" + r.appeal_petition + " outcome=" + kind.substr(7) +
                           " measures_before=" + before + " measures_after=" + r.measures;
            if (absl::Status st = AddHistory(txn, r, kind, day, request.reason()); !st.ok())
              return st;
            return SyncCaseState(txn, m, r);
          }),
      resp);
}

grpc::Status DispositionServiceImpl::GetDisposition(grpc::ServerContext* ctx,
                                                    const v1::GetDispositionRequest* req,
                                                    v1::DispositionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GetDisposition"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = domain::CheckObjectId("id", "CZ", req->id()); !st.ok())
    return ToGrpcStatus(st);
  const ServiceDeps deps = deps_;
  const Caller who = *caller;
  const std::string id = req->id();
  absl::StatusOr<v1::Disposition> d =
      deps_.store->Read<v1::Disposition>([&](storage::Db& db) -> absl::StatusOr<v1::Disposition> {
        absl::StatusOr<DispositionRow> row = storage::GetDisposition(db, id);
        if (!row.ok()) return row.status();
        absl::StatusOr<Matter> m = LoadMatter(db, row->object_id);
        if (!m.ok()) return m.status();
        if (absl::Status st = CheckNeedToKnow(who, *m, "disposition " + id); !st.ok()) return st;
        return ToProto(db, deps.store->keyring(), *deps.measures, *row, *m);
      });
  if (!d.ok()) return ToGrpcStatus(d.status());
  *resp->mutable_disposition() = *std::move(d);
  return grpc::Status::OK;
}

grpc::Status DispositionServiceImpl::ListDispositions(grpc::ServerContext* ctx,
                                                      const v1::ListDispositionsRequest* req,
                                                      v1::ListDispositionsResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ListDispositions"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st;
  if (!req->object_id().empty()) {
    const bool is_case = req->object_id().rfind("LA-", 0) == 0;
    st = domain::CheckObjectId("object_id", is_case ? "LA" : "XS", req->object_id());
  }
  if (st.ok() && !v1::DispositionState_IsValid(req->state()))
    st = absl::InvalidArgumentError("state: unknown");
  if (st.ok() && (req->form() < 0 || req->form() > 4))
    st = absl::InvalidArgumentError("form: must be 1, 2, 3 or 4");
  if (st.ok() &&
      (req->ending_within_days() < 0 || req->ending_within_days() > kMaxEndingWithinDays))
    st = absl::InvalidArgumentError("ending_within: must be from 1 to " +
                                    std::to_string(kMaxEndingWithinDays) + " days");
  if (st.ok() && (req->page_size() < 0 || req->page_size() > kMaxPageSize))
    st = absl::InvalidArgumentError("page_size: must be from 1 to " + std::to_string(kMaxPageSize));
  if (st.ok() && !req->page_token().empty())
    st = domain::CheckObjectId("page_token", "CZ", req->page_token());
  if (!st.ok()) return ToGrpcStatus(st);
  const absl::CivilDay today = Today();
  storage::DispositionFilter f;
  f.object_id = req->object_id();
  if (req->state() != v1::DISPOSITION_STATE_UNSPECIFIED) f.state = StateName(req->state());
  f.form = req->form();
  f.in_period = req->in_period();
  f.today = FormatDate(today);
  if (req->ending_within_days() > 0) f.ending_by = FormatDate(today + req->ending_within_days());
  f.after_id = req->page_token();
  f.limit = req->page_size() > 0 ? req->page_size() : kDefaultPageSize;
  const Caller who = *caller;
  absl::StatusOr<v1::ListDispositionsResponse> out =
      deps_.store->Read<v1::ListDispositionsResponse>(
          [&](storage::Db& db) -> absl::StatusOr<v1::ListDispositionsResponse> {
            v1::ListDispositionsResponse list;
            std::map<std::string, bool> visible;  // need to know, per matter
            storage::DispositionFilter page = f;
            // An inspector's filtered page may come up short: keep reading until it is full
            // or the rows run out, so paging never skips what they may see.
            while (true) {
              absl::StatusOr<std::vector<DispositionRow>> rows =
                  storage::ListDispositions(db, page);
              if (!rows.ok()) return rows.status();
              for (const DispositionRow& r : *rows) {
                auto it = visible.find(r.object_id);
                if (it == visible.end()) {
                  absl::StatusOr<Matter> m = LoadMatter(db, r.object_id);
                  if (!m.ok()) return m.status();
                  it = visible.emplace(r.object_id, CheckNeedToKnow(who, *m, r.object_id).ok())
                           .first;
                }
                if (!it->second) continue;
                v1::DispositionListItem* item = list.add_dispositions();
                item->set_id(r.id);
                item->set_state(StateOf(r));
                item->set_object_id(r.object_id);
                item->set_subject_index(static_cast<int32_t>(r.subject_idx));
                item->set_unit(r.unit);
                item->set_form(static_cast<int32_t>(r.form));
                for (const std::string& c : SplitCodes(r.measures)) item->add_measures(c);
                item->set_decided_date(r.decided_date);
                item->set_period_end(r.period_end);
                item->set_permanent(r.permanent);
                if (list.dispositions_size() == f.limit) break;
              }
              if (list.dispositions_size() == f.limit) {
                list.set_next_page_token(list.dispositions(f.limit - 1).id());
                break;
              }
              if (static_cast<int>(rows->size()) < page.limit) break;
              page.after_id = rows->back().id;
            }
            return list;
          });
  if (!out.ok()) return ToGrpcStatus(out.status());
  *resp = *std::move(out);
  return grpc::Status::OK;
}

grpc::Status DispositionServiceImpl::ListMeasures(grpc::ServerContext* ctx,
                                                  const v1::ListMeasuresRequest*,
                                                  v1::ListMeasuresResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ListMeasures"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  for (const domain::Measure& m : deps_.measures->measures()) {
    v1::ListMeasuresResponse::Row* row = resp->add_measures();
    row->set_code(m.code);
    row->set_name_zh(m.name_zh);
    row->set_name_en(m.name_en);
    row->set_form(m.form);
    row->set_kind(std::string(domain::MeasureKindName(m.kind)));
    row->set_period_months(m.period_months);
    row->set_permanent(m.permanent);
    for (int p : m.probation_months) row->add_probation_months(p);
  }
  return grpc::Status::OK;
}

}  // namespace jijian::server
