// The store: one SQLite file in WAL mode, one writer thread that group-commits mutations,
// a pool of read-only connections, the keyring, and the audit log written in the same
// transaction as every change.
#ifndef JIJIAN_STORAGE_STORE_H_
#define JIJIAN_STORAGE_STORE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/audit.h"
#include "storage/db.h"
#include "storage/keyring.h"

namespace jijian::storage {

// Who performs a mutation; copied into its audit event.
struct Actor {
  std::string user_id;  // "system" for the service itself
  std::string role;
  std::string cert_fingerprint;
};

// What a mutation records in the audit log (the store fills in seq, time, actor, request id).
struct EventInput {
  std::string action;
  std::string object_type;
  std::string object_id;
  std::string state_before;
  std::string state_after;
  std::string reason;
};

// Changes to the statistics counters (storage/stats.h) that mutations make, summed per counter
// row, so that a batch writes each row it touches once, just before it commits, instead of
// once per change. Every event of a registration moves a dozen counter rows, and the
// registrations of one batch mostly move the same ones (the same day, month and unit).
class CounterDeltas {
 public:
  // One key value of a counter row: text, or an integer.
  using KeyValue = SqlValue;
  // A counter table's statements: add binds the key columns then the count columns (one, or
  // two when on_time is counted) and adds them to the row, creating it; drop binds the key
  // columns and deletes the row if its count is 0. Both must outlive this object.
  struct Table {
    const std::string* add;
    const std::string* drop;
    bool counts_on_time;
  };
  void Add(const Table& table, std::vector<KeyValue> key, int64_t n, int64_t on_time);
  // Moves every change of other into this one; other is left empty.
  void Merge(CounterDeltas& other);
  // Writes the summed changes through db (a row whose changes sum to nothing is not written),
  // and empties this object.
  absl::Status Flush(Db& db);
  bool empty() const { return rows_.empty(); }
  void Clear() { rows_.clear(); }

 private:
  struct Sum {
    Table table;
    int64_t n = 0;
    int64_t on_time = 0;
  };
  // Keyed by the table's add statement and the row's key values: the order in which rows are
  // written is fixed by what changed, not by the order of the changes.
  std::map<std::pair<const std::string*, std::vector<KeyValue>>, Sum> rows_;
};

// The view a mutation has of its transaction. Valid only during the mutation's run on the
// writer thread.
class WriteTxn {
 public:
  WriteTxn(Db& db, const Keyring& keyring, const Actor& actor, const std::string& request_id,
           int64_t now_us, int64_t& next_seq, CounterDeltas& counters)
      : db_(db),
        keyring_(keyring),
        actor_(actor),
        request_id_(request_id),
        now_us_(now_us),
        next_seq_(next_seq),
        counters_(counters) {}

  Db& db() { return db_; }
  const Keyring& keyring() const { return keyring_; }
  const Actor& actor() const { return actor_; }
  // The mutation's counter changes: written with its batch if the mutation succeeds,
  // dropped with its writes if it fails. The counter tables are not up to date until the
  // batch commits, so a mutation must not read them.
  CounterDeltas& counters() { return counters_; }
  // The transaction's time, unix microseconds (one value per batch).
  int64_t now_us() const { return now_us_; }

  // Appends the mutation's audit event and its Merkle leaf. Returns its seq.
  absl::StatusOr<int64_t> AppendEvent(const EventInput& event);

  // Checks optimistic concurrency: the row of table whose key_column = id must have
  // version == expected. NOT_FOUND if absent; ABORTED naming both versions if stale.
  absl::Status CheckVersion(std::string_view table, std::string_view key_column,
                            std::string_view id, int64_t expected);

 private:
  Db& db_;
  const Keyring& keyring_;
  const Actor& actor_;
  const std::string& request_id_;
  int64_t now_us_;
  int64_t& next_seq_;
  CounterDeltas& counters_;
};

// A mutation's body: writes its rows and its event through txn and returns the result
// bytes (a serialised response) that a retry with the same request id gets back. It may run
// more than once (after its batch failed to commit, the writer commits the batch's
// mutations again one at a time); only the run that commits counts, so its effects must
// stay in txn and its result.
using MutationFn = std::function<absl::StatusOr<std::string>(WriteTxn& txn)>;

class Store {
 public:
  struct Options {
    std::string path;            // the SQLite file
    int reader_connections = 4;  // size of the read pool
    size_t max_batch = 512;      // most mutations in one group commit
  };

  // Creates a new database file (ALREADY_EXISTS if path exists), its schema, and fresh data
  // keys for every domain wrapped by kek.
  static absl::StatusOr<std::unique_ptr<Store>> Create(const Options& options, const Kek& kek);
  // Opens an existing file, applies pending migrations and unwraps the data keys with kek.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const Options& options, const Kek& kek);

  // KEK rotation: opens the database at options.path with old_kek, rewraps every data key
  // under new_kek and records a "kek.rotate" audit event, all in one transaction, after
  // checking that new_kek opens the rewrapped keys. The data keys themselves, and so every
  // stored value, are unchanged; afterwards only new_kek opens the database. PERMISSION_DENIED
  // if old_kek is not the database's KEK.
  static absl::Status RotateKek(const Options& options, const Kek& old_kek, const Kek& new_kek);

