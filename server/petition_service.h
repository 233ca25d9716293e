// PetitionService (信访举报) and ReporterService (receipt codes). Handlers authorise,
// validate and translate; rules live in server/domain, rows in storage/petitions.h.
#ifndef JIJIAN_SERVER_PETITION_SERVICE_H_
#define JIJIAN_SERVER_PETITION_SERVICE_H_

#include "jijian/v1/petition.grpc.pb.h"
#include "server/rate_limit.h"
#include "server/service_support.h"

namespace jijian::server {

class PetitionServiceImpl final : public v1::PetitionService::Service {
 public:
  explicit PetitionServiceImpl(ServiceDeps deps) : deps_(deps) {}

  grpc::Status RegisterPetition(grpc::ServerContext* ctx, const v1::RegisterPetitionRequest* req,
                                v1::RegisterPetitionResponse* resp) override;
  grpc::Status GetPetition(grpc::ServerContext* ctx, const v1::GetPetitionRequest* req,
                           v1::GetPetitionResponse* resp) override;
  grpc::Status ListPetitions(grpc::ServerContext* ctx, const v1::ListPetitionsRequest* req,
                             v1::ListPetitionsResponse* resp) override;
  grpc::Status DecidePetition(grpc::ServerContext* ctx, const v1::DecidePetitionRequest* req,
                              v1::PetitionResponse* resp) override;
  grpc::Status NotifyReporter(grpc::ServerContext* ctx, const v1::NotifyReporterRequest* req,
                              v1::PetitionResponse* resp) override;
  grpc::Status RecordResult(grpc::ServerContext* ctx, const v1::RecordResultRequest* req,
                            v1::PetitionResponse* resp) override;
  grpc::Status ClosePetition(grpc::ServerContext* ctx, const v1::ClosePetitionRequest* req,
                             v1::PetitionResponse* resp) override;
  grpc::Status GiveFeedback(grpc::ServerContext* ctx, const v1::GiveFeedbackRequest* req,
                            v1::PetitionResponse* resp) override;
  grpc::Status FindDuplicates(grpc::ServerContext* ctx, const v1::FindDuplicatesRequest* req,
                              v1::FindDuplicatesResponse* resp) override;

 private:
  ServiceDeps deps_;
};

// What a reporter can do with a receipt code. On the staff port a registrar uses it on a
// reporter's behalf (phone, visit); wrong codes are throttled per caller.
class ReporterServiceImpl final : public v1::ReporterService::Service {
 public:
  explicit ReporterServiceImpl(ServiceDeps deps) : deps_(deps) {}

  grpc::Status CheckStatus(grpc::ServerContext* ctx, const v1::CheckStatusRequest* req,
                           v1::CheckStatusResponse* resp) override;
  grpc::Status AddMaterial(grpc::ServerContext* ctx, const v1::AddMaterialRequest* req,
                           v1::AddMaterialResponse* resp) override;

 private:
  ServiceDeps deps_;
  FailureThrottle throttle_;
};

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_PETITION_SERVICE_H_
