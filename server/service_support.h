// What every staff service shares: the store, the authenticator, the configuration and
// the CA, and the helpers that run a mutation and turn its result into a response.
#ifndef JIJIAN_SERVER_SERVICE_SUPPORT_H_
#define JIJIAN_SERVER_SERVICE_SUPPORT_H_

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "server/auth.h"
#include "server/config.h"
#include "server/domain/calendar.h"
#include "server/domain/measures.h"
#include "server/grpc_status.h"
#include "server/pki.h"
#include "storage/store.h"

namespace jijian::server {

// Borrowed pointers; everything must outlive the services that hold it.
struct ServiceDeps {
  storage::Store* store = nullptr;
  const Authenticator* auth = nullptr;
  const ServerConfig* config = nullptr;
  const KeyAndCert* ca = nullptr;
  const domain::WorkCalendar* calendar = nullptr;
  const domain::MeasureTable* measures = nullptr;  // the four-forms measures in force
};

// Today's date where the commission works (China Standard Time, UTC+8, no DST).
inline absl::CivilDay Today() {
  return absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600));
}

// Runs body as one mutation for actor under request_id and parses its result into
// response. The result bytes are what a retry with the same request id gets back.
template <typename Response>
grpc::Status RunMutation(const ServiceDeps& deps, const storage::Actor& actor,
                         const std::string& request_id, storage::MutationFn body,
                         Response* response) {
  absl::StatusOr<std::string> bytes = deps.store->Apply(actor, request_id, std::move(body));
  if (!bytes.ok()) return ToGrpcStatus(bytes.status());
  if (!response->ParseFromString(*bytes)) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "stored result could not be read");
  }
  return grpc::Status::OK;
}

// The same for an authenticated staff caller.
template <typename Response>
grpc::Status RunMutation(const ServiceDeps& deps, const Caller& caller,
                         const std::string& request_id, storage::MutationFn body,
                         Response* response) {
  return RunMutation(deps, caller.actor(), request_id, std::move(body), response);
}

// Serialises a response as a mutation's result.
template <typename Response>
absl::StatusOr<std::string> Serialized(const Response& response) {
  std::string out;
  if (!response.SerializeToString(&out)) return absl::InternalError("response not serialisable");
  return out;
}

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_SERVICE_SUPPORT_H_
