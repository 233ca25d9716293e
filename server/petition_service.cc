#include "server/petition_service.h"

#include "server/identity_service.h"

#include <algorithm>
#include <memory>
#include <tuple>

#include "absl/strings/str_join.h"
#include "server/domain/calendar.h"
#include "server/domain/id_number.h"
#include "server/domain/petition_rules.h"
#include "server/domain/petition_validate.h"
#include "server/domain/validate.h"
#include "server/petition_codec.h"
#include "storage/receipt.h"

namespace jijian::server {
namespace {

using domain::FormatDate;
using domain::PetitionAction;
using storage::KeyDomain;

constexpr char kService[] = "/jijian.v1.PetitionService/";
constexpr char kTable[] = "petitions";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

std::string Rpc(const char* method) { return std::string(kService) + method; }

// Everything about one petition, read inside a transaction or a read snapshot.
struct PetitionRecord {
  storage::PetitionRow row;
  std::vector<storage::SubjectRow> subjects;
  std::vector<storage::MessageRow> messages;
  std::vector<storage::DeadlineRow> deadlines;
};

absl::StatusOr<PetitionRecord> LoadRecord(storage::Db& db, const std::string& id) {
  PetitionRecord r;
  absl::StatusOr<storage::PetitionRow> row = storage::GetPetition(db, id);
  if (!row.ok()) return row.status();
  r.row = *std::move(row);
  absl::StatusOr<std::vector<storage::SubjectRow>> subjects = storage::GetSubjects(db, id);
  if (!subjects.ok()) return subjects.status();
  r.subjects = *std::move(subjects);
  absl::StatusOr<std::vector<storage::MessageRow>> messages = storage::GetMessages(db, id);
  if (!messages.ok()) return messages.status();
  r.messages = *std::move(messages);
  absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines = storage::GetDeadlines(db, id);
  if (!deadlines.ok()) return deadlines.status();
  r.deadlines = *std::move(deadlines);
  return r;
}

bool DeadlineMet(const PetitionRecord& r, std::string_view name) {
  for (const auto& d : r.deadlines) {
    if (d.name == name) return !d.met_date.empty();
  }
  return false;
}

// Sets deadline name to n working days after start.
absl::Status AddDeadline(storage::WriteTxn& txn, const domain::WorkCalendar& calendar,
                         const std::string& id, const std::string& name, absl::CivilDay start,
                         int n, const std::string& met_date = "") {
  domain::WorkCalendar::Deadline due = calendar.AddWorkingDays(start, n);
  return storage::SetDeadline(txn, {id, name, FormatDate(due.due), due.provisional, met_date});
}

// The body of a mutation on an existing petition: loads it, checks the version and the
// state machine, lets change modify it, writes it back with its event.
using ChangeFn = std::function<absl::Status(storage::WriteTxn&, PetitionRecord&,
                                            v1::PetitionState next, storage::EventInput&)>;

storage::MutationFn ChangePetition(const ServiceDeps& deps, std::string id, int64_t expected,
                                   PetitionAction action, std::string event_action,
                                   ChangeFn change) {
  return [deps, id, expected, action, event_action,
          change](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
    if (absl::Status st = txn.CheckVersion(kTable, "id", id, expected); !st.ok()) return st;
    absl::StatusOr<PetitionRecord> record = LoadRecord(txn.db(), id);
    if (!record.ok()) return record.status();
    const v1::PetitionState from = PetitionStateOf(record->row);
    absl::StatusOr<v1::PetitionState> next = domain::NextPetitionState(id, from, action);
    if (!next.ok()) return next.status();
    storage::EventInput event{event_action,
                              "petition",
                              id,
                              std::string(domain::PetitionStateName(from)),
                              std::string(domain::PetitionStateName(*next)),
                              ""};
    if (absl::Status st = change(txn, *record, *next, event); !st.ok()) return st;
    record->row.state = v1::PetitionState_Name(*next);
    if (absl::Status st = storage::UpdatePetition(txn, record->row); !st.ok()) return st;
    if (absl::StatusOr<int64_t> seq = txn.AppendEvent(event); !seq.ok()) return seq.status();
    absl::StatusOr<PetitionRecord> after = LoadRecord(txn.db(), id);
    if (!after.ok()) return after.status();
    absl::StatusOr<v1::Petition> proto = PetitionToProto(
        txn.keyring(), after->row, after->subjects, after->messages, after->deadlines,
        *deps.calendar, Today(), PetitionView{.content = true, .identity = false});
    if (!proto.ok()) return proto.status();
    v1::PetitionResponse out;
    *out.mutable_petition() = *std::move(proto);
    return Serialized(out);
  };
}

// Checks the fields shared by notice, result, close and feedback requests.
absl::Status CheckChange(const std::string& request_id, const std::string& id, int64_t version) {
  if (absl::Status st = domain::CheckRequestId(request_id); !st.ok()) return st;
  if (absl::Status st = domain::CheckObjectId("id", "XF", id); !st.ok()) return st;
  if (version < 1) {
    return absl::InvalidArgumentError(
        "expected_version: required, the version you last read (>= 1)");
  }
  return absl::OkStatus();
}

// A date of an act that happened: not in the future, not before the petition arrived.
absl::StatusOr<std::string> ActDate(std::string_view field, const std::string& text,
                                    const storage::PetitionRow& row) {
  absl::StatusOr<absl::CivilDay> day = domain::DateNotInFuture(field, text, Today());
  if (!day.ok()) return day.status();
  if (FormatDate(*day) < row.received_date) {
    return absl::InvalidArgumentError(std::string(field) +
                                      ": must not be before the petition was received (" +
                                      row.received_date + ")");
  }
  return FormatDate(*day);
}

// A petition as the API shows it, with the other petitions about the same persons.
absl::StatusOr<v1::Petition> ReadPetition(storage::Db& db, const ServiceDeps& deps,
                                          const std::string& id, const PetitionView& view) {
  absl::StatusOr<PetitionRecord> r = LoadRecord(db, id);
  if (!r.ok()) return r.status();
  absl::StatusOr<v1::Petition> p =
      PetitionToProto(deps.store->keyring(), r->row, r->subjects, r->messages, r->deadlines,
                      *deps.calendar, Today(), view);
  if (!p.ok()) return p.status();
  absl::StatusOr<std::vector<std::string>> related = RelatedByPerson(db, deps.store->keyring(), id);
  if (!related.ok()) return related.status();
  for (const std::string& other : *related) {
    if (other.rfind("XF-", 0) == 0) p->add_possible_duplicates(other);
  }
  return p;
}

}  // namespace

grpc::Status PetitionServiceImpl::RegisterPetition(grpc::ServerContext* ctx,
                                                   const v1::RegisterPetitionRequest* req,
                                                   v1::RegisterPetitionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RegisterPetition"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return RegisterPetitionAs(deps_, caller->actor(), *req, resp);
}

// What a registration answers: the petition without its full text, which the registrar
// has just sent (its summary is shown).
constexpr PetitionView kRegisteredView{.content = true, .identity = false, .full_text = false};

grpc::Status RegisterPetitionAs(const ServiceDeps& deps, const storage::Actor& actor,
                                const v1::RegisterPetitionRequest& req,
                                v1::RegisterPetitionResponse* resp) {
  const absl::CivilDay today = Today();
  if (absl::Status st = domain::ValidateRegister(req, today); !st.ok()) return ToGrpcStatus(st);
  const absl::CivilDay received =
      *domain::DateNotInFuture("received_date", req.received_date(), today);
  absl::StatusOr<std::string> receipt = storage::GenerateReceiptCode();
  if (!receipt.ok()) return ToGrpcStatus(receipt.status());
  v1::RegisterPetitionRequest request = req;
  if (!request.anonymous()) {
    request.mutable_reporter()->set_id_number(
        domain::NormalizeIdNumber(request.reporter().id_number()));
  }
  for (v1::Subject& s : *request.mutable_subjects()) {
    if (!s.id_number().empty()) s.set_id_number(domain::NormalizeIdNumber(s.id_number()));
  }
  const std::string code = *receipt;
  auto first = std::make_shared<v1::RegisterPetitionResponse>();
  grpc::Status st = RunMutation(
      deps, actor, req.request_id(),
      [deps, request, received, code, first](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        const storage::Keyring& keys = txn.keyring();
        absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "XF", received.year());
        if (!number.ok()) return number.status();
        const std::string id = domain::FormatObjectId("XF", received.year(), *number);
        storage::PetitionRow row;
        row.id = id;
        row.state = v1::PetitionState_Name(v1::PETITION_REGISTERED);
        row.channel = v1::Channel_Name(request.channel());
        row.category = v1::Category_Name(request.category());
        row.received_date = FormatDate(received);
        row.anonymous = request.anonymous();
        std::vector<std::string> disciplines;
        for (int d : request.disciplines()) {
          disciplines.push_back(v1::Discipline_Name(static_cast<v1::Discipline>(d)));
        }
        row.disciplines = absl::StrJoin(disciplines, ",");
        absl::StatusOr<std::string> sealed;
        if (!request.anonymous()) {
          sealed = SealAt(keys, KeyDomain::kIdentity, kTable, "reporter", id,
                          request.reporter().SerializeAsString());
          if (!sealed.ok()) return sealed.status();
          row.reporter = *sealed;
        }
        if (!(sealed = SealAt(keys, KeyDomain::kContent, kTable, "summary", id, request.summary()))
                 .ok()) {
          return sealed.status();
        }
        row.summary = *sealed;
        if (!(sealed = SealAt(keys, KeyDomain::kContent, kTable, "content", id, request.content()))
                 .ok()) {
          return sealed.status();
        }
        row.content = *sealed;
        row.receipt_digest = storage::ReceiptDigest(keys, *storage::NormalizeReceiptCode(code));
        row.registered_by = txn.actor().user_id;
        row.created_us = row.updated_us = txn.now_us();
        if (absl::Status st = storage::InsertPetition(txn, row); !st.ok()) return st;

        std::vector<storage::SubjectRow> subjects;
        for (int i = 0; i < request.subjects_size(); ++i) {
          const v1::Subject& s = request.subjects(i);
          absl::StatusOr<std::string> subject =
              SealAt(keys, KeyDomain::kIdentity, "petition_subjects", "subject",
                     ChildRowId(id, i + 1), s.SerializeAsString());
          if (!subject.ok()) return subject.status();
          subjects.push_back({id, i + 1, *subject, s.unit(), s.rank(), SubjectFlags(s)});
          if (absl::Status st = storage::InsertSubject(txn, subjects.back()); !st.ok()) return st;
          for (const std::string& digest : SubjectDigests(keys, s)) {
            if (absl::Status st = storage::AddPersonIndex(txn, digest, id); !st.ok()) return st;
          }
        }
        const domain::PetitionDeadlineRules rules;
        std::vector<storage::DeadlineRow> deadlines;
        for (auto [name, days] : {std::pair<const char*, int>{"proposal", rules.proposal_working_days},
                                  {"acceptance_notice", rules.notice_working_days}}) {
          if (request.anonymous() && std::string_view(name) == "acceptance_notice") continue;
          const domain::WorkCalendar::Deadline due = deps.calendar->AddWorkingDays(received, days);
          deadlines.push_back({id, name, FormatDate(due.due), due.provisional, ""});
          if (absl::Status st = storage::SetDeadline(txn, deadlines.back()); !st.ok()) return st;
        }
        absl::StatusOr<int64_t> seq =
            txn.AppendEvent({"petition.register", "petition", id, "", "REGISTERED",
                             "channel=" + row.channel + " category=" + row.category +
                                 (request.anonymous() ? " anonymous" : " real-name")});
        if (!seq.ok()) return seq.status();

        // The first caller's answer is built here from what was just written, without
        // reading it back. The stored result (kept for a retry) is only the id and the
        // receipt code: a retry reads the petition afterwards, as it is then.
        std::sort(deadlines.begin(), deadlines.end(), [](const auto& a, const auto& b) {
          return std::tie(a.due_date, a.name) < std::tie(b.due_date, b.name);
        });
        absl::StatusOr<v1::Petition> proto =
            PetitionToProto(keys, row, subjects, {}, deadlines, *deps.calendar, Today(),
                            kRegisteredView);
        if (!proto.ok()) return proto.status();
        absl::StatusOr<std::vector<std::string>> related = RelatedByPerson(txn.db(), keys, id);
        if (!related.ok()) return related.status();
        for (const std::string& other : *related) {
          if (other.rfind("XF-", 0) == 0) proto->add_possible_duplicates(other);
        }
        *first->mutable_petition() = *std::move(proto);
        first->set_receipt_code(code);
        v1::RegisterPetitionResponse stored;
        stored.mutable_petition()->set_id(id);
        stored.set_receipt_code(code);
        return Serialized(stored);
      },
      resp);
  if (!st.ok()) return st;
  if (first->has_petition()) {  // this call ran the registration
    *resp = std::move(*first);  // moved, not copied: both live on the heap
    return grpc::Status::OK;
  }
  // A retry of a registration already stored: its id and receipt code, the petition now.
  const std::string id = resp->petition().id();
  absl::StatusOr<v1::Petition> petition =
      deps.store->Read<v1::Petition>([&](storage::Db& db) -> absl::StatusOr<v1::Petition> {
        return ReadPetition(db, deps, id, kRegisteredView);
      });
  if (!petition.ok()) return ToGrpcStatus(petition.status());
  *resp->mutable_petition() = *std::move(petition);
  return grpc::Status::OK;
}

