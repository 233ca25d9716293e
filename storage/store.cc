#include "storage/store.h"

#include <spdlog/spdlog.h>
#include <pthread.h>
#include <sys/stat.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/schema.h"

namespace jijian::storage {
namespace {

constexpr KeyDomain kAllDomains[] = {KeyDomain::kIdentity, KeyDomain::kContent, KeyDomain::kIndex,
                                     KeyDomain::kAuditSigning};

bool FileExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// Loads every stored (wrapped) data key.
absl::StatusOr<std::vector<WrappedKey>> LoadWrappedKeys(Db& db) {
  absl::StatusOr<Stmt> q = db.Prepare("SELECT key_id, domain, wrapped, active FROM keys ORDER BY created_us, key_id");
  if (!q.ok()) return q.status();
  std::vector<WrappedKey> keys;
  while (true) {
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<KeyDomain> domain = ParseKeyDomain(q->Text(1));
    if (!domain.ok()) return domain.status();
    keys.push_back(WrappedKey{q->Text(0), *domain, q->BlobAt(2), q->Int(3) == 1});
  }
  return keys;
}

}  // namespace

absl::StatusOr<int64_t> WriteTxn::AppendEvent(const EventInput& in) {
  AuditEvent e;
  e.seq = next_seq_;
  e.ts_us = now_us_;
  e.actor = actor_.user_id;
  e.role = actor_.role;
  e.cert_fingerprint = actor_.cert_fingerprint;
  e.action = in.action;
  e.object_type = in.object_type;
  e.object_id = in.object_id;
  e.state_before = in.state_before;
  e.state_after = in.state_after;
  e.reason = in.reason;
  e.request_id = request_id_;
  if (absl::Status st = AppendAuditEvent(db_, e); !st.ok()) return st;
  return next_seq_++;
}

absl::Status WriteTxn::CheckVersion(std::string_view table, std::string_view key_column,
                                    std::string_view id, int64_t expected) {
  const std::string table_name(table);
  const std::string object_id(id);
  absl::StatusOr<Stmt> q = db_.Prepare(
      absl::StrCat("SELECT version FROM ", table_name, " WHERE ", std::string(key_column), " = ?"));
  if (!q.ok()) return q.status();
  q->Bind(id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row)
    return absl::NotFoundError(absl::StrCat(table_name, " ", object_id, " does not exist"));
  int64_t current = q->Int(0);
  if (current != expected) {
    return absl::AbortedError(absl::StrCat(table_name, " ", object_id, " is at version ", current,
                                           ", the request expected version ", expected,
                                           "; read it again and retry"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Store>> Store::Create(const Options& options, const Kek& kek) {
  if (FileExists(options.path)) {
    return absl::AlreadyExistsError(
        absl::StrCat("database ", options.path, " already exists; refusing to overwrite it"));
  }
  absl::StatusOr<std::unique_ptr<Db>> db =
      Db::Open(options.path, {.read_only = false, .create = true});
  if (!db.ok()) return db.status();
  if (absl::Status st = Migrate(**db); !st.ok()) return st;
  if (absl::Status st = (*db)->Exec("BEGIN IMMEDIATE"); !st.ok()) return st;
  int64_t now = absl::ToUnixMicros(absl::Now());
  for (KeyDomain domain : kAllDomains) {
    absl::StatusOr<WrappedKey> key = NewWrappedKey(kek, domain);
    if (!key.ok()) return key.status();
    absl::StatusOr<Stmt> ins = (*db)->Prepare(
        "INSERT INTO keys(key_id, domain, wrapped, active, created_us) VALUES (?,?,?,1,?)");
    if (!ins.ok()) return ins.status();
    ins->Bind(key->key_id, KeyDomainName(domain), Blob{key->wrapped}, now);
    if (absl::Status st = ins->Run(); !st.ok()) return st;
  }
  if (absl::Status st = (*db)->Exec("COMMIT"); !st.ok()) return st;
  return Finish(options, *std::move(db), kek);
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const Options& options, const Kek& kek) {
  if (!FileExists(options.path)) {
    return absl::NotFoundError(absl::StrCat("database ", options.path, " does not exist"));
  }
  absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(options.path, {});
  if (!db.ok()) return db.status();
  if (absl::Status st = Migrate(**db); !st.ok()) return st;
  return Finish(options, *std::move(db), kek);
}

absl::Status Store::RotateKek(const Options& options, const Kek& old_kek, const Kek& new_kek) {
  if (old_kek.bytes() == new_kek.bytes()) {
    return absl::InvalidArgumentError("the new KEK is the same key as the current one");
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Open(options, old_kek);
  if (!store.ok()) return store.status();
  const Actor system{"system", "system", ""};
  absl::StatusOr<std::string> done =
      (*store)->Apply(system, "", [&](WriteTxn& txn) -> absl::StatusOr<std::string> {
        absl::StatusOr<std::vector<WrappedKey>> keys = LoadWrappedKeys(txn.db());
        if (!keys.ok()) return keys.status();
        std::vector<WrappedKey> rewrapped;
        for (const WrappedKey& key : *keys) {
          absl::StatusOr<WrappedKey> next = RewrapKey(old_kek, new_kek, key);
          if (!next.ok()) return next.status();
          rewrapped.push_back(*std::move(next));
        }
        // Never commit keys that the new KEK would not open.
        if (absl::StatusOr<std::unique_ptr<Keyring>> check = Keyring::Open(new_kek, rewrapped);
            !check.ok()) {
          return check.status();
        }
        absl::StatusOr<Stmt> q = txn.db().Prepare("UPDATE keys SET wrapped = ? WHERE key_id = ?");
        if (!q.ok()) return q.status();
        for (const WrappedKey& key : rewrapped) {
          q->Bind(Blob{key.wrapped}, key.key_id);
          if (absl::Status st = q->Run(); !st.ok()) return st;
        }
        absl::StatusOr<int64_t> seq =
            txn.AppendEvent({"kek.rotate", "keyring", new_kek.id(), old_kek.id(), new_kek.id(),
                             absl::StrCat("keys=", rewrapped.size())});
        if (!seq.ok()) return seq.status();
        return std::string();
      });
  return done.status();
}

absl::StatusOr<std::unique_ptr<Store>> Store::Finish(const Options& options,
                                                     std::unique_ptr<Db> writer, const Kek& kek) {
  absl::StatusOr<std::vector<WrappedKey>> keys = LoadWrappedKeys(*writer);
  if (!keys.ok()) return keys.status();
  absl::StatusOr<std::unique_ptr<Keyring>> keyring = Keyring::Open(kek, *keys);
  if (!keyring.ok()) return keyring.status();
  absl::StatusOr<int64_t> size = AuditLogSize(*writer);
  if (!size.ok()) return size.status();
  std::unique_ptr<Store> store(new Store(options, std::move(writer), *std::move(keyring), *size));
  store->kek_ = kek;
  absl::StatusOr<std::unique_ptr<Db>> checkpointer = Db::Open(options.path, {});
  if (!checkpointer.ok()) return checkpointer.status();
  store->checkpoint_thread_ =
      std::thread([s = store.get(), db = *std::move(checkpointer)]() mutable {
        s->CheckpointLoop(std::move(db));
      });
  for (int i = 0; i < std::max(1, options.reader_connections); ++i) {
    absl::StatusOr<std::unique_ptr<Db>> reader = Db::Open(options.path, {.read_only = true});
    if (!reader.ok()) return reader.status();
    absl::MutexLock lock(&store->readers_mu_);
    store->readers_.push_back(*std::move(reader));
  }
  return store;
}

Store::Store(Options options, std::unique_ptr<Db> writer, std::unique_ptr<Keyring> keyring,
             int64_t log_size)
    : options_(std::move(options)),
      writer_db_(std::move(writer)),
      keyring_(std::move(keyring)),
      next_seq_(log_size) {
  InstallWalHook();
  writer_thread_ = std::thread([this] { WriterLoop(); });
}

Store::~Store() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  writer_thread_.join();
  {
    absl::MutexLock lock(&checkpoint_mu_);
    checkpoint_stopping_ = true;
  }
  if (checkpoint_thread_.joinable()) checkpoint_thread_.join();
}

void Store::InstallWalHook() {
  Db* db = writer_db_.get();
  db->OnWalCommit([this, db](int pages) {
    if (pages >= kWriterCheckpointPages) {
      (void)db->Checkpoint();  // the checkpointer is behind: catch up on the writer's time
    } else if (pages >= kCheckpointPages) {
      absl::MutexLock lock(&checkpoint_mu_);
      checkpoint_wanted_ = true;
    }
  });
}

void Store::CheckpointLoop(std::unique_ptr<Db> db) {
  ::pthread_setname_np(::pthread_self(), "jijian-checkpt");
  bool failing = false;
  while (true) {
    {
      absl::MutexLock lock(&checkpoint_mu_);
      checkpoint_mu_.Await(absl::Condition(
          +[](Store* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->checkpoint_mu_) {
            return s->checkpoint_wanted_ || s->checkpoint_stopping_;
          },
          this));
      if (checkpoint_stopping_) return;
      checkpoint_wanted_ = false;
    }
    // A failed checkpoint loses nothing: the pages stay in the log, which readers and the
    // next checkpoint still use. Only the first failure of a run of them is logged.
    absl::StatusOr<int> left = db->Checkpoint();
    if (!left.ok() && !failing) {
      spdlog::warn("checkpoint of the write-ahead log failed (retried at the next commit): {}",
                   std::string(left.status().message()));
    }
    failing = !left.ok();
  }
}

absl::StatusOr<std::string> Store::Apply(const Actor& actor, const std::string& request_id,
                                         MutationFn fn) {
  Pending p{actor, request_id, std::move(fn), absl::UnknownError("not run"), false};
  absl::MutexLock lock(&mu_);
  if (stopping_) return absl::UnavailableError("the store is shutting down");
  queue_.push_back(&p);
  mu_.Await(absl::Condition(&p.done));
  return std::move(p.result);
}

Store::Stats Store::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

size_t Store::TEST_queue_length() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

void Store::WriterLoop() {
  ::pthread_setname_np(::pthread_self(), "jijian-writer");  // for top -H and the benchmarks
  std::vector<Pending*> batch;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](Store* s)
               ABSL_EXCLUSIVE_LOCKS_REQUIRED(s->mu_) { return !s->queue_.empty() || s->stopping_; },
          this));
      if (queue_.empty()) return;  // stopping, and everything queued has been run
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    RunBatch(batch);
    absl::MutexLock lock(&mu_);
    ++stats_.batches;
    stats_.mutations += static_cast<int64_t>(batch.size());
    for (Pending* p : batch) p->done = true;
    batch.clear();
  }
}

void Store::RunBatch(std::vector<Pending*>& batch) {
  absl::Status st = CommitBatch(batch);
  if (!st.ok() && batch.size() > 1) {
    // Nothing of the batch was stored. Its mutations are committed again one at a time, so
    // that a disk with room for some of them (or an error that passes) fails only those
    // that do not fit, never writes that would have fit on their own.
    absl::Status last = st;
    for (Pending* p : batch) {
      std::vector<Pending*> one = {p};
      last = CommitBatch(one);
      if (!last.ok()) p->result = WriteNotStored(last);
    }
    st = last;
  } else if (!st.ok()) {
    for (Pending* p : batch) p->result = WriteNotStored(st);
  }
  NoteWriteHealth(st);
}

absl::Status Store::CommitBatch(const std::vector<Pending*>& batch) {
  Db& db = *writer_db_;
  const int64_t now_us = absl::ToUnixMicros(absl::Now());
  const int64_t seq_at_start = next_seq_;
  CounterDeltas batch_counters, counters;
  absl::Status st = db.Exec("BEGIN IMMEDIATE");
  if (st.ok()) db.GuardTransaction();
  for (size_t i = 0; st.ok() && i < batch.size(); ++i) {
    Pending& p = *batch[i];
    const int64_t seq_before = next_seq_;
    st = db.Exec("SAVEPOINT mutation");
    if (!st.ok()) break;
    counters.Clear();
    p.result = RunOne(p, now_us, counters);
    if (p.result.ok()) {
      st = db.Exec("RELEASE mutation");
      batch_counters.Merge(counters);
    } else {
      // Only this mutation's writes are undone; the rest of the batch goes on.
      next_seq_ = seq_before;
      st = db.Exec("ROLLBACK TO mutation");
      if (st.ok()) st = db.Exec("RELEASE mutation");
      if (IsDiskFull(p.result.status()) || IsIoError(p.result.status())) {
        p.result = WriteNotStored(p.result.status());
      }
    }
  }
  // The counters of the mutations that succeeded, in the batch's transaction: they commit
  // with it or not at all.
  if (st.ok()) st = batch_counters.Flush(db);
  if (st.ok() && next_seq_ > seq_at_start) st = SignHead();
  if (st.ok()) st = db.Exec("COMMIT");
  if (!st.ok()) {
    (void)db.Exec("ROLLBACK");
    next_seq_ = seq_at_start;
  }
  db.EndGuard();
  if (!st.ok() && db.InTransaction()) {
    // SQLite could not even roll back: start over on a fresh connection.
    absl::StatusOr<std::unique_ptr<Db>> fresh = Db::Open(options_.path, {});
    if (fresh.ok()) {
      writer_db_ = *std::move(fresh);
      InstallWalHook();
    }
  }
  return st;
}

absl::Status Store::WriteNotStored(const absl::Status& cause) {
  if (IsDiskFull(cause)) {
    return absl::ResourceExhaustedError(
        "the database disk is full: nothing of this write was stored; retry when space has "
        "been freed (the server resumes writing by itself)");
  }
  if (IsIoError(cause)) {
    return absl::UnavailableError(
        "the database disk reported an I/O error: nothing of this write was stored; retry (the "
        "server resumes writing by itself once the disk works); if it persists, check the disk");
  }
  return absl::UnavailableError(absl::StrCat(
      "the write batch was not committed and nothing of it was stored: ", cause.message()));
}

void Store::NoteWriteHealth(const absl::Status& batch_status) {
  if (batch_status.ok()) {
    if (failed_batches_ > 0) {
      spdlog::info("writes are stored again, after {} failed batch(es)", failed_batches_);
    }
    failed_batches_ = 0;
    return;
  }
  if (failed_batches_++ == 0) {
    spdlog::error("writes are failing and answered with an error: {} (cause: {}); reads continue",
                  std::string(WriteNotStored(batch_status).message()),
                  std::string(batch_status.message()));
  }
}

absl::StatusOr<std::string> Store::RunOne(Pending& p, int64_t now_us, CounterDeltas& counters) {
  Db& db = *writer_db_;
  if (!p.request_id.empty()) {
    absl::StatusOr<Stmt> q =
        db.Prepare("SELECT result FROM requests WHERE actor = ? AND request_id = ?");
    if (!q.ok()) return q.status();
    q->Bind(p.actor.user_id, p.request_id);
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    // A retry: the first result, nothing run again. Results are sealed at rest, because a
    // response may carry decrypted content (or a receipt code shown once).
    if (*row) {
      const std::string row_id = p.actor.user_id + "/" + p.request_id;
      return keyring_->Open({"requests", "result", row_id}, q->BlobAt(0));
    }
  }
  WriteTxn txn(db, *keyring_, p.actor, p.request_id, now_us, next_seq_, counters);
  absl::StatusOr<std::string> result = p.fn(txn);
  if (!result.ok() || p.request_id.empty()) return result;
  absl::StatusOr<std::string> sealed = keyring_->Seal(
      KeyDomain::kContent, {"requests", "result", p.actor.user_id + "/" + p.request_id}, *result);
  if (!sealed.ok()) return sealed.status();
  absl::StatusOr<Stmt> ins =
      db.Prepare("INSERT INTO requests(actor, request_id, result, created_us) VALUES (?,?,?,?)");
  if (!ins.ok()) return ins.status();
  ins->Bind(p.actor.user_id, p.request_id, Blob{*sealed}, now_us);
  if (absl::Status st = ins->Run(); !st.ok()) return st;
  return result;
}

void CounterDeltas::Add(const Table& table, std::vector<KeyValue> key, int64_t n,
                        int64_t on_time) {
  Sum& sum = rows_.try_emplace({table.add, std::move(key)}, Sum{table}).first->second;
  sum.n += n;
  sum.on_time += on_time;
}

void CounterDeltas::Merge(CounterDeltas& other) {
  if (rows_.empty()) {
    rows_.swap(other.rows_);
    return;
  }
  for (auto& [key, sum] : other.rows_) {
    Sum& into = rows_.try_emplace(key, Sum{sum.table}).first->second;
    into.n += sum.n;
    into.on_time += sum.on_time;
  }
  other.rows_.clear();
}

absl::Status CounterDeltas::Flush(Db& db) {
  for (const auto& [key, sum] : rows_) {
    if (sum.n == 0 && sum.on_time == 0) continue;
    const std::vector<KeyValue>& values = key.second;
    absl::StatusOr<Stmt> add = db.Prepare(*sum.table.add);
    if (!add.ok()) return add.status();
    if (sum.table.counts_on_time) {
      add->BindValues(values, sum.n, sum.on_time);
    } else {
      add->BindValues(values, sum.n);
    }
    if (absl::Status st = add->Run(); !st.ok()) return st;
    // A row whose count fell is deleted if it fell to zero (no row means zero).
    if (sum.n >= 0 && sum.on_time >= 0) continue;
    absl::StatusOr<Stmt> drop = db.Prepare(*sum.table.drop);
    if (!drop.ok()) return drop.status();
    if (absl::Status st = drop->BindValues(values).Run(); !st.ok()) return st;
  }
  rows_.clear();
  return absl::OkStatus();
}

absl::StatusOr<WrappedKey> Store::NewDataKey(KeyDomain domain) const {
  return NewWrappedKey(*kek_, domain);
}

absl::Status Store::UseDataKey(const WrappedKey& key) {
  WrappedKey active = key;
  active.active = true;
  return keyring_->AddKey(*kek_, active);
}

absl::Status Store::SignHead() {
  Db& db = *writer_db_;
  absl::StatusOr<std::string> root =
      merkle::Root(static_cast<uint64_t>(next_seq_), StoredSubtrees(db));
  if (!root.ok()) return root.status();
  const int64_t ts_us = absl::ToUnixMicros(absl::Now());
  absl::StatusOr<std::string> sig =
      keyring_->SignAudit(TreeHeadSignedBytes(next_seq_, ts_us, *root));
  if (!sig.ok()) return sig.status();
  absl::StatusOr<Stmt> ins =
      db.Prepare("INSERT INTO tree_heads(tree_size, root, ts_us, signature) VALUES (?,?,?,?)");
  if (!ins.ok()) return ins.status();
  ins->Bind(next_seq_, Blob{*root}, ts_us, Blob{*sig});
  return ins->Run();
}

std::unique_ptr<Db> Store::BorrowReader() {
  absl::MutexLock lock(&readers_mu_);
  readers_mu_.Await(absl::Condition(
      +[](std::vector<std::unique_ptr<Db>>* r) { return !r->empty(); }, &readers_));
  std::unique_ptr<Db> db = std::move(readers_.back());
  readers_.pop_back();
  return db;
}

absl::Status Store::ReadFailed(const absl::Status& cause) {
  if (IsIoError(cause) || IsDiskFull(cause)) {
    return absl::UnavailableError(
        "the database disk reported an I/O error while reading: nothing was changed; retry "
        "(reads work again by themselves once the disk does); if it persists, check the disk");
  }
  return cause;
}

void Store::ReturnReader(std::unique_ptr<Db> db) {
  // A read that failed inside its transaction must not keep its snapshot for the next one.
  if (db->InTransaction()) (void)db->Exec("ROLLBACK");
  absl::MutexLock lock(&readers_mu_);
  readers_.push_back(std::move(db));
}

}  // namespace jijian::storage
