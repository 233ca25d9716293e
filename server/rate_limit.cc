#include "server/rate_limit.h"

namespace jijian::server {

void FailureThrottle::Expire(std::deque<absl::Time>& times, absl::Time now) {
  while (!times.empty() && now - times.front() >= window_) times.pop_front();
}

absl::Status FailureThrottle::Check(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return absl::OkStatus();
  Expire(it->second, now);
  if (static_cast<int>(it->second.size()) < max_failures_) {
    if (it->second.empty()) failures_.erase(it);
    return absl::OkStatus();
  }
  int64_t wait = absl::ToInt64Seconds(it->second.front() + window_ - now) + 1;
  return absl::ResourceExhaustedError("too many wrong receipt codes; try again in " +
                                      std::to_string(wait) + " s");
}

void FailureThrottle::RecordFailure(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  // Bound memory: when many keys accumulate, drop those whose failures have all expired.
  if (failures_.size() > kSweepAbove) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      Expire(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  std::deque<absl::Time>& times = failures_[key];
  Expire(times, now);
  times.push_back(now);
}

}  // namespace jijian::server