grpc::Status PetitionServiceImpl::GetPetition(grpc::ServerContext* ctx,
                                              const v1::GetPetitionRequest* req,
                                              v1::GetPetitionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GetPetition"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = domain::CheckObjectId("id", "XF", req->id()); !st.ok()) {
    return ToGrpcStatus(st);
  }
  const std::string id = req->id();
  if (req->reveal_identity()) {
    // The identity opens only under an approved unseal request of this caller (dual
    // control), and each view is an audit event written before the read.
    const std::string user = caller->user.user_id;
    absl::StatusOr<std::string> logged = deps_.store->Apply(
        caller->actor(), "", [id, user](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
          if (absl::Status st = RecordIdentityView(txn, id, user); !st.ok()) return st;
          return std::string();
        });
    if (!logged.ok()) return ToGrpcStatus(logged.status());
  }
  const PetitionView view{.content = true, .identity = req->reveal_identity()};
  absl::StatusOr<v1::Petition> petition =
      deps_.store->Read<v1::Petition>([&](storage::Db& db) -> absl::StatusOr<v1::Petition> {
        return ReadPetition(db, deps_, id, view);
      });
  if (!petition.ok()) return ToGrpcStatus(petition.status());
  *resp->mutable_petition() = *std::move(petition);
  return grpc::Status::OK;
}

