// PetitionService (信访举报). Handlers authorise, validate and translate; rules live in
// server/domain, rows in storage/petitions.h.
#ifndef JIJIAN_SERVER_PETITION_SERVICE_H_
#define JIJIAN_SERVER_PETITION_SERVICE_H_

#include "jijian/v1/petition.grpc.pb.h"
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

// Registers a petition on behalf of actor: validation, sealing, numbering, deadlines and
// the audit event are the same whoever files it (a registrar on the staff port, the
// reporter portal). The caller has authorised actor. Thread-safe.
grpc::Status RegisterPetitionAs(const ServiceDeps& deps, const storage::Actor& actor,
                                const v1::RegisterPetitionRequest& req,
                                v1::RegisterPetitionResponse* resp);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_PETITION_SERVICE_H_
