// StatsService: the commission's statistics for a period (and optionally one unit), read
// from the counters the write path keeps over plain columns (storage/stats.h; no decryption):
// the four forms in person-times with the published sentence, petitions, leads, cases and a
// monthly trend.
#ifndef JIJIAN_SERVER_STATS_SERVICE_H_
#define JIJIAN_SERVER_STATS_SERVICE_H_

#include "jijian/v1/disposition.grpc.pb.h"
#include "server/domain/measures.h"
#include "server/service_support.h"
#include "storage/db.h"
#include "storage/stats.h"

namespace jijian::server {

class StatsServiceImpl final : public v1::StatsService::Service {
 public:
  explicit StatsServiceImpl(ServiceDeps deps) : deps_(deps) {}

  grpc::Status GetStatistics(grpc::ServerContext* ctx, const v1::GetStatisticsRequest* req,
                             v1::Statistics* resp) override;

 private:
  ServiceDeps deps_;
};

// Computes the statistics of [from, to] (dates YYYY-MM-DD, already checked) from db. today
// decides which deadlines count as due. source says whether the counts come from the
// counters (as the service answers) or from the rows themselves (a recount, for tests and
// benchmarks; the same answer, at a cost that grows with the rows). Exposed for tests and
// benchmarks.
absl::StatusOr<v1::Statistics> ComputeStatistics(
    storage::Db& db, const domain::MeasureTable& measures, const std::string& from,
    const std::string& to, const std::string& unit, const std::string& today,
    storage::StatsSource source = storage::StatsSource::kCounters);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_STATS_SERVICE_H_