grpc::Status PetitionServiceImpl::ListPetitions(grpc::ServerContext* ctx,
                                                const v1::ListPetitionsRequest* req,
                                                v1::ListPetitionsResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ListPetitions"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const absl::CivilDay today = Today();
  storage::PetitionFilter f;
  absl::Status st;
  if (req->state() != v1::PETITION_STATE_UNSPECIFIED) {
    if (!v1::PetitionState_IsValid(req->state()))
      st = absl::InvalidArgumentError("state: unknown value");
    f.state = v1::PetitionState_Name(req->state());
  }
  if (req->channel() != v1::CHANNEL_UNSPECIFIED) {
    if (!v1::Channel_IsValid(req->channel()))
      st = absl::InvalidArgumentError("channel: unknown value");
    f.channel = v1::Channel_Name(req->channel());
  }
  if (req->category() != v1::CATEGORY_UNSPECIFIED) {
    if (!v1::Category_IsValid(req->category()))
      st = absl::InvalidArgumentError("category: unknown value");
    f.category = v1::Category_Name(req->category());
  }
  for (auto [field, text, out] : {std::tuple<const char*, const std::string*, std::string*>{
                                      "received_from", &req->received_from(), &f.received_from},
                                  {"received_to", &req->received_to(), &f.received_to}}) {
    if (st.ok() && !text->empty()) {
      absl::StatusOr<absl::CivilDay> d = domain::ParseDate(field, *text);
      if (!d.ok())
        st = d.status();
      else
        *out = FormatDate(*d);
    }
  }
  if (st.ok())
    st = domain::CheckText("subject_unit", req->subject_unit(), domain::kMaxUnitChars, false);
  if (st.ok() && (req->page_size() < 0 || req->page_size() > kMaxPageSize)) {
    st = absl::InvalidArgumentError("page_size: from 1 to 500 (0 for the default of 50)");
  }
  if (st.ok() && !req->page_token().empty())
    st = domain::CheckObjectId("page_token", "XF", req->page_token());
  if (!st.ok()) return ToGrpcStatus(st);
  f.subject_unit = req->subject_unit();
  f.overdue = req->overdue();
  f.today = FormatDate(today);
  f.after_id = req->page_token();
  f.limit = req->page_size() == 0 ? kDefaultPageSize : req->page_size();

  absl::StatusOr<v1::ListPetitionsResponse> out = deps_.store->Read<v1::ListPetitionsResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::ListPetitionsResponse> {
        absl::StatusOr<std::vector<storage::PetitionRow>> rows = storage::ListPetitions(db, f);
        if (!rows.ok()) return rows.status();
        v1::ListPetitionsResponse list;
        for (const storage::PetitionRow& row : *rows) {
          absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines =
              storage::GetDeadlines(db, row.id);
          if (!deadlines.ok()) return deadlines.status();
          absl::StatusOr<v1::PetitionListItem> item = PetitionListItemFromRow(
              deps_.store->keyring(), row, *deadlines, *deps_.calendar, today);
          if (!item.ok()) return item.status();
          *list.add_petitions() = *std::move(item);
        }
        if (static_cast<int>(rows->size()) == f.limit) list.set_next_page_token(rows->back().id);
        return list;
      });
  if (!out.ok()) return ToGrpcStatus(out.status());
  *resp = *std::move(out);
  return grpc::Status::OK;
}

