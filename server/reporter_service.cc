#include "server/reporter_service.h"

#include "absl/strings/str_cat.h"
#include "server/domain/calendar.h"
#include "server/domain/petition_rules.h"
#include "server/domain/petition_validate.h"
#include "server/domain/validate.h"
#include "server/petition_codec.h"
#include "server/petition_service.h"
#include "storage/receipt.h"

namespace jijian::server {
namespace {

using domain::FormatDate;
using domain::PetitionAction;

// On the shared portal actor, a request id is what keeps one reporter's retry from being
// answered with another's result (which, for a submission, holds the receipt code), so it
// must be long enough to be unguessable: a random UUID or 128-bit hex.
constexpr size_t kMinPortalRequestIdChars = 32;

// The kinds of petition message that are replies meant for the reporter.
bool IsReply(const std::string& kind) {
  return kind == "acceptance_notice" || kind == "result_feedback" || kind == "objection_answer";
}

absl::Status CheckPortalRequestId(const std::string& request_id) {
  if (absl::Status st = domain::CheckRequestId(request_id); !st.ok()) return st;
  if (request_id.size() < kMinPortalRequestIdChars) {
    return absl::InvalidArgumentError(
        "request_id: on the reporter port at least 32 characters (a random UUID), so that "
        "nobody else can replay it");
  }
  return absl::OkStatus();
}

storage::Actor PortalActor() { return storage::Actor{kReporterPortalActor, "reporter", ""}; }

}  // namespace

ReporterServiceImpl::ReporterServiceImpl(ServiceDeps deps)
    : deps_(deps),
      limiter_({.burst = deps.config->reporter_peer_burst,
                .per_second = deps.config->reporter_peer_per_second,
                .global_per_second = deps.config->reporter_global_per_second}) {}

std::string ReporterServiceImpl::PeerKey(const grpc::ServerContext& ctx) {
  std::string peer = ctx.peer();
  if (peer.rfind("ipv4:", 0) == 0 || peer.rfind("ipv6:", 0) == 0) {
    size_t colon = peer.rfind(':');
    if (colon > 4) peer.resize(colon);
  }
  return peer;
}

absl::Status ReporterServiceImpl::Admit(const std::string& peer) {
  return limiter_.Acquire(peer, absl::Now());
}

absl::StatusOr<std::vector<std::string>> ReporterServiceImpl::ReceiptDigestsFor(const std::string& peer,
                                                                  const std::string& code) {
  if (absl::Status st = throttle_.Check(peer, absl::Now()); !st.ok()) return st;
  absl::StatusOr<std::string> normal = storage::NormalizeReceiptCode(code);
  if (!normal.ok()) {
    throttle_.RecordFailure(peer, absl::Now());
    return normal.status();
  }
  return storage::ReceiptDigests(deps_.store->keyring(), *normal);
}

grpc::Status ReporterServiceImpl::SubmitPetition(grpc::ServerContext* ctx,
                                                 const v1::SubmitPetitionRequest* req,
                                                 v1::SubmitPetitionResponse* resp) {
  if (absl::Status st = Admit(PeerKey(*ctx)); !st.ok()) return ToGrpcStatus(st);
  if (absl::Status st = CheckPortalRequestId(req->request_id()); !st.ok()) {
    return ToGrpcStatus(st);
  }
  // Out-of-scope and no-substance are the commission's judgements, not the reporter's.
  switch (req->category()) {
    case v1::CATEGORY_ACCUSATION:
    case v1::CATEGORY_COMPLAINT:
    case v1::CATEGORY_APPEAL:
    case v1::CATEGORY_SUGGESTION:
      break;
    default:
      return ToGrpcStatus(absl::InvalidArgumentError(
          "category: must be one of accusation, complaint, appeal, suggestion"));
  }
  // The staff path does the rest: same validation, sealing, numbering and audit event.
  v1::RegisterPetitionRequest reg;
  reg.set_request_id(req->request_id());
  reg.set_channel(v1::CHANNEL_ONLINE);
  reg.set_category(req->category());
  reg.set_anonymous(req->anonymous());
  *reg.mutable_reporter() = req->reporter();
  *reg.mutable_subjects() = req->subjects();
  *reg.mutable_disciplines() = req->disciplines();
  reg.set_summary(req->summary());
  reg.set_content(req->content());
  v1::RegisterPetitionResponse registered;
  grpc::Status st = RegisterPetitionAs(deps_, PortalActor(), reg, &registered);
  if (!st.ok()) return st;
  // Only what the reporter needs: never deadlines, handling or other petitions' ids.
  resp->set_id(registered.petition().id());
  resp->set_received_date(registered.petition().received_date());
  resp->set_receipt_code(registered.receipt_code());
  return grpc::Status::OK;
}

grpc::Status ReporterServiceImpl::CheckStatus(grpc::ServerContext* ctx,
                                              const v1::CheckStatusRequest* req,
                                              v1::CheckStatusResponse* resp) {
  const std::string peer = PeerKey(*ctx);
  if (absl::Status st = Admit(peer); !st.ok()) return ToGrpcStatus(st);
  absl::StatusOr<std::vector<std::string>> digest = ReceiptDigestsFor(peer, req->receipt_code());
  if (!digest.ok()) return ToGrpcStatus(digest.status());
  absl::StatusOr<v1::CheckStatusResponse> out = deps_.store->Read<v1::CheckStatusResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::CheckStatusResponse> {
        absl::StatusOr<std::optional<storage::PetitionRow>> row =
            storage::FindPetitionByReceipt(db, *digest);
        if (!row.ok()) return row.status();
        if (!row->has_value()) return absl::NotFoundError("no petition matches this receipt code");
        v1::CheckStatusResponse status;
        status.set_status(std::string(domain::CoarseStatus(PetitionStateOf(**row))));
        status.set_received_date((*row)->received_date);
        return status;
      });
  if (!out.ok()) {
    if (out.status().code() == absl::StatusCode::kNotFound) {
      throttle_.RecordFailure(peer, absl::Now());
    }
    return ToGrpcStatus(out.status());
  }
  *resp = *std::move(out);
  return grpc::Status::OK;
}

