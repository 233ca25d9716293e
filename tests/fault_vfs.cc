#include "tests/fault_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace jijian::testing {
namespace {

constexpr char kVfsName[] = "jijian-fault";

// What the VFS currently does; guarded by Mu().
struct State {
  std::string prefix;  // empty: nothing watched
  int64_t written = 0;
  bool armed = false;
  FaultVfs::Kind kind = FaultVfs::Kind::kDiskFull;
  int64_t allowed = 0;   // kDiskFull: bytes the files may still grow; kIoError: bytes written
  bool tripped = false;  // kIoError: a write has failed since Arm()
  int64_t injected = 0;
};

std::mutex& Mu() {
  static std::mutex mu;
  return mu;
}
State& St() {
  static State state;
  return state;
}

sqlite3_vfs* Root() { return sqlite3_vfs_find("unix"); }

// A file of the fault VFS: our header, then the real file SQLite's unix VFS fills in.
struct FaultFile {
  sqlite3_file base;
  const char* name;  // valid until xClose (SQLite's guarantee); null for temp files
  sqlite3_file* real;
};

FaultFile* F(sqlite3_file* f) { return reinterpret_cast<FaultFile*>(f); }

bool Watched(const char* name) {
  const State& s = St();
  return name != nullptr && !s.prefix.empty() &&
         std::strncmp(name, s.prefix.c_str(), s.prefix.size()) == 0;
}

int Close(sqlite3_file* f) {
  int rc = F(f)->real->pMethods ? F(f)->real->pMethods->xClose(F(f)->real) : SQLITE_OK;
  F(f)->real->pMethods = nullptr;
  return rc;
}
int Read(sqlite3_file* f, void* buf, int amt, sqlite3_int64 off) {
  {
    std::lock_guard<std::mutex> lock(Mu());
    State& s = St();
    if (Watched(F(f)->name) && s.armed && s.kind == FaultVfs::Kind::kReadError) {
      ++s.injected;
      return SQLITE_IOERR_READ;
    }
  }
  return F(f)->real->pMethods->xRead(F(f)->real, buf, amt, off);
}
int Write(sqlite3_file* f, const void* buf, int amt, sqlite3_int64 off) {
  sqlite3_int64 size = 0;
  if (F(f)->real->pMethods->xFileSize(F(f)->real, &size) != SQLITE_OK) size = 0;
  int fault = SQLITE_OK;
  int64_t pass = amt;  // bytes handed to the real file
  {
    std::lock_guard<std::mutex> lock(Mu());
    State& s = St();
    if (Watched(F(f)->name) && s.armed) {
      if (s.kind == FaultVfs::Kind::kDiskFull) {
        // Like a file system: rewriting allocated bytes needs no room, growing the file
        // does; the disk takes what still fits, then refuses the rest.
        const int64_t growth = std::max<int64_t>(0, off + amt - size);
        if (growth > s.allowed) {
          pass = std::clamp<int64_t>(size + s.allowed - off, 0, amt);
          fault = SQLITE_FULL;
        }
        s.allowed -= std::max<int64_t>(0, off + pass - size);
      } else if (s.kind == FaultVfs::Kind::kIoError) {
        // A failing disk: past the budget, this and every later write fails.
        if (s.tripped || amt > s.allowed) {
          pass = s.tripped ? 0 : s.allowed;
          s.tripped = true;
          fault = SQLITE_IOERR_WRITE;
        }
        s.allowed -= pass;
      }
      if (fault != SQLITE_OK) ++s.injected;
    }
    if (Watched(F(f)->name)) s.written += pass;
  }
  if (pass > 0) {
    int rc = F(f)->real->pMethods->xWrite(F(f)->real, buf, static_cast<int>(pass), off);
    if (rc != SQLITE_OK) return rc;
  }
  return fault;
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  {
    std::lock_guard<std::mutex> lock(Mu());
    State& s = St();
    if (Watched(F(f)->name) && s.armed && s.tripped && s.kind == FaultVfs::Kind::kIoError) {
      ++s.injected;
      return SQLITE_IOERR_TRUNCATE;
    }
  }
  return F(f)->real->pMethods->xTruncate(F(f)->real, size);
}
int Sync(sqlite3_file* f, int flags) {
  {
    std::lock_guard<std::mutex> lock(Mu());
    State& s = St();
    if (Watched(F(f)->name) && s.armed &&
        (s.kind == FaultVfs::Kind::kSyncError ||
         (s.kind == FaultVfs::Kind::kIoError && s.tripped))) {
      ++s.injected;
      return SQLITE_IOERR_FSYNC;
    }
  }
  return F(f)->real->pMethods->xSync(F(f)->real, flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return F(f)->real->pMethods->xFileSize(F(f)->real, size);
}
int Lock(sqlite3_file* f, int level) { return F(f)->real->pMethods->xLock(F(f)->real, level); }
int Unlock(sqlite3_file* f, int level) { return F(f)->real->pMethods->xUnlock(F(f)->real, level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return F(f)->real->pMethods->xCheckReservedLock(F(f)->real, out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return F(f)->real->pMethods->xFileControl(F(f)->real, op, arg);
}
int SectorSize(sqlite3_file* f) { return F(f)->real->pMethods->xSectorSize(F(f)->real); }
int DeviceCharacteristics(sqlite3_file* f) {
  return F(f)->real->pMethods->xDeviceCharacteristics(F(f)->real);
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return F(f)->real->pMethods->xShmMap(F(f)->real, region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return F(f)->real->pMethods->xShmLock(F(f)->real, offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { F(f)->real->pMethods->xShmBarrier(F(f)->real); }
int ShmUnmap(sqlite3_file* f, int del) { return F(f)->real->pMethods->xShmUnmap(F(f)->real, del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int amt, void** out) {
  return F(f)->real->pMethods->xFetch(F(f)->real, off, amt, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return F(f)->real->pMethods->xUnfetch(F(f)->real, off, p);
}

// Version 3 methods, forwarding to the unix VFS's (version 3 too).
const sqlite3_io_methods kMethods = {3,
                                     Close,
                                     Read,
                                     Write,
                                     Truncate,
                                     Sync,
                                     FileSize,
                                     Lock,
                                     Unlock,
                                     CheckReservedLock,
                                     FileControl,
                                     SectorSize,
                                     DeviceCharacteristics,
                                     ShmMap,
                                     ShmLock,
                                     ShmBarrier,
                                     ShmUnmap,
                                     Fetch,
                                     Unfetch};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  FaultFile* p = F(file);
  p->name = name;
  p->real = reinterpret_cast<sqlite3_file*>(p + 1);
  std::memset(p->real, 0, Root()->szOsFile);
  int rc = Root()->xOpen(Root(), name, p->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set: leave it null if the real open failed.
  p->base.pMethods = p->real->pMethods != nullptr ? &kMethods : nullptr;
  return rc;
}
int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  return Root()->xDelete(Root(), name, sync_dir);
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return Root()->xAccess(Root(), name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return Root()->xFullPathname(Root(), name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return Root()->xDlOpen(Root(), name); }
void DlError(sqlite3_vfs*, int n, char* msg) { Root()->xDlError(Root(), n, msg); }
void (*DlSym(sqlite3_vfs*, void* h, const char* sym))(void) {
  return Root()->xDlSym(Root(), h, sym);
}
void DlClose(sqlite3_vfs*, void* h) { Root()->xDlClose(Root(), h); }
int Randomness(sqlite3_vfs*, int n, char* out) { return Root()->xRandomness(Root(), n, out); }
int Sleep(sqlite3_vfs*, int us) { return Root()->xSleep(Root(), us); }
int CurrentTime(sqlite3_vfs*, double* out) { return Root()->xCurrentTime(Root(), out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return Root()->xGetLastError(Root(), n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return Root()->xCurrentTimeInt64(Root(), out);
}

}  // namespace

void FaultVfs::Install() {
  static std::once_flag once;
  std::call_once(once, [] {
    static sqlite3_vfs vfs;
    sqlite3_vfs* root = Root();
    vfs.iVersion = 2;
    vfs.szOsFile = static_cast<int>(sizeof(FaultFile)) + root->szOsFile;
    vfs.mxPathname = root->mxPathname;
    vfs.zName = kVfsName;
    vfs.xOpen = Open;
    vfs.xDelete = Delete;
    vfs.xAccess = Access;
    vfs.xFullPathname = FullPathname;
    vfs.xDlOpen = DlOpen;
    vfs.xDlError = DlError;
    vfs.xDlSym = DlSym;
    vfs.xDlClose = DlClose;
    vfs.xRandomness = Randomness;
    vfs.xSleep = Sleep;
    vfs.xCurrentTime = CurrentTime;
    vfs.xGetLastError = GetLastError;
    vfs.xCurrentTimeInt64 = CurrentTimeInt64;
    sqlite3_vfs_register(&vfs, /*makeDflt=*/1);
  });
}

void FaultVfs::Watch(const std::string& prefix) {
  std::lock_guard<std::mutex> lock(Mu());
  State& s = St();
  s.prefix = prefix;
  s.written = 0;
  s.armed = false;
  s.tripped = false;
}

int64_t FaultVfs::BytesWritten() {
  std::lock_guard<std::mutex> lock(Mu());
  return St().written;
}

void FaultVfs::Arm(Kind kind, int64_t bytes_allowed) {
  std::lock_guard<std::mutex> lock(Mu());
  State& s = St();
  s.armed = true;
  s.kind = kind;
  s.allowed = bytes_allowed;
  s.tripped = false;
}

void FaultVfs::Disarm() {
  std::lock_guard<std::mutex> lock(Mu());
  St().armed = false;
  St().tripped = false;
}

int64_t FaultVfs::Injected() {
  std::lock_guard<std::mutex> lock(Mu());
  return St().injected;
}

}  // namespace jijian::testing
