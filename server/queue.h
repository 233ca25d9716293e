// What waits for a user (`jijian my`): their leads and cases with the next action and its
// due date, most urgent first.
#ifndef JIJIAN_SERVER_QUEUE_H_
#define JIJIAN_SERVER_QUEUE_H_

#include "absl/status/statusor.h"
#include "jijian/v1/lead.pb.h"
#include "server/service_support.h"

namespace jijian::server {

// Builds the queue of caller from one read snapshot: an inspector's own leads and cases, the
// approvals a leader may give (never on their own proposals), a reviewer's cases in review,
// and a case manager's assignments, higher reports, held leads due and executions.
absl::StatusOr<v1::MyQueueResponse> BuildQueue(const ServiceDeps& deps, const Caller& caller);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_QUEUE_H_
