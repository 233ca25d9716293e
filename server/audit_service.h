// AuditService: signed tree heads, inclusion and consistency proofs, events and timelines
// of the audit log. Read-only: every handler reads one WAL snapshot through the store's
// reader pool, so a response's proofs and head always belong to the same tree.
#ifndef JIJIAN_SERVER_AUDIT_SERVICE_H_
#define JIJIAN_SERVER_AUDIT_SERVICE_H_

#include "jijian/v1/audit.grpc.pb.h"
#include "server/service_support.h"

namespace jijian::server {

// The most events one GetEvents call returns.
inline constexpr int64_t kMaxEventsPerCall = 1000;
// The most events one timeline holds, and the most objects it follows through links.
inline constexpr size_t kMaxTimelineEvents = 10000;
inline constexpr size_t kMaxTimelineObjects = 1000;

// Thread-safe; deps must outlive it.
class AuditServiceImpl final : public v1::AuditService::Service {
 public:
  explicit AuditServiceImpl(ServiceDeps deps) : deps_(deps) {}

  grpc::Status GetTreeHead(grpc::ServerContext* ctx, const v1::GetTreeHeadRequest* req,
                           v1::GetTreeHeadResponse* resp) override;
  grpc::Status GetInclusionProof(grpc::ServerContext* ctx, const v1::GetInclusionProofRequest* req,
                                 v1::GetInclusionProofResponse* resp) override;
  grpc::Status GetConsistencyProof(grpc::ServerContext* ctx,
                                   const v1::GetConsistencyProofRequest* req,
                                   v1::GetConsistencyProofResponse* resp) override;
  grpc::Status GetEvents(grpc::ServerContext* ctx, const v1::GetEventsRequest* req,
                         v1::GetEventsResponse* resp) override;
  grpc::Status Timeline(grpc::ServerContext* ctx, const v1::TimelineRequest* req,
                        v1::TimelineResponse* resp) override;

 private:
  ServiceDeps deps_;
};

// The timeline of object_id (and of every object linked to it) read from db, in seq order,
// each event with its inclusion proof to the newest signed head. Run inside one read
// snapshot. What AuditService.Timeline answers; exposed for benchmarks.
absl::Status BuildTimeline(storage::Db& db, const std::string& object_id,
                           v1::TimelineResponse* resp);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_AUDIT_SERVICE_H_
