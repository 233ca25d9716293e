// ReporterService: the reporter port's only service, for a public reporting portal. Nobody
// is authenticated there; a receipt code is the only credential. Every call is rate-limited
// per peer address and overall, wrong receipt codes are throttled per address, and writes
// are recorded under one shared actor that does not identify the reporter.
#ifndef JIJIAN_SERVER_REPORTER_SERVICE_H_
#define JIJIAN_SERVER_REPORTER_SERVICE_H_

#include <string>

#include "jijian/v1/petition.grpc.pb.h"
#include "server/rate_limit.h"
#include "server/service_support.h"

namespace jijian::server {

// The audit actor of every write made through the reporter port.
inline constexpr char kReporterPortalActor[] = "reporter-portal";

// Thread-safe. The limits come from deps.config, read once at construction.
class ReporterServiceImpl final : public v1::ReporterService::Service {
 public:
  explicit ReporterServiceImpl(ServiceDeps deps);

  grpc::Status SubmitPetition(grpc::ServerContext* ctx, const v1::SubmitPetitionRequest* req,
                              v1::SubmitPetitionResponse* resp) override;
  grpc::Status CheckStatus(grpc::ServerContext* ctx, const v1::CheckStatusRequest* req,
                           v1::CheckStatusResponse* resp) override;
  grpc::Status AddMaterial(grpc::ServerContext* ctx, const v1::AddMaterialRequest* req,
                           v1::AddMaterialResponse* resp) override;
  grpc::Status GetReplies(grpc::ServerContext* ctx, const v1::GetRepliesRequest* req,
                          v1::GetRepliesResponse* resp) override;

 private:
  // The peer's address without its port ("ipv4:10.0.0.7"): the key of its rate limits.
  static std::string PeerKey(const grpc::ServerContext& ctx);
  // Takes a token for the peer: OK or RESOURCE_EXHAUSTED.
  absl::Status Admit(const std::string& peer);
  // Normalises a receipt code and returns its keyed digests (every index key generation); a malformed code counts as a
  // wrong one. Checks the wrong-code throttle first.
  absl::StatusOr<std::vector<std::string>> ReceiptDigestsFor(const std::string& peer,
                                                             const std::string& code);

  ServiceDeps deps_;
  RequestRateLimiter limiter_;
  FailureThrottle throttle_;
};

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_REPORTER_SERVICE_H_
