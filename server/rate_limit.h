// Throttling of repeated failures (wrong receipt codes), per caller key, in memory.
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

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_RATE_LIMIT_H_