grpc::Status PetitionServiceImpl::DecidePetition(grpc::ServerContext* ctx,
                                                 const v1::DecidePetitionRequest* req,
                                                 v1::PetitionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("DecidePetition"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const absl::CivilDay today = Today();
  if (absl::Status st = domain::ValidateDecide(*req, today); !st.ok()) return ToGrpcStatus(st);
  const PetitionAction action = *domain::ActionForMode(req->mode());
  const v1::DecidePetitionRequest request = *req;
  const ServiceDeps deps = deps_;
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangePetition(
          deps_, req->id(), req->expected_version(), action, "petition.decide",
          [deps, request, action, today](storage::WriteTxn& txn, PetitionRecord& r,
                                         v1::PetitionState next,
                                         storage::EventInput& event) -> absl::Status {
            const std::string id = r.row.id;
            const std::string date = FormatDate(today);
            const domain::PetitionDeadlineRules rules;
            const absl::CivilDay received =
                *domain::ParseDate("received_date", r.row.received_date);
            // Jurisdiction: some petitions may only be escalated.
            google::protobuf::RepeatedPtrField<v1::Subject> plain_subjects;
            for (const auto& s : r.subjects) {
              v1::Subject* p = plain_subjects.Add();
              p->set_rank(s.rank);
              p->set_commission_head(HasFlag(s.flags, "commission_head"));
            }
            const std::string must_escalate = domain::EscalationRequiredBecause(
                plain_subjects, deps.config->jurisdiction_max_rank);
            const bool handled_here = action == PetitionAction::kAccept ||
                                      action == PetitionAction::kTransferDown ||
                                      action == PetitionAction::kAssignDown;
            if (!must_escalate.empty() && handled_here) {
              return absl::FailedPreconditionError("petition " + id + " must be escalated: " +
                                                   must_escalate + "; allowed: escalate");
            }
            absl::StatusOr<std::string> reason = SealAt(txn.keyring(), KeyDomain::kContent, kTable,
                                                        "decision_reason", id, request.reason());
            if (!reason.ok()) return reason.status();
            r.row.decision_mode = v1::HandlingMode_Name(request.mode());
            r.row.decision_reason = *reason;
            r.row.decision_to = request.to_body();
            r.row.decision_due = request.due_date();
            r.row.decided_by = txn.actor().user_id;
            r.row.decided_date = date;
            event.reason = "mode=" + std::string(domain::PetitionActionName(action));
            if (!request.to_body().empty()) event.reason += " to=" + request.to_body();
            if (absl::Status st = storage::MeetDeadline(txn, id, "proposal", date); !st.ok())
              return st;

            switch (action) {
              case PetitionAction::kEscalate:
                if (absl::Status st = AddDeadline(txn, *deps.calendar, id, "escalation", received,
                                                  rules.escalation_working_days, date);
                    !st.ok()) {
                  return st;
                }
                break;
              case PetitionAction::kTransferDown:
                if (absl::Status st = AddDeadline(txn, *deps.calendar, id, "transfer", received,
                                                  rules.transfer_working_days, date);
                    !st.ok()) {
                  return st;
                }
                break;
              case PetitionAction::kAssignDown:
                if (absl::Status st = storage::SetDeadline(
                        txn, {id, "result_report", request.due_date(), false, ""});
                    !st.ok()) {
                  return st;
                }
                break;
              case PetitionAction::kArchive:
                r.row.closed_date = date;
                if (!r.row.anonymous) {
                  if (absl::Status st = AddDeadline(txn, *deps.calendar, id, "result_feedback",
                                                    today, rules.feedback_working_days);
                      !st.ok()) {
                    return st;
                  }
                }
                break;
              case PetitionAction::kDuplicate: {
                absl::StatusOr<storage::PetitionRow> original =
                    storage::GetPetition(txn.db(), request.duplicate_of());
                if (!original.ok()) return original.status();
                if (original->state == v1::PetitionState_Name(v1::PETITION_DUPLICATE)) {
                  return absl::FailedPreconditionError(
                      "duplicate_of: " + original->id + " is itself a duplicate of " +
                      original->duplicate_of + "; link to the original");
                }
                if (original->id > id) {
                  return absl::FailedPreconditionError("duplicate_of: " + original->id +
                                                       " was registered after " + id);
                }
                const std::string original_state = PetitionStateText(original->state);
                original->duplicate_count += 1;
                if (absl::Status st = storage::UpdatePetition(txn, *original); !st.ok()) return st;
                absl::StatusOr<int64_t> seq =
                    txn.AppendEvent({"petition.duplicate_linked", "petition", original->id,
                                     original_state, original_state, "duplicate=" + id});
                if (!seq.ok()) return seq.status();
                if (absl::Status st = storage::AddObjectLink(txn, id, original->id, "duplicate_of");
                    !st.ok()) {
                  return st;
                }
                r.row.duplicate_of = original->id;
                r.row.closed_date = date;
                event.reason += " duplicate_of=" + original->id;
                // A duplicate gets no new acceptance notice (登记后留存备查).
                if (absl::Status st = storage::DropDeadline(txn, id, "acceptance_notice");
                    !st.ok()) {
                  return st;
                }
                break;
              }
              default:
                break;
            }
            (void)next;
            return absl::OkStatus();
          }),
      resp);
}

