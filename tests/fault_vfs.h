// Test-only SQLite VFS that wraps the default (unix) VFS and makes writes fail the way a
// full or failing disk does: xWrite returns SQLITE_FULL or SQLITE_IOERR_WRITE (after writing
// what still "fits", so a commit can be torn mid-frame), xSync SQLITE_IOERR_FSYNC, xTruncate
// SQLITE_IOERR_TRUNCATE; or makes reads fail: xRead returns SQLITE_IOERR_READ. It is compiled only into test binaries; production code has no hook.
#ifndef JIJIAN_TESTS_FAULT_VFS_H_
#define JIJIAN_TESTS_FAULT_VFS_H_

#include <cstdint>
#include <string>

namespace jijian::testing {

class FaultVfs {
 public:
  enum class Kind {
    // Files may grow by the budget in all; a write growing them further gets SQLITE_FULL
    // (what ENOSPC gives) after the part that fits. Rewriting allocated bytes succeeds.
    kDiskFull,
    // Writes succeed for the budget in bytes; then every write fails with
    // SQLITE_IOERR_WRITE (after the part that fits), and so do xSync and xTruncate.
    kIoError,
    // Every xSync fails with SQLITE_IOERR_FSYNC; writes succeed (the fsync-gate case).
    kSyncError,
    // Every xRead fails with SQLITE_IOERR_READ (a bad sector, a failing disk); writes and
    // fsyncs succeed. Pages already in a connection's cache still read.
    kReadError
  };

  // Registers the VFS as the process default (once; later calls do nothing). Only
  // connections opened afterwards use it. Thread-safe.
  static void Install();

  // Watches files whose path starts with prefix (database, WAL and journals below a folder):
  // counts the bytes written to them from now on, and disarms any fault. Thread-safe.
  static void Watch(const std::string& prefix);
  // Bytes written to watched files since Watch() (including a torn write's part).
  static int64_t BytesWritten();

  // From now on, watched files fail as kind says, after a budget of bytes_allowed
  // (kSyncError and kReadError have none). Faults stay until Disarm(). Thread-safe.
  static void Arm(Kind kind, int64_t bytes_allowed = 0);
  // Stops injecting faults (the disk has room again / works again).
  static void Disarm();
  // Operations failed on purpose since Install().
  static int64_t Injected();
};

}  // namespace jijian::testing

#endif  // JIJIAN_TESTS_FAULT_VFS_H_
