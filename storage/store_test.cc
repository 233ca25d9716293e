#include "storage/store.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "storage/crypto.h"
#include "storage/schema.h"

namespace jijian::storage {
namespace {

std::string MakeTempDir() {
  std::string tmpl = ::testing::TempDir() + "/store_test_XXXXXX";
  char* dir = ::mkdtemp(tmpl.data());
  EXPECT_NE(dir, nullptr);
  return tmpl;
}

Kek TestKek() { return *Kek::FromBytes(std::string(32, '\x42')); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const Actor kAdmin{"admin", "admin", "fp-admin"};

// A mutation that adds a user row and its audit event.
MutationFn AddUser(const std::string& id) {
  return [id](WriteTxn& txn) -> absl::StatusOr<std::string> {
    absl::StatusOr<Stmt> ins = txn.db().Prepare(
        "INSERT INTO users(user_id, display_name, department, roles, enabled, version, "
        "created_us, updated_us) VALUES (?, ?, '', 'registrar', 1, 1, ?, ?)");
    if (!ins.ok()) return ins.status();
    ins->Bind(id, id, txn.now_us(), txn.now_us());
    if (absl::Status st = ins->Run(); !st.ok()) return st;
    absl::StatusOr<int64_t> seq = txn.AppendEvent({"user.add", "user", id, "", "ENABLED", ""});
    if (!seq.ok()) return seq.status();
    return id + "@" + std::to_string(*seq);
  };
}

int64_t CountUsers(Store& store, const std::string& where = "1=1") {
  return *store.Read<int64_t>([&](Db& db) -> absl::StatusOr<int64_t> {
    absl::StatusOr<std::optional<int64_t>> n =
        db.QueryInt("SELECT COUNT(*) FROM users WHERE " + where);
    if (!n.ok()) return n.status();
    return n->value_or(0);
  });
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    options_.path = dir_ + "/jijian.db";
  }
  std::string dir_;
  Store::Options options_;
};

TEST_F(StoreTest, CreateAppliesEveryMigrationAndReopenKeepsData) {
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Create(options_, TestKek());
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->Apply(kAdmin, "r1", AddUser("alice")).ok());
  }
  // Creating again over the same file is refused.
  EXPECT_EQ(Store::Create(options_, TestKek()).status().code(), absl::StatusCode::kAlreadyExists);

  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options_, TestKek());
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(CountUsers(**store, "user_id='alice'"), 1);
  int64_t version = *(*store)->Read<int64_t>([](Db& db) -> absl::StatusOr<int64_t> {
    return db.QueryInt("PRAGMA user_version")->value_or(-1);
  });
  EXPECT_EQ(version, LatestSchemaVersion());
  std::string mode = *(*store)->Read<std::string>([](Db& db) -> absl::StatusOr<std::string> {
    absl::StatusOr<Stmt> q = db.Prepare("PRAGMA journal_mode");
    if (!q.ok()) return q.status();
    (void)q->Step();
    return q->Text(0);
  });
  EXPECT_EQ(mode, "wal");
}

TEST_F(StoreTest, OpenWithWrongKekIsRefused) {
  { ASSERT_TRUE(Store::Create(options_, TestKek()).ok()); }
  absl::StatusOr<Kek> other = Kek::FromBytes(std::string(32, '\x43'));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(Store::Open(options_, *other).status().code(), absl::StatusCode::kPermissionDenied);
}