grpc::Status PetitionServiceImpl::NotifyReporter(grpc::ServerContext* ctx,
                                                 const v1::NotifyReporterRequest* req,
                                                 v1::PetitionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("NotifyReporter"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok()) st = domain::CheckMeans("means", req->means());
  if (st.ok()) st = domain::CheckText("text", req->text(), domain::kMaxMessageChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const v1::NotifyReporterRequest request = *req;
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangePetition(
          deps_, req->id(), req->expected_version(), PetitionAction::kNotify, "petition.notify",
          [request](storage::WriteTxn& txn, PetitionRecord& r, v1::PetitionState,
                    storage::EventInput& event) -> absl::Status {
            absl::StatusOr<std::string> date = ActDate("date", request.date(), r.row);
            if (!date.ok()) return date.status();
            for (const auto& m : r.messages) {
              if (m.kind == "acceptance_notice") {
                return absl::FailedPreconditionError(
                    "petition " + r.row.id + " already has its acceptance notice (" + m.date + ")");
              }
            }
            if (r.row.anonymous && request.means() != "receipt") {
              return absl::InvalidArgumentError(
                  "means: an anonymous reporter can only be answered through the "
                  "receipt code (means=receipt)");
            }
            event.reason = "means=" + request.means();
            if (absl::Status st = storage::MeetDeadline(txn, r.row.id, "acceptance_notice", *date);
                !st.ok()) {
              return st;
            }
            return AddSealedPetitionMessage(txn, r.row.id, "acceptance_notice", *date,
                                            request.means(), request.text());
          }),
      resp);
}

