// A thin RAII layer over one SQLite connection: prepared-statement cache, typed binding,
// Status errors. A Db is not thread-safe; each connection belongs to one thread at a time
// (the writer thread, or the reader that borrowed it from the pool).
#ifndef JIJIAN_STORAGE_DB_H_
#define JIJIAN_STORAGE_DB_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct sqlite3;
struct sqlite3_stmt;

namespace jijian::storage {

// A value bound as a BLOB (a plain string_view binds as TEXT).
struct Blob {
  std::string_view bytes;
};
// Binds SQL NULL.
struct Null {};

// Whether a failed status came from SQLite finding the disk full (SQLITE_FULL; the status is
// RESOURCE_EXHAUSTED) or from an I/O error (SQLITE_IOERR; UNAVAILABLE: retry may work).
bool IsDiskFull(const absl::Status& status);
bool IsIoError(const absl::Status& status);

class Db;

// A borrowed, cached prepared statement. Resets itself and clears its bindings when it
// goes out of scope. Must not outlive the Db that made it.
// A text or integer parameter value.
using SqlValue = std::variant<std::string, int64_t>;

class Stmt {
 public:
  Stmt(Stmt&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Resets the statement, then binds parameters 1..n in order. Two live Stmt of the same
  // SQL share one prepared statement: finish with one before re-binding the other.
  template <typename... Args>
  Stmt& Bind(const Args&... args) {
    Reset();
    int i = 0;
    (BindOne(++i, args), ...);
    return *this;
  }
  // Resets the statement, then binds head to parameter 1 (unless it is omitted) and the
  // text values after it, for statements whose parameter count is known only at run time.
  Stmt& BindList(const std::vector<std::string>& texts) {
    Reset();
    int i = 0;
    for (const std::string& t : texts) BindOne(++i, t);
    return *this;
  }
  template <typename Head>
  Stmt& BindList(const Head& head, const std::vector<std::string>& texts) {
    Reset();
    int i = 0;
    BindOne(++i, head);
    for (const std::string& t : texts) BindOne(++i, t);
    return *this;
  }
  // Resets the statement, then binds values (each a text or an integer) to parameters 1..n
  // and tail after them, for statements whose key columns are known only at run time.
  template <typename... Tail>
  Stmt& BindValues(const std::vector<SqlValue>& values, const Tail&... tail) {
    Reset();
    int i = 0;
    for (const SqlValue& v : values) std::visit([&](const auto& x) { BindOne(++i, x); }, v);
    (BindOne(++i, tail), ...);
    return *this;
  }
  // Steps once: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps until done; for statements that return no rows.
  absl::Status Run();

  // Steps until done, turning every row into a T with make(const Stmt&).
  template <typename T, typename F>
  absl::StatusOr<std::vector<T>> Collect(F make) {
    std::vector<T> out;
    while (true) {
      absl::StatusOr<bool> row = Step();
      if (!row.ok()) return row.status();
      if (!*row) return out;
      out.push_back(make(*this));
    }
  }

  int64_t Int(int col) const;
  std::string Text(int col) const;
  std::string BlobAt(int col) const;
  bool IsNull(int col) const;

 private:
  friend class Db;
  Stmt(Db* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void Reset();
  void BindOne(int i, int64_t v);
  void BindOne(int i, int v) { BindOne(i, static_cast<int64_t>(v)); }
  void BindOne(int i, bool v) { BindOne(i, static_cast<int64_t>(v ? 1 : 0)); }
  void BindOne(int i, std::string_view v);
  void BindOne(int i, const std::string& v) { BindOne(i, std::string_view(v)); }
  void BindOne(int i, const char* v) { BindOne(i, std::string_view(v)); }
  void BindOne(int i, Blob v);
  void BindOne(int i, Null);

  Db* db_;
  sqlite3_stmt* stmt_;
};

// How a row of an entity table is written (its first column is the key).
enum class RowWrite { kInsert, kUpdate };
// "INSERT INTO table(columns) VALUES (?,…)", or "UPDATE table SET c2 = ?2, …, cn = ?n
// WHERE c1 = ?1": both bind the comma-separated columns in the same order. An update
// rewrites only the row and the indexes of changed columns (INSERT OR REPLACE would
// delete the row and every index entry, then insert them again). Built once per kind and
// table (a table's columns never change in one process), so the write path does not
// rebuild it on every write.
const std::string& RowWriteSql(RowWrite kind, std::string_view table, std::string_view columns);
// Runs a statement built by RowWriteSql; an update that finds no row is NOT_FOUND.
absl::Status RunRowWrite(Stmt& q, RowWrite kind, const Db& db, std::string_view table,
                         std::string_view id);

class Db {
 public:
  struct Options {
    bool read_only = false;
    bool create = false;  // create the file if missing (writer only)
  };
  // Opens path; the writer connection sets WAL and synchronous=FULL, readers query_only.
  static absl::StatusOr<std::unique_ptr<Db>> Open(const std::string& path, const Options& options);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results.
  absl::Status Exec(std::string_view sql);
  // Returns a cached prepared statement for sql.
  absl::StatusOr<Stmt> Prepare(std::string_view sql);
  // Convenience: the single integer of the first row of sql, or nullopt if no row.
  absl::StatusOr<std::optional<int64_t>> QueryInt(std::string_view sql);

  // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
  int64_t Changes() const;
  // True while a transaction is open on this connection.
  bool InTransaction() const;
  // Calls fn with the number of pages in the write-ahead log after every commit on this
  // connection (sqlite3_wal_hook). The connection then no longer checkpoints by itself:
  // fn decides when the log is copied back (Checkpoint).
  void OnWalCommit(std::function<void(int pages)> fn);
  // A PASSIVE checkpoint: copies what it can of the log back into the database file
  // without waiting for readers or the writer; the pages still in the log are returned.
  absl::StatusOr<int> Checkpoint();

  // Between GuardTransaction() and EndGuard() (around one write transaction), an error after
  // which SQLite has rolled the open transaction back by itself (as it may on a full disk,
  // an I/O error or out of memory) is remembered, and every later statement but ROLLBACK
  // fails with that error instead of running, and committing, outside the transaction.
  void GuardTransaction();
  void EndGuard();
  // The last error message of the connection.
  std::string ErrorMessage() const;
  sqlite3* raw() { return db_; }

 private:
  friend class Stmt;
  explicit Db(sqlite3* db) : db_(db) {}
  // Remembers error if it ended the guarded transaction.
  void NoteError(const absl::Status& error);

  sqlite3* db_;
  bool guarded_ = false;
  absl::Status lost_;  // the error that ended the guarded transaction
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
  std::function<void(int)> on_wal_commit_;
};

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_DB_H_
