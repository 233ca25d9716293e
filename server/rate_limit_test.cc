#include "server/rate_limit.h"

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::server {
namespace {

using ::testing::HasSubstr;

const absl::Time kStart = absl::FromUnixSeconds(1'790'000'000);

TEST(FailureThrottleTest, FreshKeyIsAllowed) {
  FailureThrottle throttle(3, absl::Minutes(10));
  EXPECT_TRUE(throttle.Check("peer-a", kStart).ok());
}

TEST(FailureThrottleTest, AllowsMaxMinusOneFailures) {
  FailureThrottle throttle(3, absl::Minutes(10));
  for (int i = 0; i < 2; ++i) {
    throttle.RecordFailure("peer-a", kStart + absl::Seconds(i));
    EXPECT_TRUE(throttle.Check("peer-a", kStart + absl::Seconds(i)).ok()) << i;
  }
}

TEST(FailureThrottleTest, RefusesAtMaxWithWaitTime) {
  FailureThrottle throttle(3, absl::Minutes(10));
  for (int i = 0; i < 3; ++i) throttle.RecordFailure("peer-a", kStart + absl::Seconds(i));
  absl::Status st = throttle.Check("peer-a", kStart + absl::Seconds(2));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  // The oldest failure (at kStart) leaves the window at kStart + 600 s: 598 s from now,
  // plus one second of rounding up.
  EXPECT_THAT(std::string(st.message()), HasSubstr("try again in 599 s"));
  // Later, the wait shrinks.
  st = throttle.Check("peer-a", kStart + absl::Seconds(500));
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(st.message()), HasSubstr("try again in 101 s"));
}

TEST(FailureThrottleTest, DefaultIsFiveInFifteenMinutes) {
  FailureThrottle throttle;
  for (int i = 0; i < 4; ++i) throttle.RecordFailure("peer-a", kStart);
  EXPECT_TRUE(throttle.Check("peer-a", kStart).ok());
  throttle.RecordFailure("peer-a", kStart);
  EXPECT_EQ(throttle.Check("peer-a", kStart).code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(throttle.Check("peer-a", kStart + absl::Minutes(15) - absl::Seconds(1)).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(throttle.Check("peer-a", kStart + absl::Minutes(15)).ok());
}

TEST(FailureThrottleTest, RecoversAfterWindow) {
  FailureThrottle throttle(3, absl::Minutes(10));
  for (int i = 0; i < 3; ++i) throttle.RecordFailure("peer-a", kStart + absl::Minutes(i));
  // Failures at 0, 1 and 2 minutes.
  EXPECT_FALSE(throttle.Check("peer-a", kStart + absl::Minutes(9)).ok());
  EXPECT_FALSE(throttle.Check("peer-a", kStart + absl::Minutes(10) - absl::Seconds(1)).ok());
  // At 10 minutes the first failure has left the window: two remain, below the limit.
  EXPECT_TRUE(throttle.Check("peer-a", kStart + absl::Minutes(10)).ok());
  // One more failure refills it, until the failure at 1 minute leaves too.
  throttle.RecordFailure("peer-a", kStart + absl::Minutes(10));
  EXPECT_FALSE(throttle.Check("peer-a", kStart + absl::Minutes(10)).ok());
  EXPECT_TRUE(throttle.Check("peer-a", kStart + absl::Minutes(11)).ok());
  // Long after, everything has expired: max-1 new failures are allowed again.
  const absl::Time later = kStart + absl::Hours(5);
  EXPECT_TRUE(throttle.Check("peer-a", later).ok());
  throttle.RecordFailure("peer-a", later);
  throttle.RecordFailure("peer-a", later);
  EXPECT_TRUE(throttle.Check("peer-a", later).ok());
  throttle.RecordFailure("peer-a", later);
  EXPECT_FALSE(throttle.Check("peer-a", later).ok());
}

TEST(FailureThrottleTest, KeysAreIndependent) {
  FailureThrottle throttle(2, absl::Minutes(10));
  throttle.RecordFailure("peer-a", kStart);
  throttle.RecordFailure("peer-a", kStart);
  throttle.RecordFailure("peer-b", kStart);
  EXPECT_FALSE(throttle.Check("peer-a", kStart).ok());
  EXPECT_TRUE(throttle.Check("peer-b", kStart).ok());
  EXPECT_TRUE(throttle.Check("peer-c", kStart).ok());
  throttle.RecordFailure("peer-b", kStart);
  EXPECT_FALSE(throttle.Check("peer-b", kStart).ok());
  // peer-a recovering does not depend on peer-b.
  EXPECT_TRUE(throttle.Check("peer-a", kStart + absl::Minutes(10)).ok());
}

TEST(FailureThrottleTest, OldFailuresDoNotAccumulate) {
  // One failure every 6 minutes never reaches 3 within a 10-minute window.
  FailureThrottle throttle(3, absl::Minutes(10));
  for (int i = 0; i < 20; ++i) {
    const absl::Time now = kStart + absl::Minutes(6 * i);
    ASSERT_TRUE(throttle.Check("peer-a", now).ok()) << i;
    throttle.RecordFailure("peer-a", now);
  }
}

TEST(RequestRateLimiterTest, PeerBurstThenRefusedThenRefilled) {
  RequestRateLimiter limiter({.burst = 3, .per_second = 0.5, .global_per_second = 100});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Acquire("10.0.0.1", kStart).ok()) << i;
  absl::Status st = limiter.Acquire("10.0.0.1", kStart);
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(st.message()), HasSubstr("too many requests from this address"));
  EXPECT_THAT(std::string(st.message()), HasSubstr("try again in 2 s"));
  // Another peer has its own bucket.
  EXPECT_TRUE(limiter.Acquire("10.0.0.2", kStart).ok());
  // One token comes back after 2 s at 0.5 a second, not before.
  EXPECT_FALSE(limiter.Acquire("10.0.0.1", kStart + absl::Milliseconds(1900)).ok());
  EXPECT_TRUE(limiter.Acquire("10.0.0.1", kStart + absl::Seconds(2)).ok());
  EXPECT_FALSE(limiter.Acquire("10.0.0.1", kStart + absl::Seconds(2)).ok());
  // Refill stops at the burst size.
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(limiter.Acquire("10.0.0.1", kStart + absl::Hours(1)).ok()) << i;
  }
  EXPECT_FALSE(limiter.Acquire("10.0.0.1", kStart + absl::Hours(1)).ok());
}

TEST(RequestRateLimiterTest, GlobalCapBindsEveryPeerTogether) {
  RequestRateLimiter limiter({.burst = 5, .per_second = 5, .global_per_second = 4});
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(limiter.Acquire("peer-" + std::to_string(i), kStart).ok()) << i;
  }
  absl::Status st = limiter.Acquire("peer-new", kStart);
  EXPECT_EQ(st.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(st.message()), HasSubstr("busy"));
  EXPECT_TRUE(limiter.Acquire("peer-new", kStart + absl::Milliseconds(250)).ok());
}

TEST(RequestRateLimiterTest, ManyPeersAreForgottenOnceTheirBucketsAreFull) {
  RequestRateLimiter limiter({.burst = 1, .per_second = 1, .global_per_second = 1e9});
  for (int i = 0; i < 10001; ++i) {
    ASSERT_TRUE(limiter.Acquire("peer-" + std::to_string(i), kStart).ok()) << i;
  }
  EXPECT_EQ(limiter.TEST_peer_count(), 10001u);
  // Ten seconds later every bucket is full again: the next request sweeps them all away.
  EXPECT_TRUE(limiter.Acquire("peer-new", kStart + absl::Seconds(10)).ok());
  EXPECT_EQ(limiter.TEST_peer_count(), 1u);
  // A forgotten peer starts with a full bucket, as it would have by now anyway.
  EXPECT_TRUE(limiter.Acquire("peer-0", kStart + absl::Seconds(10)).ok());
  EXPECT_FALSE(limiter.Acquire("peer-0", kStart + absl::Seconds(10)).ok());
}

}  // namespace
}  // namespace jijian::server
