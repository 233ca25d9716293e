// What waits for a user (`jijian my`): their leads and cases with the next action and its
// due date, a page at a time.
#ifndef JIJIAN_SERVER_QUEUE_H_
#define JIJIAN_SERVER_QUEUE_H_

#include <string>

#include "absl/status/statusor.h"
#include "jijian/v1/lead.pb.h"
#include "server/service_support.h"

namespace jijian::server {

// Builds one page of the queue of caller from one read snapshot: an inspector's own leads
// and cases, the approvals a leader may give (never on their own proposals or filing
// requests), a reviewer's cases in review, and a case manager's assignments, filing requests,
// higher reports, held leads due and executions. The queue runs leads first, then cases,
// each in id order (year, then number); a page holds at most page_size items after
// page_token (the id of the last item of the previous page, or "" for the first page) and
// carries the next page's token when more follow. Every lane of the queue is read through
// its own index (storage::ListLeadLane, storage::ListCaseLane), so a page costs about
// page_size rows per lane however large the ledger. Expects page_size >= 1 and page_token
// "" or an id checked by domain::CheckObjectId as a lead (XS) or case (LA). Thread-safe.
absl::StatusOr<v1::MyQueueResponse> BuildQueue(const ServiceDeps& deps, const Caller& caller,
                                               const std::string& page_token, int page_size);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_QUEUE_H_
