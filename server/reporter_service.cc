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

constexpr char kReporterService[] = "/jijian.v1.ReporterService/";

}  // namespace

grpc::Status ReporterServiceImpl::CheckStatus(grpc::ServerContext* ctx,
                                              const v1::CheckStatusRequest* req,
                                              v1::CheckStatusResponse* resp) {
  absl::StatusOr<Caller> caller =
      deps_.auth->Authorize(*ctx, std::string(kReporterService) + "CheckStatus");
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const std::string key = "user:" + caller->user.user_id;
  if (absl::Status st = throttle_.Check(key, absl::Now()); !st.ok()) return ToGrpcStatus(st);
  absl::StatusOr<std::string> code = storage::NormalizeReceiptCode(req->receipt_code());
  if (!code.ok()) {
    throttle_.RecordFailure(key, absl::Now());
    return ToGrpcStatus(code.status());
  }
  const std::string digest = storage::ReceiptDigest(deps_.store->keyring(), *code);
  absl::StatusOr<v1::CheckStatusResponse> out = deps_.store->Read<v1::CheckStatusResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::CheckStatusResponse> {
        absl::StatusOr<std::optional<storage::PetitionRow>> row =
            storage::FindPetitionByReceipt(db, digest);
        if (!row.ok()) return row.status();
        if (!row->has_value()) return absl::NotFoundError("no petition matches this receipt code");
        v1::CheckStatusResponse status;
        status.set_status(std::string(domain::CoarseStatus(PetitionStateOf(**row))));
        status.set_received_date((*row)->received_date);
        absl::StatusOr<std::vector<storage::MessageRow>> messages =
            storage::GetMessages(db, (*row)->id);
        if (!messages.ok()) return messages.status();
        for (const storage::MessageRow& m : *messages) {
          if (m.kind != "acceptance_notice" && m.kind != "result_feedback" &&
              m.kind != "objection_answer") {
            continue;
          }
          absl::StatusOr<std::string> text = OpenAt(deps_.store->keyring(), "petition_messages",
                                                    "body", ChildRowId((*row)->id, m.seq), m.body);
          if (!text.ok()) return text.status();
          v1::PetitionMessage* reply = status.add_replies();
          reply->set_kind(m.kind);
          reply->set_date(m.date);
          reply->set_text(*text);
        }
        return status;
      });
  if (!out.ok()) {
    if (out.status().code() == absl::StatusCode::kNotFound)
      throttle_.RecordFailure(key, absl::Now());
    return ToGrpcStatus(out.status());
  }
  *resp = *std::move(out);
  return grpc::Status::OK;
}

grpc::Status ReporterServiceImpl::AddMaterial(grpc::ServerContext* ctx,
                                              const v1::AddMaterialRequest* req,
                                              v1::AddMaterialResponse* resp) {
  absl::StatusOr<Caller> caller =
      deps_.auth->Authorize(*ctx, std::string(kReporterService) + "AddMaterial");
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const std::string key = "user:" + caller->user.user_id;
  if (absl::Status st = throttle_.Check(key, absl::Now()); !st.ok()) return ToGrpcStatus(st);
  absl::Status st = domain::CheckRequestId(req->request_id());
  if (st.ok()) st = domain::CheckText("text", req->text(), domain::kMaxMessageChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  absl::StatusOr<std::string> code = storage::NormalizeReceiptCode(req->receipt_code());
  if (!code.ok()) {
    throttle_.RecordFailure(key, absl::Now());
    return ToGrpcStatus(code.status());
  }
  const std::string digest = storage::ReceiptDigest(deps_.store->keyring(), *code);
  const std::string text = req->text();
  grpc::Status result = RunMutation(
      deps_, *caller, req->request_id(),
      [digest, text](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        absl::StatusOr<std::optional<storage::PetitionRow>> row =
            storage::FindPetitionByReceipt(txn.db(), digest);
        if (!row.ok()) return row.status();
        if (!row->has_value()) return absl::NotFoundError("no petition matches this receipt code");
        storage::PetitionRow& p = **row;
        absl::StatusOr<v1::PetitionState> next =
            domain::NextPetitionState(p.id, PetitionStateOf(p), PetitionAction::kAddMaterial);
        if (!next.ok()) return next.status();
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
  if (result.error_code() == grpc::StatusCode::NOT_FOUND) throttle_.RecordFailure(key, absl::Now());
  return result;
}

}  // namespace jijian::server
