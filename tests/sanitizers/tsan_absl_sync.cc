// ThreadSanitizer builds only (JIJIAN_SANITIZE=thread; docs/testing.md).
//
// Debian's Abseil is built without TSan, so absl::Mutex and absl::CondVar, whose locking is
// implemented in libabsl_synchronization.so with atomics and futexes, are invisible to it:
// every variable guarded by an absl::Mutex would be reported as a race (checked with a
// two-thread counter under a MutexLock: one false report). Rather than suppress those
// reports, which would hide real races in the same code, this file interposes the
// out-of-line locking functions of that library, calls the real ones, and tells TSan the
// happens-before edge each creates: release before giving a mutex up, acquire after taking
// it. gRPC's own absl::Mutex calls go through here too, since the executable exports these
// symbols to the libraries that use them.
//
// The mangled names are those of Debian 12's libabsl 20220623 (inline namespace debian3).
// A name that is not found aborts at the first use, naming it.
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace {

template <typename Fn>
Fn Real(const char* mangled) {
  void* sym = dlsym(RTLD_NEXT, mangled);
  if (sym == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: %s not found in the Abseil library\n", mangled);
    std::abort();
  }
  return reinterpret_cast<Fn>(sym);
}

using MutexFn = void (*)(absl::Mutex*);
using MutexTryFn = bool (*)(absl::Mutex*);
using MutexCondFn = void (*)(absl::Mutex*, const absl::Condition&);
using MutexCondDurationFn = bool (*)(absl::Mutex*, const absl::Condition&, absl::Duration);
using MutexCondTimeFn = bool (*)(absl::Mutex*, const absl::Condition&, absl::Time);
using CondVarWaitFn = void (*)(absl::CondVar*, absl::Mutex*);
using CondVarDurationFn = bool (*)(absl::CondVar*, absl::Mutex*, absl::Duration);
using CondVarTimeFn = bool (*)(absl::CondVar*, absl::Mutex*, absl::Time);

#define JIJIAN_REAL(type, name) static const auto real = Real<type>(name)

// Abseil evaluates a waiter's condition inside the library, holding the mutex, in whichever
// thread gets to it (the waiter itself before it gives the mutex up, or a thread locking or
// unlocking it), outside what the wrappers below see. So each condition is wrapped in one
// that acquires the mutex for TSan before evaluating and releases it after: the condition's
// reads are ordered after the last holder's writes and before the next holder's. The
// wrapper reads its own context without instrumentation: that context is on the waiter's
// stack, and the acquire that orders those reads is what the wrapper is for.
struct GuardedCondition {
  absl::Mutex* mu;
  const absl::Condition* cond;
};

__attribute__((no_sanitize_thread)) bool AcquireThenEval(void* arg) {
  const auto* g = static_cast<const GuardedCondition*>(arg);
  __tsan_acquire(g->mu);
  const bool met = g->cond->Eval();
  __tsan_release(g->mu);
  return met;
}

}  // namespace

// Declares `guarded`, the condition cond evaluated after an acquire of mutex mu.
#define JIJIAN_GUARD(mu, cond)                  \
  GuardedCondition guarded_context{mu, &cond}; \
  const absl::Condition guarded(&AcquireThenEval, &guarded_context)

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  JIJIAN_REAL(MutexFn, "_ZN4absl7debian35Mutex4LockEv");
  real(this);
  __tsan_acquire(this);
}

void Mutex::ReaderLock() {
  JIJIAN_REAL(MutexFn, "_ZN4absl7debian35Mutex10ReaderLockEv");
  real(this);
  __tsan_acquire(this);
}

bool Mutex::TryLock() {
  JIJIAN_REAL(MutexTryFn, "_ZN4absl7debian35Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

bool Mutex::ReaderTryLock() {
  JIJIAN_REAL(MutexTryFn, "_ZN4absl7debian35Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) __tsan_acquire(this);
  return locked;
}

void Mutex::Unlock() {
  JIJIAN_REAL(MutexFn, "_ZN4absl7debian35Mutex6UnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::ReaderUnlock() {
  JIJIAN_REAL(MutexFn, "_ZN4absl7debian35Mutex12ReaderUnlockEv");
  __tsan_release(this);
  real(this);
}

void Mutex::LockWhen(const Condition& cond) {
  JIJIAN_REAL(MutexCondFn, "_ZN4absl7debian35Mutex8LockWhenERKNS0_9ConditionE");
  JIJIAN_GUARD(this, cond);
  real(this, guarded);
  __tsan_acquire(this);
}

void Mutex::ReaderLockWhen(const Condition& cond) {
  JIJIAN_REAL(MutexCondFn, "_ZN4absl7debian35Mutex14ReaderLockWhenERKNS0_9ConditionE");
  JIJIAN_GUARD(this, cond);
  real(this, guarded);
  __tsan_acquire(this);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  JIJIAN_REAL(MutexCondDurationFn,
              "_ZN4absl7debian35Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  JIJIAN_GUARD(this, cond);
  const bool met = real(this, guarded, timeout);
  __tsan_acquire(this);  // held on return either way
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  JIJIAN_REAL(MutexCondTimeFn,
              "_ZN4absl7debian35Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  JIJIAN_GUARD(this, cond);
  const bool met = real(this, guarded, deadline);
  __tsan_acquire(this);
  return met;
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  JIJIAN_REAL(MutexCondDurationFn,
              "_ZN4absl7debian35Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  JIJIAN_GUARD(this, cond);
  const bool met = real(this, guarded, timeout);
  __tsan_acquire(this);
  return met;
}

bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  JIJIAN_REAL(MutexCondTimeFn,
              "_ZN4absl7debian35Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  JIJIAN_GUARD(this, cond);
  const bool met = real(this, guarded, deadline);
  __tsan_acquire(this);
  return met;
}

// Await gives the mutex up while it waits and holds it again on return.
void Mutex::Await(const Condition& cond) {
  JIJIAN_REAL(MutexCondFn, "_ZN4absl7debian35Mutex5AwaitERKNS0_9ConditionE");
  __tsan_release(this);
  JIJIAN_GUARD(this, cond);
  real(this, guarded);
  __tsan_acquire(this);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  JIJIAN_REAL(MutexCondDurationFn,
              "_ZN4absl7debian35Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  __tsan_release(this);
  JIJIAN_GUARD(this, cond);
  const bool met = real(this, guarded, timeout);
  __tsan_acquire(this);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  JIJIAN_REAL(MutexCondTimeFn,
              "_ZN4absl7debian35Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  __tsan_release(this);
  JIJIAN_GUARD(this, cond);
  const bool met = real(this, guarded, deadline);
  __tsan_acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  JIJIAN_REAL(CondVarWaitFn, "_ZN4absl7debian37CondVar4WaitEPNS0_5MutexE");
  __tsan_release(mu);
  real(this, mu);
  __tsan_acquire(mu);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  JIJIAN_REAL(CondVarDurationFn,
              "_ZN4absl7debian37CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, timeout);
  __tsan_acquire(mu);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  JIJIAN_REAL(CondVarTimeFn, "_ZN4absl7debian37CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  __tsan_release(mu);
  const bool timed_out = real(this, mu, deadline);
  __tsan_acquire(mu);
  return timed_out;
}

ABSL_NAMESPACE_END
}  // namespace absl
