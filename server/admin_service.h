// AdminService: who am I, users and certificates. Handlers authorise, validate and
// translate; the rules live in server/domain and the rows in storage.
#ifndef JIJIAN_SERVER_ADMIN_SERVICE_H_
#define JIJIAN_SERVER_ADMIN_SERVICE_H_

#include "jijian/v1/admin.grpc.pb.h"
#include "server/service_support.h"

namespace jijian::server {

class AdminServiceImpl final : public v1::AdminService::Service {
 public:
  explicit AdminServiceImpl(ServiceDeps deps) : deps_(deps) {}

  grpc::Status WhoAmI(grpc::ServerContext* ctx, const v1::WhoAmIRequest* req,
                      v1::WhoAmIResponse* resp) override;
  grpc::Status AddUser(grpc::ServerContext* ctx, const v1::AddUserRequest* req,
                       v1::AddUserResponse* resp) override;
  grpc::Status GetUser(grpc::ServerContext* ctx, const v1::GetUserRequest* req,
                       v1::GetUserResponse* resp) override;
  grpc::Status ListUsers(grpc::ServerContext* ctx, const v1::ListUsersRequest* req,
                         v1::ListUsersResponse* resp) override;
  grpc::Status DisableUser(grpc::ServerContext* ctx, const v1::DisableUserRequest* req,
                           v1::DisableUserResponse* resp) override;
  grpc::Status IssueCertificate(grpc::ServerContext* ctx, const v1::IssueCertificateRequest* req,
                                v1::IssueCertificateResponse* resp) override;
  grpc::Status RevokeCertificate(grpc::ServerContext* ctx, const v1::RevokeCertificateRequest* req,
                                 v1::RevokeCertificateResponse* resp) override;
  grpc::Status RotateDataKey(grpc::ServerContext* ctx, const v1::RotateDataKeyRequest* req,
                             v1::RotateDataKeyResponse* resp) override;
  grpc::Status ListKeyRotations(grpc::ServerContext* ctx, const v1::ListKeyRotationsRequest* req,
                                v1::ListKeyRotationsResponse* resp) override;
  grpc::Status ListCertificates(grpc::ServerContext* ctx, const v1::ListCertificatesRequest* req,
                                v1::ListCertificatesResponse* resp) override;

 private:
  ServiceDeps deps_;
};

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_ADMIN_SERVICE_H_
