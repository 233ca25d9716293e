#include "storage/db.h"

#include <sqlite3.h>

#include "absl/container/node_hash_map.h"
#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"

namespace jijian::storage {
namespace {

constexpr int kWriterCacheKiB = 64 * 1024;  // the one read-write connection
constexpr int kReaderCacheKiB = 16 * 1024;  // each pooled read-only connection

// Payload of a status made from an SQLite error: its primary result code.
constexpr char kSqliteCodeUrl[] = "type.jijian/sqlite-result-code";

int PrimaryCodeOf(const absl::Status& status) {
  auto code = status.GetPayload(kSqliteCodeUrl);
  int rc = 0;
  if (code.has_value() && absl::SimpleAtoi(std::string(*code), &rc)) return rc;
  return 0;
}

// Maps an SQLite result code to a Status code by meaning (the one place this is decided).
absl::Status CodedError(sqlite3* db, int rc, std::string_view what) {
  std::string msg =
      absl::StrCat(std::string(what), ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_FULL:  // the disk (or a quota) has no room
      return absl::ResourceExhaustedError(msg);
    case SQLITE_IOERR:  // the disk failed a read, write or fsync: retry may work
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::UnavailableError(msg);
    case SQLITE_CONSTRAINT:
      return absl::AlreadyExistsError(msg);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(msg);
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return absl::FailedPreconditionError(msg);
    default:
      return absl::InternalError(msg);
  }
}

// The error, carrying its primary SQLite result code (see IsDiskFull, IsIoError).
absl::Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  absl::Status st = CodedError(db, rc, what);
  st.SetPayload(kSqliteCodeUrl, absl::Cord(std::to_string(rc & 0xff)));
  return st;
}

}  // namespace

bool IsDiskFull(const absl::Status& status) { return PrimaryCodeOf(status) == SQLITE_FULL; }
bool IsIoError(const absl::Status& status) { return PrimaryCodeOf(status) == SQLITE_IOERR; }

Stmt::~Stmt() {
  if (stmt_ != nullptr) Reset();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Stmt::BindOne(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
void Stmt::BindOne(int i, std::string_view v) {
  sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
void Stmt::BindOne(int i, Blob v) {
  // A zero-length blob must still be a BLOB, not NULL: pass a non-null pointer.
  static const char kEmpty = 0;
  sqlite3_bind_blob64(stmt_, i, v.bytes.empty() ? &kEmpty : v.bytes.data(), v.bytes.size(),
                      SQLITE_TRANSIENT);
}
void Stmt::BindOne(int i, Null) { sqlite3_bind_null(stmt_, i); }

absl::StatusOr<bool> Stmt::Step() {
  if (!db_->lost_.ok()) return db_->lost_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  absl::Status st = SqliteError(db_->raw(), rc, "sqlite step");
  db_->NoteError(st);
  return st;
}

absl::Status Stmt::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
std::string Stmt::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(stmt_, col))
           : std::string();
}
std::string Stmt::BlobAt(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), sqlite3_column_bytes(stmt_, col))
           : std::string();
}
bool Stmt::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

absl::StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& path, const Options& options) {
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_PRIVATECACHE;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    absl::Status st = SqliteError(raw, rc, absl::StrCat("open database ", path));
    sqlite3_close_v2(raw);
    return st;
  }
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, 5000);
  absl::Status st;
  // Page caches larger than SQLite's 2 MB default: each event touches a dozen B-trees
  // spread over a file of gigabytes at national size, and every miss is a pread
  // (docs/BENCHMARKS.md, "A national year"). Bounded so that a server with its readers
  // stays well under 300 MB.
  if (options.read_only) {
    st = db->Exec(absl::StrCat("PRAGMA query_only=ON; PRAGMA cache_size=-", kReaderCacheKiB, ";"));
  } else {
    // WAL with synchronous=FULL: a committed transaction is on disk when COMMIT returns.
    // temp_store=MEMORY keeps the journal of each mutation's savepoint in memory; SQLite
    // would otherwise spill it to a temporary file past 64 KiB, a write per page.
    st = db->Exec(absl::StrCat(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
        "PRAGMA secure_delete=ON; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-",
        kWriterCacheKiB, ";"));
  }
  if (!st.ok()) return st;
  return db;
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

