// DispositionService (四种形态): the disposition of each person in a lead or case, proposed
// by a reviewer or the assigned inspector and approved by a leader who is not the proposer;
// its execution, the period that follows it, appeals, and integrity opinions. The form is
// derived from the measures (server/domain/measures.h); a case's persons are decided by
// their approved dispositions.
#ifndef JIJIAN_SERVER_DISPOSITION_SERVICE_H_
#define JIJIAN_SERVER_DISPOSITION_SERVICE_H_

#include <map>

#include "jijian/v1/disposition.grpc.pb.h"
#include "server/service_support.h"
#include "storage/dispositions.h"

namespace jijian::server {

class DispositionServiceImpl final : public v1::DispositionService::Service {
 public:
  explicit DispositionServiceImpl(ServiceDeps deps) : deps_(deps) {}

  grpc::Status RecordDisposition(grpc::ServerContext* ctx, const v1::RecordDispositionRequest* req,
                                 v1::DispositionResponse* resp) override;
  grpc::Status ApproveDisposition(grpc::ServerContext* ctx, const v1::DispositionStepRequest* req,
                                  v1::DispositionResponse* resp) override;
  grpc::Status RejectDisposition(grpc::ServerContext* ctx, const v1::DispositionStepRequest* req,
                                 v1::DispositionResponse* resp) override;
  grpc::Status RecordExecution(grpc::ServerContext* ctx,
                               const v1::DispositionExecutionRequest* req,
                               v1::DispositionResponse* resp) override;
  grpc::Status RegisterAppeal(grpc::ServerContext* ctx, const v1::RegisterAppealRequest* req,
                              v1::DispositionResponse* resp) override;
  grpc::Status DecideAppeal(grpc::ServerContext* ctx, const v1::DecideAppealRequest* req,
                            v1::DispositionResponse* resp) override;
  grpc::Status GetDisposition(grpc::ServerContext* ctx, const v1::GetDispositionRequest* req,
                              v1::DispositionResponse* resp) override;
  grpc::Status ListDispositions(grpc::ServerContext* ctx, const v1::ListDispositionsRequest* req,
                                v1::ListDispositionsResponse* resp) override;
  grpc::Status ListMeasures(grpc::ServerContext* ctx, const v1::ListMeasuresRequest* req,
                            v1::ListMeasuresResponse* resp) override;
  grpc::Status IntegrityCheck(grpc::ServerContext* ctx, const v1::IntegrityCheckRequest* req,
                              v1::IntegrityCheckResponse* resp) override;

 private:
  ServiceDeps deps_;
};

// What a case's persons need from dispositions: the approved disposition of each person
// (by subject index), read by the case service to show decisions and to decide closure.
absl::StatusOr<std::map<int64_t, storage::DispositionRow>> ApprovedByPerson(
    storage::Db& db, const std::string& object_id);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_DISPOSITION_SERVICE_H_