grpc::Status PetitionServiceImpl::RecordResult(grpc::ServerContext* ctx,
                                               const v1::RecordResultRequest* req,
                                               v1::PetitionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RecordResult"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok()) st = domain::CheckText("text", req->text(), domain::kMaxMessageChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const v1::RecordResultRequest request = *req;
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangePetition(deps_, req->id(), req->expected_version(), PetitionAction::kRecordResult,
                     "petition.record_result",
                     [request](storage::WriteTxn& txn, PetitionRecord& r, v1::PetitionState,
                               storage::EventInput&) -> absl::Status {
                       absl::StatusOr<std::string> date = ActDate("date", request.date(), r.row);
                       if (!date.ok()) return date.status();
                       if (DeadlineMet(r, "result_report")) {
                         return absl::FailedPreconditionError("petition " + r.row.id +
                                                              " already has its result report");
                       }
                       if (absl::Status st =
                               storage::MeetDeadline(txn, r.row.id, "result_report", *date);
                           !st.ok()) {
                         return st;
                       }
                       return AddSealedPetitionMessage(txn, r.row.id, "result_report", *date, "",
                                                       request.text());
                     }),
      resp);
}

grpc::Status PetitionServiceImpl::ClosePetition(grpc::ServerContext* ctx,
                                                const v1::ClosePetitionRequest* req,
                                                v1::PetitionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ClosePetition"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok())
    st = domain::CheckText("conclusion", req->conclusion(), domain::kMaxMessageChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const v1::ClosePetitionRequest request = *req;
  const ServiceDeps deps = deps_;
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangePetition(
          deps_, req->id(), req->expected_version(), PetitionAction::kClose, "petition.close",
          [deps, request](storage::WriteTxn& txn, PetitionRecord& r, v1::PetitionState,
                          storage::EventInput&) -> absl::Status {
            absl::StatusOr<std::string> date = ActDate("date", request.date(), r.row);
            if (!date.ok()) return date.status();
            if (PetitionStateOf(r.row) == v1::PETITION_ASSIGNED_DOWN &&
                !DeadlineMet(r, "result_report")) {
              return absl::FailedPreconditionError(
                  "petition " + r.row.id +
                  " is ASSIGNED_DOWN and its result report has not been recorded; allowed: "
                  "record-result");
            }
            absl::StatusOr<std::string> conclusion =
                SealAt(txn.keyring(), KeyDomain::kContent, kTable, "conclusion", r.row.id,
                       request.conclusion());
            if (!conclusion.ok()) return conclusion.status();
            r.row.conclusion = *conclusion;
            r.row.closed_date = *date;
            if (!r.row.anonymous) {
              return AddDeadline(txn, *deps.calendar, r.row.id, "result_feedback",
                                 *domain::ParseDate("date", *date),
                                 domain::PetitionDeadlineRules().feedback_working_days);
            }
            return absl::OkStatus();
          }),
      resp);
}