// Schema 9 tags the blind-index digests made before it with the active index key, so that
// they equal what the keyring computes now and an index-key rotation can carry them forward.
TEST_F(StoreTest, MigrationNineTagsOlderDigestsWithTheActiveIndexKey) {
  std::string digest;
  {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Create(options_, TestKek());
    ASSERT_TRUE(store.ok()) << store.status();
    digest = (*store)->keyring().BlindIndex("person:id", "110105194912310021");
  }
  ASSERT_EQ(digest.size(), Keyring::kDigestBytes);
  {
    // As a schema-8 file held it: 16 bytes, no tag.
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(options_.path, {});
    ASSERT_TRUE(db.ok());
    absl::StatusOr<Stmt> ins =
        (*db)->Prepare("INSERT INTO person_index(digest, object_id) VALUES (?, 'XF-2026-000001')");
    ASSERT_TRUE(ins.ok());
    ins->Bind(Blob{digest.substr(0, 16)});
    ASSERT_TRUE(ins->Run().ok());
    // Migration 9 itself (the file already holds the later ones, which add columns and so
    // cannot run twice).
    const Migration& nine = Migrations()[8];
    ASSERT_EQ(nine.version, 9);
    ASSERT_TRUE((*db)->Exec(nine.sql).ok());
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options_, TestKek());
  ASSERT_TRUE(store.ok()) << store.status();
  std::string stored = *(*store)->Read<std::string>([](Db& db) -> absl::StatusOr<std::string> {
    absl::StatusOr<Stmt> q = db.Prepare("SELECT digest FROM person_index");
    if (!q.ok()) return q.status();
    (void)q->Step();
    return q->BlobAt(0);
  });
  EXPECT_EQ(stored, digest);
}

TEST_F(StoreTest, NewerSchemaIsRefused) {
  { ASSERT_TRUE(Store::Create(options_, TestKek()).ok()); }
  {
    absl::StatusOr<std::unique_ptr<Db>> db = Db::Open(options_.path, {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 999").ok());
  }
  absl::Status st = Store::Open(options_, TestKek()).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(st.message().find("999"), std::string::npos);
}

TEST_F(StoreTest, ConcurrentWritersAreGroupCommittedAndAllSurviveReopen) {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 40;
  {
    std::unique_ptr<Store> store = *Store::Create(options_, TestKek());
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string id = "u" + std::to_string(t) + "-" + std::to_string(i);
          if (!store->Apply(kAdmin, "req-" + id, AddUser(id)).ok()) ++failures;
        }
      });
    }
    for (std::thread& th : threads) th.join();
    EXPECT_EQ(failures.load(), 0);
    Store::Stats stats = store->stats();
    EXPECT_EQ(stats.mutations, kThreads * kPerThread);
    // Group commit: many mutations shared a transaction.
    EXPECT_LT(stats.batches, stats.mutations);
  }
  std::unique_ptr<Store> store = *Store::Open(options_, TestKek());
  EXPECT_EQ(CountUsers(*store), kThreads * kPerThread);
  // The audit log is gap-free and its stored Merkle root matches one recomputed from leaves.
  store
      ->Read<int>([&](Db& db) -> absl::StatusOr<int> {
        absl::StatusOr<int64_t> size = AuditLogSize(db);
        EXPECT_EQ(*size, kThreads * kPerThread);
        EXPECT_EQ(*db.QueryInt("SELECT COUNT(DISTINCT seq) FROM audit_events"), *size);
        std::vector<AuditEvent> events = *ReadAuditEvents(db, 0, *size);
        std::vector<std::string> leaves;
        for (size_t i = 0; i < events.size(); ++i) {
          EXPECT_EQ(events[i].seq, static_cast<int64_t>(i));
          leaves.push_back(merkle::LeafHash(CanonicalEventBytes(events[i])));
        }
        absl::StatusOr<TreeHead> head = LatestTreeHead(db);
        EXPECT_TRUE(head.ok()) << head.status();
        EXPECT_EQ(head->tree_size, *size);
        std::vector<std::vector<std::string>> levels = merkle::BuildLevels(leaves);
        merkle::SubtreeFn mem = [&](uint64_t level, uint64_t idx) -> absl::StatusOr<std::string> {
          return levels[level][idx];
        };
        EXPECT_EQ(head->root, *merkle::Root(leaves.size(), mem));
        EXPECT_EQ(head->root, *merkle::Root(leaves.size(), StoredSubtrees(db)));
        EXPECT_TRUE(Ed25519Verify(store->keyring().audit_public_key(),
                                  TreeHeadSignedBytes(head->tree_size, head->ts_us, head->root),
                                  head->signature));
        return 0;
      })
      .IgnoreError();
}

