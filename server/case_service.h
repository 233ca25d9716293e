// CaseService (立案审查调查): filing, investigation, review and closure. Each person is
// decided by an approved disposition (DispositionService), which also carries execution. Inspectors see only their own cases.
#ifndef JIJIAN_SERVER_CASE_SERVICE_H_
#define JIJIAN_SERVER_CASE_SERVICE_H_

#include "jijian/v1/case.grpc.pb.h"
#include "server/service_support.h"

namespace jijian::server {

class CaseServiceImpl final : public v1::CaseService::Service {
 public:
  explicit CaseServiceImpl(ServiceDeps deps) : deps_(deps) {}

  grpc::Status FileCase(grpc::ServerContext* ctx, const v1::FileCaseRequest* req,
                        v1::CaseResponse* resp) override;
  grpc::Status ApproveFiling(grpc::ServerContext* ctx, const v1::ApproveFilingRequest* req,
                             v1::CaseResponse* resp) override;
  grpc::Status GetCase(grpc::ServerContext* ctx, const v1::GetCaseRequest* req,
                       v1::CaseResponse* resp) override;
  grpc::Status ListCases(grpc::ServerContext* ctx, const v1::ListCasesRequest* req,
                         v1::ListCasesResponse* resp) override;
  grpc::Status SubmitInvestigationReport(grpc::ServerContext* ctx, const v1::CaseNoteRequest* req,
                                         v1::CaseResponse* resp) override;
  grpc::Status TransferToReview(grpc::ServerContext* ctx, const v1::CaseStepRequest* req,
                                v1::CaseResponse* resp) override;
  grpc::Status SubmitReviewOpinion(grpc::ServerContext* ctx, const v1::CaseNoteRequest* req,
                                   v1::CaseResponse* resp) override;
  grpc::Status CloseCase(grpc::ServerContext* ctx, const v1::CaseStepRequest* req,
                         v1::CaseResponse* resp) override;

 private:
  ServiceDeps deps_;
};

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_CASE_SERVICE_H_
