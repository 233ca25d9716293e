// Throttling in memory: repeated failures (wrong receipt codes) per caller key, and token
// buckets that bound the request rate per peer and overall (the reporter port).
#ifndef JIJIAN_SERVER_RATE_LIMIT_H_
#define JIJIAN_SERVER_RATE_LIMIT_H_

#include <deque>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace jijian::server {

// Refuses a key that failed max_failures times within window, until the oldest of those
// failures leaves the window. Thread-safe.
class FailureThrottle {
 public:
  explicit FailureThrottle(int max_failures = 5, absl::Duration window = absl::Minutes(15))
      : max_failures_(max_failures), window_(window) {}

  // OK, or RESOURCE_EXHAUSTED saying how long to wait.
  absl::Status Check(const std::string& key, absl::Time now);
  // Records one failure of key at now.
  void RecordFailure(const std::string& key, absl::Time now);

 private:
  void Expire(std::deque<absl::Time>& times, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  static constexpr size_t kSweepAbove = 10000;
  const int max_failures_;
  const absl::Duration window_;
  absl::Mutex mu_;
  std::map<std::string, std::deque<absl::Time>> failures_ ABSL_GUARDED_BY(mu_);
};

// Token buckets: one per key (a peer address) holding up to burst tokens and refilled at
// per_second, plus one global bucket refilled at global_per_second (burst: one second's
// worth, at least 1). A request takes one token from both or is refused. Thread-safe.
class RequestRateLimiter {
 public:
  struct Limits {
    int burst = 20;                   // requests a peer may make at once
    double per_second = 0.5;          // a peer's sustained rate (30 a minute)
    double global_per_second = 50.0;  // every peer together
  };
  explicit RequestRateLimiter(Limits limits);

  // Takes a token for key at now: OK, or RESOURCE_EXHAUSTED saying which limit was hit and
  // how long to wait. A refused request takes no token.
  absl::Status Acquire(const std::string& key, absl::Time now);

  // Addresses currently remembered (tests only).
  size_t TEST_peer_count();

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  // Adds the tokens earned since bucket.updated, up to capacity.
  static void Refill(Bucket& bucket, double capacity, double rate, absl::Time now);

  static constexpr size_t kSweepAbove = 10000;
  const Limits limits_;
  const double global_capacity_;
  absl::Mutex mu_;
  Bucket global_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, Bucket> peers_ ABSL_GUARDED_BY(mu_);
  // The table size that triggers the next sweep: doubled past what a sweep could not
  // drop, so that many busy peers cost amortised O(1) per request, not a sweep each.
  size_t sweep_above_ ABSL_GUARDED_BY(mu_) = kSweepAbove;
};

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_RATE_LIMIT_H_
