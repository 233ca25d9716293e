// LeadService (问题线索): the lead ledger, assignment with recusal, disposal proposals and
// their approval, inquiry, verification, hold, the report to the higher commission, and
// each user's queue. Inspectors see only what is assigned to them.
#ifndef JIJIAN_SERVER_LEAD_SERVICE_H_
#define JIJIAN_SERVER_LEAD_SERVICE_H_

#include "jijian/v1/lead.grpc.pb.h"
#include "server/service_support.h"

namespace jijian::server {

class LeadServiceImpl final : public v1::LeadService::Service {
 public:
  explicit LeadServiceImpl(ServiceDeps deps) : deps_(deps) {}

  grpc::Status RegisterLead(grpc::ServerContext* ctx, const v1::RegisterLeadRequest* req,
                            v1::LeadResponse* resp) override;
  grpc::Status GetLead(grpc::ServerContext* ctx, const v1::GetLeadRequest* req,
                       v1::LeadResponse* resp) override;
  grpc::Status ListLeads(grpc::ServerContext* ctx, const v1::ListLeadsRequest* req,
                         v1::ListLeadsResponse* resp) override;
  grpc::Status AssignLead(grpc::ServerContext* ctx, const v1::AssignLeadRequest* req,
                          v1::LeadResponse* resp) override;
  grpc::Status ProposeDisposal(grpc::ServerContext* ctx, const v1::ProposeDisposalRequest* req,
                               v1::LeadResponse* resp) override;
  grpc::Status ApproveProposal(grpc::ServerContext* ctx, const v1::DecideProposalRequest* req,
                               v1::LeadResponse* resp) override;
  grpc::Status RejectProposal(grpc::ServerContext* ctx, const v1::DecideProposalRequest* req,
                              v1::LeadResponse* resp) override;
  grpc::Status RecordInquirySent(grpc::ServerContext* ctx, const v1::LeadNoteRequest* req,
                                 v1::LeadResponse* resp) override;
  grpc::Status RecordInquiryReply(grpc::ServerContext* ctx, const v1::LeadNoteRequest* req,
                                  v1::LeadResponse* resp) override;
  grpc::Status RecordVerificationPlan(grpc::ServerContext* ctx, const v1::LeadNoteRequest* req,
                                      v1::LeadResponse* resp) override;
  grpc::Status SubmitVerificationReport(grpc::ServerContext* ctx,
                                        const v1::VerificationReportRequest* req,
                                        v1::LeadResponse* resp) override;
  grpc::Status RecordHigherReport(grpc::ServerContext* ctx, const v1::LeadNoteRequest* req,
                                  v1::LeadResponse* resp) override;
  grpc::Status DeclareRecusal(grpc::ServerContext* ctx, const v1::DeclareRecusalRequest* req,
                              v1::DeclareRecusalResponse* resp) override;
  grpc::Status MyQueue(grpc::ServerContext* ctx, const v1::MyQueueRequest* req,
                       v1::MyQueueResponse* resp) override;

 private:
  ServiceDeps deps_;
};

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_LEAD_SERVICE_H_