absl::Status Db::Exec(std::string_view sql) {
  if (!lost_.ok() && sql != "ROLLBACK") return lost_;
  std::string owned(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    absl::Status st = SqliteError(nullptr, rc, absl::StrCat("sqlite exec: ", msg));
    NoteError(st);
    return st;
  }
  return absl::OkStatus();
}

bool Db::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

void Db::OnWalCommit(std::function<void(int)> fn) {
  on_wal_commit_ = std::move(fn);
  sqlite3_wal_hook(
      db_,
      +[](void* self, sqlite3*, const char*, int pages) -> int {
        static_cast<Db*>(self)->on_wal_commit_(pages);
        return SQLITE_OK;
      },
      this);
}

absl::StatusOr<int> Db::Checkpoint() {
  int log_pages = 0, copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_pages, &copied);
  if (rc != SQLITE_OK) return SqliteError(db_, rc, "checkpoint");
  return log_pages - copied;
}

void Db::GuardTransaction() {
  guarded_ = true;
  lost_ = absl::OkStatus();
}

void Db::EndGuard() {
  guarded_ = false;
  lost_ = absl::OkStatus();
}

void Db::NoteError(const absl::Status& error) {
  if (guarded_ && lost_.ok() && !InTransaction()) lost_ = error;
}

absl::StatusOr<Stmt> Db::Prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "sqlite prepare");
    it = cache_.emplace(std::string(sql), stmt).first;
  }
  return Stmt(this, it->second);
}

absl::StatusOr<std::optional<int64_t>> Db::QueryInt(std::string_view sql) {
  absl::StatusOr<Stmt> stmt = Prepare(sql);
  if (!stmt.ok()) return stmt.status();
  absl::StatusOr<bool> row = stmt->Step();
  if (!row.ok()) return row.status();
  if (!*row || stmt->IsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt->Int(0));
}

int64_t Db::Changes() const { return sqlite3_changes64(db_); }

std::string Db::ErrorMessage() const { return sqlite3_errmsg(db_); }

namespace {

std::string BuildRowWriteSql(RowWrite kind, std::string_view table, std::string_view columns) {
  std::vector<std::string> names;
  const absl::string_view list(columns.data(), columns.size());
  for (absl::string_view c : absl::StrSplit(list, ',')) {
    names.emplace_back(absl::StripAsciiWhitespace(c));
  }
  std::string sql;
  if (kind == RowWrite::kInsert) {
    sql = absl::StrCat("INSERT INTO ", std::string(table), "(", absl::StrJoin(names, ", "),
                       ") VALUES (?");
    for (size_t i = 1; i < names.size(); ++i) sql += ",?";
    return sql + ")";
  }
  sql = absl::StrCat("UPDATE ", std::string(table), " SET ");
  for (size_t i = 1; i < names.size(); ++i) {
    absl::StrAppend(&sql, i > 1 ? ", " : "", names[i], " = ?", i + 1);
  }
  return absl::StrCat(sql, " WHERE ", names[0], " = ?1");
}

}  // namespace

const std::string& RowWriteSql(RowWrite kind, std::string_view table, std::string_view columns) {
  static absl::Mutex mu(absl::kConstInit);
  // Nodes keep their address, so a returned reference stays valid as the map grows.
  static auto* built = new absl::node_hash_map<std::pair<RowWrite, std::string>, std::string>();
  absl::MutexLock lock(&mu);
  auto [it, inserted] = built->try_emplace({kind, std::string(table)});
  if (inserted) it->second = BuildRowWriteSql(kind, table, columns);
  return it->second;
}

absl::Status RunRowWrite(Stmt& q, RowWrite kind, const Db& db, std::string_view table,
                         std::string_view id) {
  if (absl::Status st = q.Run(); !st.ok()) return st;
  if (kind == RowWrite::kUpdate && db.Changes() != 1) {
    return absl::NotFoundError(
        absl::StrCat(std::string(table), " ", std::string(id), " does not exist"));
  }
  return absl::OkStatus();
}

}  // namespace jijian::storage
