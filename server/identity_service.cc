#include "server/identity_service.h"

#include "absl/time/clock.h"
#include "server/domain/petition_validate.h"
#include "server/domain/validate.h"
#include "server/petition_codec.h"
#include "storage/petitions.h"
#include "storage/unseal.h"

namespace jijian::server {
namespace {

using storage::KeyDomain;
using storage::UnsealRow;

constexpr char kTable[] = "unseal_requests";
constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 500;

std::string Rpc(const char* method) { return std::string("/jijian.v1.IdentityService/") + method; }

std::string Short(const std::string& state) {
  constexpr std::string_view kPrefix = "UNSEAL_";
  return state.rfind(kPrefix, 0) == 0 ? state.substr(kPrefix.size()) : state;
}

absl::StatusOr<v1::UnsealRequest> ToProto(const storage::Keyring& keys, const UnsealRow& r,
                                          bool with_reasons) {
  v1::UnsealRequest u;
  u.set_id(r.id);
  u.set_petition_id(r.petition_id);
  v1::UnsealState state{};
  v1::UnsealState_Parse(r.state, &state);
  u.set_state(state);
  u.set_requested_by(r.requested_by);
  u.set_decided_by(r.decided_by);
  u.set_requested_at_unix_micros(r.requested_us);
  u.set_decided_at_unix_micros(r.decided_us);
  u.set_expires_at_unix_micros(r.expires_us);
  u.set_views(static_cast<int32_t>(r.views));
  if (with_reasons) {
    absl::StatusOr<std::string> reason = OpenAt(keys, kTable, "reason", r.id, r.reason);
    if (!reason.ok()) return reason.status();
    u.set_reason(*reason);
    absl::StatusOr<std::string> why =
        OpenAt(keys, kTable, "decision_reason", r.id, r.decision_reason);
    if (!why.ok()) return why.status();
    u.set_decision_reason(*why);
  }
  return u;
}

absl::StatusOr<std::string> Respond(storage::WriteTxn& txn, const UnsealRow& r) {
  absl::StatusOr<v1::UnsealRequest> u = ToProto(txn.keyring(), r, /*with_reasons=*/true);
  if (!u.ok()) return u.status();
  v1::UnsealResponse out;
  *out.mutable_unseal() = *std::move(u);
  return Serialized(out);
}

// Approve or refuse a pending request: a leader who is not the requester.
storage::MutationFn Decide(const ServiceDeps& deps, const Caller& caller,
                           const v1::DecideUnsealRequest& req, bool approve) {
  const std::string id = req.id();
  const std::string reason = req.reason();
  const absl::Duration ttl = deps.config->unseal_ttl;
  return [caller, id, reason, approve, ttl](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
    absl::StatusOr<UnsealRow> row = storage::GetUnseal(txn.db(), id);
    if (!row.ok()) return row.status();
    if (row->state != "UNSEAL_PENDING") {
      return absl::FailedPreconditionError("unseal request " + id + " is " + Short(row->state) +
                                           "; only a pending one is decided");
    }
    if (row->requested_by == caller.user.user_id) {
      return absl::PermissionDeniedError(
          "a leader may not decide an unseal request of their own (" + id +
          "): dual control needs a second person");
    }
    if (!reason.empty()) {
      absl::StatusOr<std::string> sealed =
          SealAt(txn.keyring(), KeyDomain::kContent, kTable, "decision_reason", id, reason);
      if (!sealed.ok()) return sealed.status();
      row->decision_reason = *sealed;
    }
    row->decided_by = caller.user.user_id;
    row->decided_us = txn.now_us();
    row->state = approve ? "UNSEAL_APPROVED" : "UNSEAL_REFUSED";
    if (approve) row->expires_us = txn.now_us() + absl::ToInt64Microseconds(ttl);
    if (absl::Status st = storage::UpdateUnseal(txn, *row); !st.ok()) return st;
    absl::StatusOr<int64_t> seq =
        txn.AppendEvent({approve ? "petition.unseal_approved" : "petition.unseal_refused",
                         "unseal_request", id, "PENDING", Short(row->state),
                         "petition=" + row->petition_id + " requested_by=" + row->requested_by +
                             (approve ? " expires_us=" + std::to_string(row->expires_us) : "")});
    if (!seq.ok()) return seq.status();
    return Respond(txn, *row);
  };
}

absl::Status CheckDecide(const v1::DecideUnsealRequest& req, bool reason_required) {
  if (absl::Status st = domain::CheckRequestId(req.request_id()); !st.ok()) return st;
  if (absl::Status st = domain::CheckObjectId("id", "JM", req.id()); !st.ok()) return st;
  return domain::CheckText("reason", req.reason(), domain::kMaxReasonChars, reason_required, true);
}

}  // namespace

absl::Status RecordIdentityView(storage::WriteTxn& txn, const std::string& petition_id,
                                const std::string& user) {
  absl::StatusOr<std::optional<UnsealRow>> open =
      storage::OpenUnsealFor(txn.db(), petition_id, user, txn.now_us());
  if (!open.ok()) return open.status();
  if (!open->has_value()) {
    return absl::PermissionDeniedError(
        "reveal_identity: the reporter's identity of " + petition_id +
        " is sealed; it opens only to a registrar whose unseal request a second person (a "
        "leader) approved, until it expires (jijian petition unseal-request)");
  }
  UnsealRow row = **open;
  row.views += 1;
  if (absl::Status st = storage::UpdateUnseal(txn, row); !st.ok()) return st;
  absl::StatusOr<storage::PetitionRow> p = storage::GetPetition(txn.db(), petition_id);
  if (!p.ok()) return p.status();
  const std::string state = PetitionStateText(p->state);
  absl::StatusOr<int64_t> seq = txn.AppendEvent(
      {"petition.reveal_identity", "petition", petition_id, state, state, "request=" + row.id});
  return seq.ok() ? absl::OkStatus() : seq.status();
}

absl::StatusOr<int> ExpireUnsealings(storage::Store& store) {
  absl::StatusOr<std::string> done = store.Apply(
      {"system", "system", ""}, "", [](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        absl::StatusOr<std::vector<UnsealRow>> due =
            storage::DueUnsealExpiries(txn.db(), txn.now_us(), 500);
        if (!due.ok()) return due.status();
        for (UnsealRow& r : *due) {
          r.state = "UNSEAL_EXPIRED";
          if (absl::Status st = storage::UpdateUnseal(txn, r); !st.ok()) return st;
          absl::StatusOr<int64_t> seq = txn.AppendEvent(
              {"petition.unseal_expired", "unseal_request", r.id, "APPROVED", "EXPIRED",
               "petition=" + r.petition_id + " views=" + std::to_string(r.views)});
          if (!seq.ok()) return seq.status();
        }
        return std::to_string(due->size());
      });
  if (!done.ok()) return done.status();
  return std::stoi(*done);
}

grpc::Status IdentityServiceImpl::RequestUnseal(grpc::ServerContext* ctx,
                                                const v1::RequestUnsealRequest* req,
                                                v1::UnsealResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RequestUnseal"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = domain::CheckRequestId(req->request_id());
  if (st.ok()) st = domain::CheckObjectId("petition_id", "XF", req->petition_id());
  if (st.ok()) st = domain::CheckText("reason", req->reason(), domain::kMaxReasonChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const v1::RequestUnsealRequest request = *req;
  return RunMutation(
      deps_, *caller, req->request_id(),
      [request](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        absl::StatusOr<storage::PetitionRow> p =
            storage::GetPetition(txn.db(), request.petition_id());
        if (!p.ok()) return p.status();
        if (p->anonymous) {
          return absl::FailedPreconditionError("petition_id: " + request.petition_id() +
                                               " is anonymous; there is no identity to unseal");
        }
        const absl::CivilDay today = Today();
        absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "JM", today.year());
        if (!number.ok()) return number.status();
        UnsealRow row;
        row.id = domain::FormatObjectId("JM", today.year(), *number);
        row.petition_id = request.petition_id();
        row.state = "UNSEAL_PENDING";
        row.requested_by = txn.actor().user_id;
        absl::StatusOr<std::string> reason =
            SealAt(txn.keyring(), KeyDomain::kContent, kTable, "reason", row.id, request.reason());
        if (!reason.ok()) return reason.status();
        row.reason = *reason;
        row.requested_us = txn.now_us();
        if (absl::Status st = storage::InsertUnseal(txn, row); !st.ok()) return st;
        absl::StatusOr<int64_t> seq =
            txn.AppendEvent({"petition.unseal_requested", "unseal_request", row.id, "", "PENDING",
                             "petition=" + row.petition_id});
        if (!seq.ok()) return seq.status();
        return Respond(txn, row);
      },
      resp);
}

grpc::Status IdentityServiceImpl::ApproveUnseal(grpc::ServerContext* ctx,
                                                const v1::DecideUnsealRequest* req,
                                                v1::UnsealResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ApproveUnseal"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = CheckDecide(*req, false); !st.ok()) return ToGrpcStatus(st);
  return RunMutation(deps_, *caller, req->request_id(), Decide(deps_, *caller, *req, true), resp);
}

grpc::Status IdentityServiceImpl::RefuseUnseal(grpc::ServerContext* ctx,
                                               const v1::DecideUnsealRequest* req,
                                               v1::UnsealResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RefuseUnseal"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = CheckDecide(*req, true); !st.ok()) return ToGrpcStatus(st);
  return RunMutation(deps_, *caller, req->request_id(), Decide(deps_, *caller, *req, false), resp);
}

grpc::Status IdentityServiceImpl::ListUnsealings(grpc::ServerContext* ctx,
                                                 const v1::ListUnsealingsRequest* req,
                                                 v1::ListUnsealingsResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ListUnsealings"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st;
  if (!req->petition_id().empty())
    st = domain::CheckObjectId("petition_id", "XF", req->petition_id());
  if (st.ok() && !v1::UnsealState_IsValid(req->state()))
    st = absl::InvalidArgumentError("state: unknown");
  if (st.ok() && (req->page_size() < 0 || req->page_size() > kMaxPageSize))
    st = absl::InvalidArgumentError("page_size: must be from 1 to " + std::to_string(kMaxPageSize));
  if (st.ok() && !req->page_token().empty())
    st = domain::CheckObjectId("page_token", "JM", req->page_token());
  if (!st.ok()) return ToGrpcStatus(st);
  storage::UnsealFilter f;
  f.petition_id = req->petition_id();
  if (req->state() != v1::UNSEAL_STATE_UNSPECIFIED) f.state = v1::UnsealState_Name(req->state());
  f.after_id = req->page_token();
  f.limit = req->page_size() > 0 ? req->page_size() : kDefaultPageSize;
  // Auditors see who asked, who decided and how often the identity was viewed, never why
  // (the reasons are petition content).
  const bool with_reasons = caller->acting_role != v1::ROLE_AUDITOR;
  absl::StatusOr<v1::ListUnsealingsResponse> out = deps_.store->Read<v1::ListUnsealingsResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::ListUnsealingsResponse> {
        absl::StatusOr<std::vector<UnsealRow>> rows = storage::ListUnseals(db, f);
        if (!rows.ok()) return rows.status();
        v1::ListUnsealingsResponse list;
        for (const UnsealRow& r : *rows) {
          absl::StatusOr<v1::UnsealRequest> u = ToProto(deps_.store->keyring(), r, with_reasons);
          if (!u.ok()) return u.status();
          *list.add_unsealings() = *std::move(u);
        }
        if (static_cast<int>(rows->size()) == f.limit) list.set_next_page_token(rows->back().id);
        return list;
      });
  if (!out.ok()) return ToGrpcStatus(out.status());
  *resp = *std::move(out);
  return grpc::Status::OK;
}

}  // namespace jijian::server