grpc::Status ReporterServiceImpl::GetReplies(grpc::ServerContext* ctx,
                                             const v1::GetRepliesRequest* req,
                                             v1::GetRepliesResponse* resp) {
  const std::string peer = PeerKey(*ctx);
  if (absl::Status st = Admit(peer); !st.ok()) return ToGrpcStatus(st);
  absl::StatusOr<std::vector<std::string>> digest = ReceiptDigestsFor(peer, req->receipt_code());
  if (!digest.ok()) return ToGrpcStatus(digest.status());
  absl::StatusOr<v1::GetRepliesResponse> out = deps_.store->Read<v1::GetRepliesResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::GetRepliesResponse> {
        absl::StatusOr<std::optional<storage::PetitionRow>> row =
            storage::FindPetitionByReceipt(db, *digest);
        if (!row.ok()) return row.status();
        if (!row->has_value()) return absl::NotFoundError("no petition matches this receipt code");
        absl::StatusOr<std::vector<storage::MessageRow>> messages =
            storage::GetMessages(db, (*row)->id);
        if (!messages.ok()) return messages.status();
        v1::GetRepliesResponse replies;
        for (const storage::MessageRow& m : *messages) {
          if (!IsReply(m.kind)) continue;
          absl::StatusOr<std::string> text = OpenAt(deps_.store->keyring(), "petition_messages",
                                                    "body", ChildRowId((*row)->id, m.seq), m.body);
          if (!text.ok()) return text.status();
          // Kind, date and text only: never the staff member who wrote it.
          v1::PetitionMessage* reply = replies.add_replies();
          reply->set_kind(m.kind);
          reply->set_date(m.date);
          reply->set_text(*text);
        }
        return replies;
      });
  if (!out.ok()) {
    if (out.status().code() == absl::StatusCode::kNotFound) {
      throttle_.RecordFailure(peer, absl::Now());
    }
    return ToGrpcStatus(out.status());
  }
  *resp = *std::move(out);
  return grpc::Status::OK;
}

grpc::Status ReporterServiceImpl::AddMaterial(grpc::ServerContext* ctx,
                                              const v1::AddMaterialRequest* req,
                                              v1::AddMaterialResponse* resp) {
  const std::string peer = PeerKey(*ctx);
  if (absl::Status st = Admit(peer); !st.ok()) return ToGrpcStatus(st);
  absl::Status st = CheckPortalRequestId(req->request_id());
  if (st.ok()) st = domain::CheckText("text", req->text(), domain::kMaxMessageChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  absl::StatusOr<std::vector<std::string>> found = ReceiptDigestsFor(peer, req->receipt_code());
  if (!found.ok()) return ToGrpcStatus(found.status());
  const std::vector<std::string> digest = *found;
  const std::string text = req->text();
  grpc::Status result = RunMutation(
      deps_, PortalActor(), req->request_id(),
      [digest, text](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        absl::StatusOr<std::optional<storage::PetitionRow>> row =
            storage::FindPetitionByReceipt(txn.db(), digest);
        if (!row.ok()) return row.status();
        if (!row->has_value()) return absl::NotFoundError("no petition matches this receipt code");
        storage::PetitionRow& p = **row;
        absl::StatusOr<v1::PetitionState> next =
            domain::NextPetitionState(p.id, PetitionStateOf(p), PetitionAction::kAddMaterial);
        if (!next.ok()) return next.status();
        absl::StatusOr<int64_t> materials = storage::CountMessages(txn.db(), p.id, "material");
        if (!materials.ok()) return materials.status();
        if (*materials >= domain::kMaxMaterialsPerPetition) {
          return absl::ResourceExhaustedError(absl::StrCat(
              "material: at most ", domain::kMaxMaterialsPerPetition,
              " additions per petition, and this petition has ", *materials));
        }
        const std::string date = FormatDate(Today());
        if (absl::Status st =
                AddSealedPetitionMessage(txn, p.id, "material", date, "receipt", text);
            !st.ok()) {
          return st;
        }
        const std::string state = PetitionStateText(p.state);
        if (absl::Status st = storage::UpdatePetition(txn, p); !st.ok()) return st;
        absl::StatusOr<int64_t> seq =
            txn.AppendEvent({"petition.add_material", "petition", p.id, state, state, ""});
        if (!seq.ok()) return seq.status();
        v1::AddMaterialResponse out;
        out.set_status(std::string(domain::CoarseStatus(PetitionStateOf(p))));
        return Serialized(out);
      },
      resp);
  if (result.error_code() == grpc::StatusCode::NOT_FOUND) {
    throttle_.RecordFailure(peer, absl::Now());
  }
  return result;
}

}  // namespace jijian::server