  // Drains queued mutations, then stops the writer and closes every connection.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Runs fn on the writer thread inside the next group commit (its own savepoint: if fn
  // fails, only its writes roll back). Blocks until the batch is durable on disk. A non-empty
  // request_id already applied by the same actor returns the first result without running
  // fn. When the disk cannot take the write, nothing of it is stored and the error says so:
  // RESOURCE_EXHAUSTED for a full disk, UNAVAILABLE for an I/O error; the writer keeps
  // going, and later writes succeed once the disk has room again. Thread-safe.
  absl::StatusOr<std::string> Apply(const Actor& actor, const std::string& request_id,
                                    MutationFn fn);

  // Runs fn with a pooled read-only connection (a WAL snapshot for the duration of fn if fn
  // opens a transaction). Thread-safe; blocks while every connection is in use. When the
  // disk fails a read, the error says so, and that nothing was changed (ReadFailed).
  template <typename T>
  absl::StatusOr<T> Read(const std::function<absl::StatusOr<T>(Db&)>& fn) {
    std::unique_ptr<Db> db = BorrowReader();
    absl::StatusOr<T> out = fn(*db);
    ReturnReader(std::move(db));
    if (!out.ok()) return ReadFailed(out.status());
    return out;
  }

  // A read's error as the caller sees it: a disk I/O error (or a full disk, for the
  // temporary files of a large sort) becomes UNAVAILABLE saying that the disk failed and
  // nothing was changed; any other error is returned as it is.
  static absl::Status ReadFailed(const absl::Status& cause);

  const Keyring& keyring() const { return *keyring_; }

  // Data-key rotation (storage/rekey.h): a fresh data key for domain wrapped under this
  // store's KEK; and, once the key is committed to the keys table, making it the active key
  // of the running keyring.
  absl::StatusOr<WrappedKey> NewDataKey(KeyDomain domain) const;
  absl::Status UseDataKey(const WrappedKey& key);

  // Number of group commits so far and mutations they held (for tests and benchmarks).
  struct Stats {
    int64_t batches = 0;
    int64_t mutations = 0;
  };
  Stats stats() const;

  // Mutations waiting for the writer (tests only).
  size_t TEST_queue_length() const;

 private:
  struct Pending {
    Actor actor;
    std::string request_id;
    MutationFn fn;
    absl::StatusOr<std::string> result;
    bool done = false;
  };

  Store(Options options, std::unique_ptr<Db> writer, std::unique_ptr<Keyring> keyring,
        int64_t log_size);
  static absl::StatusOr<std::unique_ptr<Store>> Finish(const Options& options,
                                                       std::unique_ptr<Db> writer, const Kek& kek);
  void WriterLoop();
  // Commits batch, or, if that fails, each of its mutations on its own.
  void RunBatch(std::vector<Pending*>& batch);
  // One transaction for batch; on failure nothing of it is stored and the status says why.
  absl::Status CommitBatch(const std::vector<Pending*>& batch);
  // What a caller whose write was not stored is told, from the cause.
  static absl::Status WriteNotStored(const absl::Status& cause);
  // Logs when writes start failing and when they succeed again.
  void NoteWriteHealth(const absl::Status& batch_status);
  absl::StatusOr<std::string> RunOne(Pending& p, int64_t now_us, CounterDeltas& counters);
  // Has every commit of the writer connection report the log's size, so that the log is
  // copied back by checkpoint_thread_ instead of on the writer's time.
  void InstallWalHook();
  void CheckpointLoop(std::unique_ptr<Db> db);
  absl::Status SignHead();
  std::unique_ptr<Db> BorrowReader();
  void ReturnReader(std::unique_ptr<Db> db);

  const Options options_;
  std::unique_ptr<Db> writer_db_;  // touched only by writer_thread_ (and constructors)
  std::unique_ptr<Keyring> keyring_;
  std::optional<Kek> kek_;  // kept to wrap new data keys (rotation while serving)
  int64_t next_seq_;  // writer thread only
  // Writer thread only: batches that failed since the last one that committed.
  int64_t failed_batches_ = 0;

  mutable absl::Mutex mu_;
  std::deque<Pending*> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Stats stats_ ABSL_GUARDED_BY(mu_);

  absl::Mutex readers_mu_;
  std::vector<std::unique_ptr<Db>> readers_ ABSL_GUARDED_BY(readers_mu_);

  std::thread writer_thread_;

  // The write-ahead log is copied back into the database file (a PASSIVE checkpoint) on a
  // connection of its own once it holds kCheckpointPages; only if it reaches
  // kWriterCheckpointPages (the checkpointer cannot keep up) does the writer do it inline.
  static constexpr int kCheckpointPages = 1000;
  static constexpr int kWriterCheckpointPages = 32000;
  absl::Mutex checkpoint_mu_;
  bool checkpoint_wanted_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  bool checkpoint_stopping_ ABSL_GUARDED_BY(checkpoint_mu_) = false;
  std::thread checkpoint_thread_;
};

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_STORE_H_
