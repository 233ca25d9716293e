// IdentityService: unsealing a reporter's identity under dual control. A registrar asks
// for one petition with a reason; a leader who is not the requester approves or refuses;
// an approval opens the identity to the requester only until it expires. Every step, every
// view and every expiry is an audit event.
#ifndef JIJIAN_SERVER_IDENTITY_SERVICE_H_
#define JIJIAN_SERVER_IDENTITY_SERVICE_H_

#include "jijian/v1/unseal.grpc.pb.h"
#include "server/service_support.h"

namespace jijian::server {

class IdentityServiceImpl final : public v1::IdentityService::Service {
 public:
  explicit IdentityServiceImpl(ServiceDeps deps) : deps_(deps) {}

  grpc::Status RequestUnseal(grpc::ServerContext* ctx, const v1::RequestUnsealRequest* req,
                             v1::UnsealResponse* resp) override;
  grpc::Status ApproveUnseal(grpc::ServerContext* ctx, const v1::DecideUnsealRequest* req,
                             v1::UnsealResponse* resp) override;
  grpc::Status RefuseUnseal(grpc::ServerContext* ctx, const v1::DecideUnsealRequest* req,
                            v1::UnsealResponse* resp) override;
  grpc::Status ListUnsealings(grpc::ServerContext* ctx, const v1::ListUnsealingsRequest* req,
                              v1::ListUnsealingsResponse* resp) override;

 private:
  ServiceDeps deps_;
};

// Inside a write transaction: records one identity view of petition_id by user, allowed
// only under an approved, unexpired request of that user (PERMISSION_DENIED otherwise,
// naming how to ask). Appends the "petition.reveal_identity" audit event.
absl::Status RecordIdentityView(storage::WriteTxn& txn, const std::string& petition_id,
                                const std::string& user);

// Seals again every approval whose time ran out, one "petition.unseal_expired" audit event
// each. Returns how many expired. Called periodically by the server.
absl::StatusOr<int> ExpireUnsealings(storage::Store& store);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_IDENTITY_SERVICE_H_