TEST_F(StoreTest, FailingMutationRollsBackAloneWithinItsBatch) {
  std::unique_ptr<Store> store = *Store::Create(options_, TestKek());
  // Hold the writer inside a first mutation so that the next ones queue into one batch.
  absl::Notification entered, release;
  std::thread blocker([&] {
    ASSERT_TRUE(store
                    ->Apply(kAdmin, "block",
                            [&](WriteTxn& txn) -> absl::StatusOr<std::string> {
                              entered.Notify();
                              release.WaitForNotification();
                              return AddUser("first")(txn);
                            })
                    .ok());
  });
  entered.WaitForNotification();
  const int64_t batches_before = store->stats().batches;
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(5);
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] {
      std::string id = "b" + std::to_string(i);
      MutationFn fn = AddUser(id);
      if (i == 2) {
        // Writes its row and event, then fails: both must vanish.
        fn = [fn](WriteTxn& txn) -> absl::StatusOr<std::string> {
          absl::StatusOr<std::string> r = fn(txn);
          if (!r.ok()) return r.status();
          return absl::InvalidArgumentError("field x: rejected by the test");
        };
      }
      results[i] = store->Apply(kAdmin, "req-" + id, fn).status();
    });
  }
  // Wait until all five are queued behind the blocker.
  while (store->TEST_queue_length() < 5) absl::SleepFor(absl::Milliseconds(1));
  release.Notify();
  blocker.join();
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 5; ++i) {
    if (i == 2) {
      EXPECT_EQ(results[i].code(), absl::StatusCode::kInvalidArgument);
    } else {
      EXPECT_TRUE(results[i].ok()) << results[i];
    }
  }
  // The five ran in one batch after the blocker's.
  EXPECT_EQ(store->stats().batches - batches_before, 2);
  EXPECT_EQ(CountUsers(*store, "user_id='b2'"), 0);
  EXPECT_EQ(CountUsers(*store), 5);  // first + b0, b1, b3, b4
  int64_t events = *store->Read<int64_t>([](Db& db) { return AuditLogSize(db); });
  EXPECT_EQ(events, 5);  // gap-free: the failed mutation's seq was reused
  int64_t max_seq = *store->Read<int64_t>([](Db& db) -> absl::StatusOr<int64_t> {
    return db.QueryInt("SELECT MAX(seq) FROM audit_events")->value_or(-1);
  });
  EXPECT_EQ(max_seq, 4);
}

// A counter table of the test's own, kept through WriteTxn::counters() as the statistics
// counters are (storage/stats.cc).
const std::string kCountAdd =
    "INSERT INTO test_counts(k, g, n) VALUES (?, ?, ?) "
    "ON CONFLICT(k, g) DO UPDATE SET n = n + excluded.n";
const std::string kCountDrop = "DELETE FROM test_counts WHERE k = ? AND g = ? AND n = 0";
const CounterDeltas::Table kCounts{&kCountAdd, &kCountDrop, false};

MutationFn Count(std::vector<std::pair<std::string, int64_t>> changes, bool fail = false) {
  return [changes, fail](WriteTxn& txn) -> absl::StatusOr<std::string> {
    for (const auto& [key, n] : changes) txn.counters().Add(kCounts, {key, int64_t{7}}, n, 0);
    if (fail) return absl::InvalidArgumentError("field x: rejected by the test");
    return std::string();
  };
}

// The counts of test_counts, "key=n" sorted by key.
std::vector<std::string> Counts(Store& store) {
  return *store.Read<std::vector<std::string>>([](Db& db) {
    return db.Prepare("SELECT k, g, n FROM test_counts ORDER BY k")
        ->Collect<std::string>([](const Stmt& q) {
          return q.Text(0) + "/" + q.Text(1) + "=" + std::to_string(q.Int(2));
        });
  });
}

