#include "server/recusal.h"

#include <set>

#include "server/domain/id_number.h"
#include "server/domain/petition_validate.h"
#include "server/domain/validate.h"
#include "server/lead_service.h"
#include "server/petition_codec.h"
#include "storage/leads.h"
#include "storage/petitions.h"

namespace jijian::server {
namespace {

using storage::KeyDomain;

std::string Rpc(const char* method) { return std::string("/jijian.v1.LeadService/") + method; }

}  // namespace

absl::StatusOr<std::string> RecusalConflict(storage::WriteTxn& txn, const LeadRecord& record,
                                            const storage::UserRecord& user) {
  absl::StatusOr<std::vector<v1::Subject>> subjects = OpenLeadSubjects(txn.keyring(), record);
  if (!subjects.ok()) return subjects.status();
  std::vector<std::string> targets;
  const std::string user_name = storage::Keyring::Normalize(user.display_name);
  for (const v1::Subject& s : *subjects) {
    if (storage::Keyring::Normalize(s.name()) == user_name) {
      return std::string("the inspector's name matches a subject of the lead");
    }
    if (!s.id_number().empty()) {
      for (std::string& d : PersonIdDigests(txn.keyring(), s.id_number())) {
        targets.push_back(std::move(d));
      }
    }
  }
  if (!record.row.petition_id.empty()) {
    targets.push_back(record.row.petition_id);
    absl::StatusOr<storage::PetitionRow> petition =
        storage::GetPetition(txn.db(), record.row.petition_id);
    if (!petition.ok()) return petition.status();
    if (!petition->anonymous) {
      absl::StatusOr<std::string> bytes =
          OpenAt(txn.keyring(), "petitions", "reporter", petition->id, petition->reporter);
      if (!bytes.ok()) return bytes.status();
      v1::Reporter reporter;
      reporter.ParseFromString(*bytes);
      if (storage::Keyring::Normalize(reporter.name()) == user_name) {
        return std::string("the inspector's name matches the reporter of the petition");
      }
    }
  }
  absl::StatusOr<bool> declared = storage::HasRecusal(txn.db(), user.user_id, targets);
  if (!declared.ok()) return declared.status();
  if (*declared)
    return std::string("the inspector has declared a conflict (回避) about this matter");
  return std::string();
}

grpc::Status LeadServiceImpl::DeclareRecusal(grpc::ServerContext* ctx,
                                             const v1::DeclareRecusalRequest* req,
                                             v1::DeclareRecusalResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("DeclareRecusal"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  const absl::CivilDay today = Today();
  absl::Status st = domain::CheckRequestId(req->request_id());
  const bool by_subject = !req->subject_id_number().empty();
  if (st.ok() && by_subject == !req->reporter_of().empty()) {
    st = absl::InvalidArgumentError("subject_id_number or reporter_of: give exactly one");
  }
  if (st.ok() && by_subject)
    st = domain::CheckIdNumber("subject_id_number", req->subject_id_number(), today);
  if (st.ok() && !by_subject) st = domain::CheckObjectId("reporter_of", "XF", req->reporter_of());
  static const std::set<std::string> kGrounds = {"relative", "witness", "interest", "other"};
  if (st.ok() && !kGrounds.count(req->ground())) {
    st = absl::InvalidArgumentError("ground: must be one of relative, witness, interest, other");
  }
  if (st.ok()) st = domain::CheckText("reason", req->reason(), domain::kMaxReasonChars, true, true);
  if (!st.ok()) return ToGrpcStatus(st);
  const std::string target = by_subject
                                 ? PersonIdDigest(deps_.store->keyring(), req->subject_id_number())
                                 : req->reporter_of();
  const v1::DeclareRecusalRequest request = *req;
  return RunMutation(
      deps_, *caller, req->request_id(),
      [request, target, by_subject](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        const std::string user = txn.actor().user_id;
        if (!by_subject) {
          if (absl::StatusOr<storage::PetitionRow> p =
                  storage::GetPetition(txn.db(), request.reporter_of());
              !p.ok()) {
            return p.status();
          }
        }
        absl::StatusOr<std::string> reason =
            SealAt(txn.keyring(), KeyDomain::kContent, "recusals", "reason",
                   user + "#" + (by_subject ? "subject" : request.reporter_of()), request.reason());
        if (!reason.ok()) return reason.status();
        if (absl::Status st = storage::AddRecusal(
                txn,
                {user, target, by_subject ? "subject" : "reporter_of", request.ground(), *reason});
            !st.ok()) {
          return st;
        }
        absl::StatusOr<int64_t> seq = txn.AppendEvent(
            {"recusal.declare", "user", user, "", "DECLARED",
             "ground=" + request.ground() + (by_subject ? " about=subject" : " about=reporter")});
        if (!seq.ok()) return seq.status();
        v1::DeclareRecusalResponse out;
        out.set_recorded(by_subject ? "conflict about a subject recorded"
                                    : "conflict about the reporter of " + request.reporter_of() +
                                          " recorded");
        return Serialized(out);
      },
      resp);
}

}  // namespace jijian::server
