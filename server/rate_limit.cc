#include "server/rate_limit.h"

#include <algorithm>
#include <cmath>

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

RequestRateLimiter::RequestRateLimiter(Limits limits)
    : limits_(limits), global_capacity_(std::max(1.0, limits.global_per_second)) {
  global_.tokens = global_capacity_;
  global_.updated = absl::InfinitePast();
}

void RequestRateLimiter::Refill(Bucket& bucket, double capacity, double rate, absl::Time now) {
  if (bucket.updated == absl::InfinitePast() || now <= bucket.updated) {
    if (bucket.updated == absl::InfinitePast()) bucket.updated = now;
    return;
  }
  bucket.tokens =
      std::min(capacity, bucket.tokens + absl::ToDoubleSeconds(now - bucket.updated) * rate);
  bucket.updated = now;
}

namespace {

// Seconds until a bucket holding tokens has one, rounded up and at least 1.
int64_t SecondsUntilOne(double tokens, double rate) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - tokens) / rate)));
}

}  // namespace

size_t RequestRateLimiter::TEST_peer_count() {
  absl::MutexLock lock(&mu_);
  return peers_.size();
}

absl::Status RequestRateLimiter::Acquire(const std::string& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  Refill(global_, global_capacity_, limits_.global_per_second, now);
  // Bound memory: a full bucket carries no state, so drop those when many peers accumulate.
  if (peers_.size() > sweep_above_) {
    for (auto it = peers_.begin(); it != peers_.end();) {
      Refill(it->second, limits_.burst, limits_.per_second, now);
      it = it->second.tokens >= limits_.burst ? peers_.erase(it) : std::next(it);
    }
    sweep_above_ = std::max(kSweepAbove, 2 * peers_.size());
  }
  auto [it, inserted] = peers_.try_emplace(key, Bucket{static_cast<double>(limits_.burst), now});
  Bucket& peer = it->second;
  if (!inserted) Refill(peer, limits_.burst, limits_.per_second, now);
  if (peer.tokens < 1.0) {
    return absl::ResourceExhaustedError(
        "too many requests from this address; try again in " +
        std::to_string(SecondsUntilOne(peer.tokens, limits_.per_second)) + " s");
  }
  if (global_.tokens < 1.0) {
    return absl::ResourceExhaustedError(
        "the reporting service is busy; try again in " +
        std::to_string(SecondsUntilOne(global_.tokens, limits_.global_per_second)) + " s");
  }
  peer.tokens -= 1.0;
  global_.tokens -= 1.0;
  return absl::OkStatus();
}

}  // namespace jijian::server