// Runs fns as one batch: a first mutation holds the writer (and runs first) while they queue.
std::vector<absl::Status> RunAsOneBatch(Store& store, MutationFn first,
                                        std::vector<MutationFn> fns) {
  absl::Notification entered, release;
  std::thread blocker([&] {
    EXPECT_TRUE(store
                    .Apply(kAdmin, "",
                           [&](WriteTxn& txn) -> absl::StatusOr<std::string> {
                             entered.Notify();
                             release.WaitForNotification();
                             return first(txn);
                           })
                    .ok());
  });
  entered.WaitForNotification();
  std::vector<absl::Status> results(fns.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < fns.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = store.Apply(kAdmin, "", fns[i]).status(); });
    // One at a time, so that they queue (and run) in order.
    while (store.TEST_queue_length() < i + 1) absl::SleepFor(absl::Milliseconds(1));
  }
  const int64_t batches_before = store.stats().batches;
  release.Notify();
  blocker.join();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(store.stats().batches - batches_before, 2) << "the mutations did not share a batch";
  return results;
}

// Creates test_counts (no row may be created below zero), and test_writes, which counts the
// rows written to it.
void CreateCounts(Store& store) {
  ASSERT_TRUE(store
                  .Apply(kAdmin, "",
                         [](WriteTxn& txn) -> absl::StatusOr<std::string> {
                           if (absl::Status st = txn.db().Exec(
                                   "CREATE TABLE test_counts(k TEXT, g INTEGER, "
                                   "n INTEGER NOT NULL, PRIMARY KEY (k, g));"
                                   "CREATE TRIGGER test_neg AFTER INSERT ON test_counts "
                                   "WHEN NEW.n < 0 BEGIN SELECT RAISE(ABORT, 'below zero'); END;"
                                   "CREATE TABLE test_writes(n INTEGER); "
                                   "INSERT INTO test_writes VALUES (0);"
                                   "CREATE TRIGGER test_ins AFTER INSERT ON test_counts BEGIN "
                                   "UPDATE test_writes SET n = n + 1; END;"
                                   "CREATE TRIGGER test_upd AFTER UPDATE ON test_counts BEGIN "
                                   "UPDATE test_writes SET n = n + 1; END;");
                               !st.ok())
                             return st;
                           return std::string();
                         })
                  .ok());
}

int64_t CounterWrites(Store& store) {
  return *store.Read<int64_t>([](Db& db) -> absl::StatusOr<int64_t> {
    return db.QueryInt("SELECT n FROM test_writes")->value_or(-1);
  });
}

TEST_F(StoreTest, CounterChangesAreSummedPerBatchAndFollowTheirMutations) {
  std::unique_ptr<Store> store = *Store::Create(options_, TestKek());
  CreateCounts(*store);
  ASSERT_TRUE(store->Apply(kAdmin, "", Count({{"gone", 1}, {"kept", 2}})).ok());
  ASSERT_EQ(Counts(*store), (std::vector<std::string>{"gone/7=1", "kept/7=2"}));
  ASSERT_EQ(CounterWrites(*store), 2);

  std::vector<absl::Status> results =
      RunAsOneBatch(*store, Count({{"a", 1}}),
                    {Count({{"a", 1}, {"b", 1}}, /*fail=*/true),  // rolled back with its rows
                     Count({{"a", 1}, {"zero", 1}, {"zero", -1}}),  // sums to no change
                     Count({{"gone", -1}}),  // falls to zero: the row is deleted
                     Count({{"kept", -1}}), Count({{"a", 1}})});
  EXPECT_EQ(results[0].code(), absl::StatusCode::kInvalidArgument);
  for (size_t i = 1; i < results.size(); ++i) EXPECT_TRUE(results[i].ok()) << i << results[i];
  EXPECT_EQ(Counts(*store), (std::vector<std::string>{"a/7=3", "kept/7=1"}));
  // One write for the first mutation's batch ("a"), and one per row that changed in the
  // second: "a" (three changes), "gone" and "kept"; "zero" summed to nothing. Row by row
  // it would have been seven.
  EXPECT_EQ(CounterWrites(*store), 2 + 1 + 3);
}