grpc::Status PetitionServiceImpl::GiveFeedback(grpc::ServerContext* ctx,
                                               const v1::GiveFeedbackRequest* req,
                                               v1::PetitionResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GiveFeedback"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = CheckChange(req->request_id(), req->id(), req->expected_version());
  if (st.ok()) st = domain::CheckMeans("means", req->means());
  if (st.ok()) st = domain::CheckText("text", req->text(), domain::kMaxMessageChars, false, true);
  if (st.ok())
    st = domain::CheckText("objection", req->objection(), domain::kMaxMessageChars, false, true);
  if (st.ok()) {
    st = domain::CheckText("objection_answer", req->objection_answer(), domain::kMaxMessageChars,
                           false, true);
  }
  if (st.ok() && !req->objection().empty() && !req->objection_answer().empty()) {
    st = absl::InvalidArgumentError(
        "objection_answer: record the objection first, then answer it in a later call");
  }
  if (!st.ok()) return ToGrpcStatus(st);
  const v1::GiveFeedbackRequest request = *req;
  return RunMutation(
      deps_, *caller, req->request_id(),
      ChangePetition(
          deps_, req->id(), req->expected_version(), PetitionAction::kFeedback, "petition.feedback",
          [request](storage::WriteTxn& txn, PetitionRecord& r, v1::PetitionState,
                    storage::EventInput& event) -> absl::Status {
            absl::StatusOr<std::string> date = ActDate("date", request.date(), r.row);
            if (!date.ok()) return date.status();
            if (*date < r.row.closed_date) {
              return absl::InvalidArgumentError(
                  "date: must not be before the petition was concluded (" + r.row.closed_date +
                  ")");
            }
            bool has_feedback = false;
            bool open_objection = false;  // an objection not yet answered
            for (const auto& m : r.messages) {
              has_feedback |= m.kind == "result_feedback";
              if (m.kind == "objection") open_objection = true;
              if (m.kind == "objection_answer") open_objection = false;
            }
            if (!has_feedback && request.text().empty()) {
              return absl::InvalidArgumentError("text: required for the result feedback");
            }
            if (has_feedback && request.objection().empty() && request.objection_answer().empty()) {
              return absl::FailedPreconditionError(
                  "petition " + r.row.id +
                  " already has its result feedback; only an objection or its answer can be added");
            }
            if (!request.objection_answer().empty() && !open_objection) {
              return absl::FailedPreconditionError("petition " + r.row.id +
                                                   " has no unanswered objection");
            }
            if (r.row.anonymous && request.means() != "receipt") {
              return absl::InvalidArgumentError(
                  "means: an anonymous reporter can only be answered through the "
                  "receipt code (means=receipt)");
            }
            event.reason = "means=" + request.means() +
                           (request.objection().empty() ? "" : " objection") +
                           (request.objection_answer().empty() ? "" : " objection_answer");
            if (!has_feedback) {
              if (absl::Status st = storage::MeetDeadline(txn, r.row.id, "result_feedback", *date);
                  !st.ok()) {
                return st;
              }
              if (absl::Status st = AddSealedPetitionMessage(
                      txn, r.row.id, "result_feedback", *date, request.means(), request.text());
                  !st.ok()) {
                return st;
              }
            }
            if (!request.objection().empty()) {
              return AddSealedPetitionMessage(txn, r.row.id, "objection", *date, request.means(),
                                              request.objection());
            }
            if (!request.objection_answer().empty()) {
              return AddSealedPetitionMessage(txn, r.row.id, "objection_answer", *date,
                                              request.means(), request.objection_answer());
            }
            return absl::OkStatus();
          }),
      resp);
}