TEST_F(StoreTest, ABatchWhoseCountersCannotBeWrittenIsRetriedOneMutationAtATime) {
  std::unique_ptr<Store> store = *Store::Create(options_, TestKek());
  CreateCounts(*store);
  // The second mutation's counter would be created below zero: the batch's counters fail
  // when written, after every mutation ran. Only that mutation may fail, with its user row.
  MutationFn bad = [](WriteTxn& txn) -> absl::StatusOr<std::string> {
    absl::StatusOr<std::string> user = AddUser("bad")(txn);
    if (!user.ok()) return user;
    return Count({{"never", -1}})(txn);
  };
  MutationFn good = [](WriteTxn& txn) -> absl::StatusOr<std::string> {
    absl::StatusOr<std::string> user = AddUser("good")(txn);
    if (!user.ok()) return user;
    return Count({{"a", 1}})(txn);
  };
  std::vector<absl::Status> results = RunAsOneBatch(*store, Count({{"a", 1}}), {good, bad});
  EXPECT_TRUE(results[0].ok()) << results[0];
  EXPECT_FALSE(results[1].ok());
  EXPECT_EQ(Counts(*store), (std::vector<std::string>{"a/7=2"}));
  EXPECT_EQ(CountUsers(*store, "user_id='good'"), 1);
  EXPECT_EQ(CountUsers(*store, "user_id='bad'"), 0);
  // The log holds the events of the stored mutations only, gap-free.
  EXPECT_EQ(*store->Read<int64_t>([](Db& db) { return AuditLogSize(db); }), 1);
}

TEST_F(StoreTest, RetryWithSameRequestIdReturnsFirstResultAndRunsOnce) {
  std::unique_ptr<Store> store = *Store::Create(options_, TestKek());
  std::atomic<int> runs{0};
  auto fn = [&](const std::string& id) -> MutationFn {
    return [&, id](WriteTxn& txn) -> absl::StatusOr<std::string> {
      ++runs;
      return AddUser(id)(txn);
    };
  };
  absl::StatusOr<std::string> first = store->Apply(kAdmin, "same", fn("x1"));
  ASSERT_TRUE(first.ok()) << first.status();
  // The retry even carries different content: the first result stands, nothing new is written.
  absl::StatusOr<std::string> again = store->Apply(kAdmin, "same", fn("x2"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(CountUsers(*store), 1);
  // Another actor's request id is its own.
  Actor other{"bob", "admin", "fp-bob"};
  ASSERT_TRUE(store->Apply(other, "same", fn("x3")).ok());
  EXPECT_EQ(runs.load(), 2);
  // A failed mutation is not remembered: its retry runs.
  ASSERT_FALSE(store
                   ->Apply(kAdmin, "fails",
                           [](WriteTxn&) -> absl::StatusOr<std::string> {
                             return absl::InvalidArgumentError("no");
                           })
                   .ok());
  EXPECT_TRUE(store->Apply(kAdmin, "fails", fn("x4")).ok());
}

TEST_F(StoreTest, StaleVersionIsAborted) {
  std::unique_ptr<Store> store = *Store::Create(options_, TestKek());
  ASSERT_TRUE(store->Apply(kAdmin, "", AddUser("v")).ok());
  auto check = [&](const std::string& id, int64_t expected) {
    return store
        ->Apply(kAdmin, "",
                [&](WriteTxn& txn) -> absl::StatusOr<std::string> {
                  if (absl::Status st = txn.CheckVersion("users", "user_id", id, expected);
                      !st.ok()) {
                    return st;
                  }
                  return std::string("ok");
                })
        .status();
  };
  EXPECT_TRUE(check("v", 1).ok());
  absl::Status stale = check("v", 0);
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_NE(stale.message().find("version 1"), std::string::npos);
  EXPECT_EQ(check("nobody", 1).code(), absl::StatusCode::kNotFound);
}

TEST_F(StoreTest, SealedMarkerNeverReachesDatabaseOrWal) {
  const std::string kSecret = "MARKER-7f3a-举报人张三-身份证";
  const std::string kPlainControl = "CONTROL-9b1c-plain";
  std::unique_ptr<Store> store = *Store::Create(options_, TestKek());
  ASSERT_TRUE(store
                  ->Apply(kAdmin, "seal",
                          [&](WriteTxn& txn) -> absl::StatusOr<std::string> {
                            if (absl::Status st = txn.db().Exec(
                                    "CREATE TABLE notes(id TEXT PRIMARY KEY, body BLOB, tag TEXT)");
                                !st.ok()) {
                              return st;
                            }
                            absl::StatusOr<std::string> sealed = txn.keyring().Seal(
                                KeyDomain::kContent, {"notes", "body", "n1"}, kSecret);
                            if (!sealed.ok()) return sealed.status();
                            absl::StatusOr<Stmt> ins =
                                txn.db().Prepare("INSERT INTO notes VALUES ('n1', ?, ?)");
                            if (!ins.ok()) return ins.status();
                            ins->Bind(Blob{*sealed}, kPlainControl);
                            if (absl::Status st = ins->Run(); !st.ok()) return st;
                            absl::StatusOr<int64_t> seq =
                                txn.AppendEvent({"note.add", "note", "n1", "", "SAVED", ""});
                            if (!seq.ok()) return seq.status();
                            return std::string("ok");
                          })
                  .ok());
  std::string bytes = ReadFile(options_.path) + ReadFile(options_.path + "-wal");
  // The control proves the search sees what was written; the sealed marker must be absent.
  EXPECT_NE(bytes.find(kPlainControl), std::string::npos);
  EXPECT_EQ(bytes.find(kSecret), std::string::npos);
  EXPECT_EQ(bytes.find("MARKER-7f3a"), std::string::npos);
  // And it opens again at its place.
  std::string body = *store->Read<std::string>([](Db& db) -> absl::StatusOr<std::string> {
    absl::StatusOr<Stmt> q = db.Prepare("SELECT body FROM notes WHERE id='n1'");
    if (!q.ok()) return q.status();
    (void)q->Step();
    return q->BlobAt(0);
  });
  EXPECT_EQ(*store->keyring().Open({"notes", "body", "n1"}, body), kSecret);
}

}  // namespace
// The write-ahead log is copied back into the database file while the store serves, by
// the checkpointer's own connection (the writer's commits no longer do it): after ~8 MB of
// commits the database file holds them before the store is closed, and every row reads.
TEST_F(StoreTest, TheLogIsCheckpointedWhileServing) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Create(options_, TestKek());
  ASSERT_TRUE(store.ok()) << store.status();
  struct stat st;
  ASSERT_EQ(::stat(options_.path.c_str(), &st), 0);
  const off_t initial = st.st_size;
  const std::string note(16 * 1024, 'x');
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE((*store)
                    ->Apply(kAdmin, "", [&, i](WriteTxn& txn) -> absl::StatusOr<std::string> {
                      absl::StatusOr<Stmt> ins = txn.db().Prepare(
                          "INSERT INTO users(user_id, display_name, department, roles, enabled, "
                          "version, created_us, updated_us) VALUES (?, ?, '', 'registrar', 1, 1, "
                          "0, 0)");
                      if (!ins.ok()) return ins.status();
                      ins->Bind("u" + std::to_string(i), note);
                      if (absl::Status s = ins->Run(); !s.ok()) return s;
                      return std::string();
                    })
                    .ok());
  }
  off_t size = initial;
  for (int tries = 0; tries < 200 && size < initial + 4 * 1024 * 1024; ++tries) {
    ASSERT_EQ(::stat(options_.path.c_str(), &st), 0);
    size = st.st_size;
    if (size < initial + 4 * 1024 * 1024) ::usleep(50 * 1000);
  }
  EXPECT_GE(size, initial + 4 * 1024 * 1024) << "the log was not checkpointed while serving";
  EXPECT_EQ(CountUsers(**store), 500);
}

}  // namespace jijian::storage