grpc::Status PetitionServiceImpl::FindDuplicates(grpc::ServerContext* ctx,
                                                 const v1::FindDuplicatesRequest* req,
                                                 v1::FindDuplicatesResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("FindDuplicates"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = domain::CheckObjectId("id", "XF", req->id()); !st.ok())
    return ToGrpcStatus(st);
  const absl::CivilDay today = Today();
  absl::StatusOr<v1::FindDuplicatesResponse> out = deps_.store->Read<v1::FindDuplicatesResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::FindDuplicatesResponse> {
        if (absl::StatusOr<storage::PetitionRow> self = storage::GetPetition(db, req->id());
            !self.ok()) {
          return self.status();
        }
        absl::StatusOr<std::vector<std::string>> related =
            RelatedByPerson(db, deps_.store->keyring(), req->id());
        if (!related.ok()) return related.status();
        v1::FindDuplicatesResponse found;
        for (const std::string& id : *related) {
          if (id.rfind("XF-", 0) != 0) continue;
          absl::StatusOr<storage::PetitionRow> row = storage::GetPetition(db, id);
          if (!row.ok()) return row.status();
          absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines =
              storage::GetDeadlines(db, id);
          if (!deadlines.ok()) return deadlines.status();
          absl::StatusOr<v1::PetitionListItem> item = PetitionListItemFromRow(
              deps_.store->keyring(), *row, *deadlines, *deps_.calendar, today);
          if (!item.ok()) return item.status();
          *found.add_petitions() = *std::move(item);
        }
        return found;
      });
  if (!out.ok()) return ToGrpcStatus(out.status());
  *resp = *std::move(out);
  return grpc::Status::OK;
}

}  // namespace jijian::server
