// Disk full and I/O errors (issue 8). On a real small file system (a tmpfs mounted for the
// test; root only, skipped otherwise) and under an SQLite VFS that fails writes and fsyncs
// on purpose (tests/fault_vfs.h): writes are refused with RESOURCE_EXHAUSTED (disk full) or
// UNAVAILABLE (I/O error) and a message saying nothing was stored, reads go on, the server
// writes again by itself once the disk has room or works (no restart), and afterwards every
// acknowledged petition reads back, numbers have no gap, `PRAGMA integrity_check` is ok and
// the audit log verifies. A batch that does not fit does not take down writes that would
// have fit on their own; after SQLite rolls a transaction back by itself, nothing more runs
// outside it; a disk that fails reads is refused as clearly and loses nothing; and a server
// that cannot start on a full disk says so.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/match.h"
#include "absl/synchronization/notification.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "server/config.h"
#include "server/init.h"
#include "server/verify.h"
#include "storage/audit.h"
#include "storage/db.h"
#include "storage/store.h"
#include "tests/fault_vfs.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

namespace fs = std::filesystem;

// A tmpfs of a few MiB mounted on a fresh folder for one test, unmounted when it goes.
class SmallDisk {
 public:
  // Mounts one, or returns null and says why (not root, no mount permission).
  static std::unique_ptr<SmallDisk> Mount(const std::string& size, std::string* why_not) {
    if (::geteuid() != 0) {
      *why_not = "mounting a small tmpfs needs root; the VFS fault tests still run";
      return nullptr;
    }
    const std::string dir = NewTempPath("small-disk");
    fs::create_directories(dir);
    const std::string data = "size=" + size + ",mode=0700";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, data.c_str()) != 0) {
      *why_not = "cannot mount a tmpfs on " + dir + ": " + std::strerror(errno);
      fs::remove(dir);
      return nullptr;
    }
    return std::unique_ptr<SmallDisk>(new SmallDisk(dir));
  }
  ~SmallDisk() {
    if (::umount2(dir_.c_str(), MNT_DETACH) != 0) {
      ADD_FAILURE() << "cannot unmount " << dir_ << ": " << std::strerror(errno);
    }
    std::error_code ec;
    fs::remove(dir_, ec);
  }
  const std::string& dir() const { return dir_; }

  // Takes every free byte with a filler file; returns how many it took.
  int64_t Fill() {
    const std::string chunk(64 * 1024, '\0');
    int fd = ::open(Filler().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    EXPECT_GE(fd, 0) << std::strerror(errno);
    int64_t total = 0;
    for (size_t n = chunk.size(); n > 0; n /= 2) {
      while (true) {
        ssize_t w = ::write(fd, chunk.data(), n);
        if (w <= 0) break;
        total += w;
      }
    }
    ::close(fd);
    return total;
  }
  // Gives the space back.
  void Free() {
    std::error_code ec;
    fs::remove(Filler(), ec);
  }

 private:
  explicit SmallDisk(std::string dir) : dir_(std::move(dir)) {}
  std::string Filler() const { return dir_ + "/filler"; }
  std::string dir_;
};

// Registrations keyed by request id: what was answered, and with which content.
struct Outcome {
  grpc::Status status;
  std::string id;  // the petition number when OK
};

v1::RegisterPetitionRequest Petition(const std::string& tag) {
  v1::RegisterPetitionRequest req;
  req.set_request_id("faults-" + tag);
  req.set_channel(v1::CHANNEL_LETTER);
  req.set_category(v1::CATEGORY_ACCUSATION);
  req.set_anonymous(true);
  v1::Subject* s = req.add_subjects();
  s->set_name("被反映人" + tag);
  s->set_unit("某单位");
  req.set_summary("摘要" + tag);
  // Enough content that a batch needs several pages of the WAL.
  req.set_content("内容" + tag + std::string(1500, 'x'));
  return req;
}

Outcome Register(v1::PetitionService::Stub& stub, const std::string& tag) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  v1::RegisterPetitionResponse resp;
  Outcome out;
  out.status = stub.RegisterPetition(&ctx, Petition(tag), &resp);
  out.id = resp.petition().id();
  return out;
}

// Registers tags from `writers` concurrent clients; returns each tag's outcome.
std::map<std::string, Outcome> RegisterConcurrently(const std::shared_ptr<grpc::Channel>& channel,
                                                    const std::string& round, int writers,
                                                    int each) {
  std::mutex mu;
  std::map<std::string, Outcome> out;
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      auto stub = v1::PetitionService::NewStub(channel);
      for (int i = 0; i < each; ++i) {
        const std::string tag = round + "-" + std::to_string(w) + "-" + std::to_string(i);
        Outcome o = Register(*stub, tag);
        std::lock_guard<std::mutex> lock(mu);
        out[tag] = o;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return out;
}

// Checks a round against a disk that refuses writes: every refusal has the expected code
// and says nothing was stored; OK answers join acked (tag -> petition id). Returns the
// refused tags.
std::vector<std::string> SortOutcomes(const std::map<std::string, Outcome>& round,
                                      grpc::StatusCode expected, const std::string& says,
                                      std::map<std::string, std::string>& acked) {
  std::vector<std::string> refused;
  for (const auto& [tag, o] : round) {
    if (o.status.ok()) {
      acked[tag] = o.id;
      continue;
    }
    refused.push_back(tag);
    EXPECT_EQ(o.status.error_code(), expected) << tag << ": " << o.status.error_message();
    EXPECT_NE(o.status.error_message().find(says), std::string::npos) << o.status.error_message();
    // A write refused by the writer, or by a read it needed first.
    EXPECT_TRUE(absl::StrContains(o.status.error_message(), "nothing of this write was stored") ||
                absl::StrContains(o.status.error_message(), "nothing was changed"))
        << o.status.error_message();
  }
  return refused;
}

// Reads keep working while writes are refused: a petition and the list.
void ExpectReadsWork(v1::PetitionService::Stub& stub, const std::string& some_id) {
  grpc::ClientContext get_ctx;
  v1::GetPetitionRequest get;
  get.set_id(some_id);
  v1::GetPetitionResponse got;
  grpc::Status st = stub.GetPetition(&get_ctx, get, &got);
  EXPECT_TRUE(st.ok()) << "read while writes fail: " << st.error_message();
  grpc::ClientContext list_ctx;
  v1::ListPetitionsRequest list;
  list.set_page_size(10);
  v1::ListPetitionsResponse listed;
  st = stub.ListPetitions(&list_ctx, list, &listed);
  EXPECT_TRUE(st.ok()) << "list while writes fail: " << st.error_message();
  EXPECT_GT(listed.petitions_size(), 0);
}

// Retries refused tags with the same request ids once the disk is back: each succeeds.
void RetryRefused(v1::PetitionService::Stub& stub, const std::vector<std::string>& refused,
                  std::map<std::string, std::string>& acked) {
  for (const std::string& tag : refused) {
    Outcome o = Register(stub, tag);
    ASSERT_TRUE(o.status.ok()) << "after recovery, " << tag << ": " << o.status.error_message();
    acked[tag] = o.id;
  }
}

// Everything acknowledged reads back as written; petition numbers are 1..n with no gap and
// no extra; the file passes integrity_check.
void ExpectAllThere(TestDeployment& deploy, v1::PetitionService::Stub& stub,
                    const std::map<std::string, std::string>& acked) {
  std::set<std::string> ids;
  for (const auto& [tag, id] : acked) {
    grpc::ClientContext ctx;
    v1::GetPetitionRequest get;
    get.set_id(id);
    v1::GetPetitionResponse resp;
    grpc::Status st = stub.GetPetition(&ctx, get, &resp);
    ASSERT_TRUE(st.ok()) << "acknowledged " << id << " lost: " << st.error_message();
    EXPECT_EQ(resp.petition().content(), Petition(tag).content()) << id;
    EXPECT_TRUE(ids.insert(id).second) << id << " acknowledged twice";
  }
  std::vector<std::string> all;
  std::string token;
  do {
    v1::ListPetitionsRequest list;
    list.set_page_size(500);
    list.set_page_token(token);
    grpc::ClientContext ctx;
    v1::ListPetitionsResponse resp;
    ASSERT_TRUE(stub.ListPetitions(&ctx, list, &resp).ok());
    for (const auto& p : resp.petitions()) all.push_back(p.id());
    token = resp.next_page_token();
  } while (!token.empty());
  EXPECT_EQ(all.size(), acked.size()) << "a refused write left a petition behind";
  std::sort(all.begin(), all.end());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(std::stoi(all[i].substr(8)), static_cast<int>(i + 1)) << all[i];
  }
  absl::StatusOr<std::string> check =
      deploy.server().store().Read<std::string>([](storage::Db& db) -> absl::StatusOr<std::string> {
        absl::StatusOr<storage::Stmt> q = db.Prepare("PRAGMA integrity_check");
        if (!q.ok()) return q.status();
        absl::StatusOr<bool> row = q->Step();
        if (!row.ok()) return row.status();
        return q->Text(0);
      });
  ASSERT_TRUE(check.ok()) << check.status();
  EXPECT_EQ(*check, "ok");
}

// The audit log of a stopped deployment verifies offline, head and all.
void ExpectLogVerifies(const std::string& data_dir) {
  server::VerifyOptions options;
  options.data_dir = data_dir;
  absl::StatusOr<server::VerifyReport> report = server::VerifyAuditLog(options);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->problems.empty()) << report->problems.front();
  EXPECT_EQ(report->newest_size, report->events) << "the newest signed head lags the log";
  // The statistics counters, written in the same transactions, agree with the rows.
  EXPECT_TRUE(report->stats_problems.empty()) << report->stats_problems.front();
}

// A profile pointed at the deployment's current address.
std::shared_ptr<grpc::Channel> ChannelOf(TestDeployment& deploy, const std::string& profile) {
  absl::StatusOr<client::Profile> p = client::LoadProfile(profile);
  EXPECT_TRUE(p.ok()) << p.status();
  p->server = deploy.address();
  return TestDeployment::Channel(*p);
}

TEST(FaultsTest, FullFileSystemRefusesWritesKeepsReadsAndRecoversWhenSpaceReturns) {
  std::string why_not;
  std::unique_ptr<SmallDisk> disk = SmallDisk::Mount("8m", &why_not);
  if (!disk) GTEST_SKIP() << why_not;
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start();
  ASSERT_NE(deploy, nullptr);
  ASSERT_TRUE(deploy->MoveDatabase(disk->dir() + "/jijian.db"));
  const std::string reg = deploy->AddUser("reg", "registrar");
  auto channel = ChannelOf(*deploy, reg);
  auto stub = v1::PetitionService::NewStub(channel);

  std::map<std::string, std::string> acked;  // tag -> petition id, answered OK
  for (int i = 0; i < 5; ++i) {
    Outcome o = Register(*stub, "before-" + std::to_string(i));
    ASSERT_TRUE(o.status.ok()) << o.status.error_message();
    acked["before-" + std::to_string(i)] = o.id;
  }

  ASSERT_GT(disk->Fill(), 0);
  std::vector<std::string> refused =
      SortOutcomes(RegisterConcurrently(channel, "full", 4, 8),
                   grpc::StatusCode::RESOURCE_EXHAUSTED, "the database disk is full", acked);
  ASSERT_FALSE(refused.empty()) << "the full disk refused nothing: the test tested nothing";
  ExpectReadsWork(*stub, acked.begin()->second);

  // Space returns; the same server, not restarted, takes the writes again.
  disk->Free();
  RetryRefused(*stub, refused, acked);
  ExpectAllThere(*deploy, *stub, acked);
  deploy->Stop();
  ExpectLogVerifies(deploy->data_dir());
}

// One kind of injected fault against a live server: refusals with code and message,
// reads meanwhile, then recovery without a restart.
struct InjectedFault {
  const char* name;
  FaultVfs::Kind kind;
  int64_t bytes_allowed;  // lets the first commit tear part-way
  grpc::StatusCode code;
  const char* says;
};

// A served deployment under the fault VFS, a registrar's channel, and three petitions
// acknowledged before any fault.
class FaultsServedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    FaultVfs::Install();  // before the deployment opens its database
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    reg_ = deploy_->AddUser("reg", "registrar");
    channel_ = deploy_->Channel(reg_);
    stub_ = v1::PetitionService::NewStub(channel_);
    FaultVfs::Watch(deploy_->data_dir());
    for (int i = 0; i < 3; ++i) {
      Outcome o = Register(*stub_, "before-" + std::to_string(i));
      ASSERT_TRUE(o.status.ok()) << o.status.error_message();
      acked_["before-" + std::to_string(i)] = o.id;
    }
  }

  // With the disk working again: every acknowledged petition is there, the log verifies
  // offline, and the server starts again on the same files.
  void ExpectNothingLostAndRestart() {
    ExpectAllThere(*deploy_, *stub_, acked_);
    deploy_->Stop();
    ExpectLogVerifies(deploy_->data_dir());
    ASSERT_TRUE(deploy_->Restart());
    ExpectAllThere(*deploy_, *v1::PetitionService::NewStub(ChannelOf(*deploy_, reg_)), acked_);
  }

  std::unique_ptr<TestDeployment> deploy_;
  std::string reg_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::PetitionService::Stub> stub_;
  std::map<std::string, std::string> acked_;  // tag -> petition id
};

TEST_F(FaultsServedTest, InjectedDiskFaultsAreRefusedClearlyAndTheServerRecoversByItself) {
  const InjectedFault faults[] = {
      {"write-eio", FaultVfs::Kind::kIoError, 6000, grpc::StatusCode::UNAVAILABLE,
       "the database disk reported an I/O error"},
      {"fsync-eio", FaultVfs::Kind::kSyncError, 0, grpc::StatusCode::UNAVAILABLE,
       "the database disk reported an I/O error"},
      {"disk-full", FaultVfs::Kind::kDiskFull, 6000, grpc::StatusCode::RESOURCE_EXHAUSTED,
       "the database disk is full"},
  };
  for (const InjectedFault& f : faults) {
    SCOPED_TRACE(f.name);
    const int64_t injected = FaultVfs::Injected();
    FaultVfs::Arm(f.kind, f.bytes_allowed);
    std::vector<std::string> refused =
        SortOutcomes(RegisterConcurrently(channel_, f.name, 4, 5), f.code, f.says, acked_);
    EXPECT_FALSE(refused.empty()) << "nothing was refused: the fault did not bite";
    EXPECT_GT(FaultVfs::Injected(), injected);
    ExpectReadsWork(*stub_, acked_.begin()->second);
    FaultVfs::Disarm();
    RetryRefused(*stub_, refused, acked_);
  }
  ExpectNothingLostAndRestart();
}

// A disk that fails reads (SQLITE_IOERR_READ from every xRead). A call that needs a page no
// connection holds in its cache is refused with UNAVAILABLE naming the disk, and a refused
// write says nothing of it was stored; no call fails any other way, and no answer carries a
// petition's text. Once reads work again, without a restart, the refused writes go through
// on retry, and everything acknowledged before and during the fault reads back whole.
TEST_F(FaultsServedTest, ADiskThatFailsReadsIsRefusedClearlyAndLosesNothing) {
  const int64_t injected = FaultVfs::Injected();
  FaultVfs::Arm(FaultVfs::Kind::kReadError);
  // The writer may hold every page it needs in its cache: a registration is acknowledged or
  // refused, never anything else.
  std::vector<std::string> refused =
      SortOutcomes(RegisterConcurrently(channel_, "read-eio", 4, 5), grpc::StatusCode::UNAVAILABLE,
                   "the database disk reported an I/O error", acked_);
  // A reader whose cache is stale (the log grew, or a new connection) must read the disk.
  size_t reads_refused = 0;
  for (const auto& [tag, id] : acked_) {
    grpc::ClientContext ctx;
    v1::GetPetitionRequest get;
    get.set_id(id);
    v1::GetPetitionResponse got;
    grpc::Status st = stub_->GetPetition(&ctx, get, &got);
    if (st.ok()) {
      EXPECT_EQ(got.petition().content(), Petition(tag).content()) << id;
      continue;
    }
    ++reads_refused;
    EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << id << ": " << st.error_message();
    EXPECT_NE(st.error_message().find("I/O error"), std::string::npos) << st.error_message();
    EXPECT_EQ(st.error_message().find(tag), std::string::npos) << st.error_message();
  }
  EXPECT_GT(refused.size() + reads_refused, 0u) << "nothing was refused: the fault did not bite";
  EXPECT_GT(FaultVfs::Injected(), injected);
  FaultVfs::Disarm();

  RetryRefused(*stub_, refused, acked_);
  ExpectReadsWork(*stub_, acked_.begin()->second);
  ExpectNothingLostAndRestart();
}

// A mutation that adds a user with a large display name (several pages) and its event.
storage::MutationFn AddBigUser(const std::string& id) {
  return [id](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
    absl::StatusOr<storage::Stmt> ins = txn.db().Prepare(
        "INSERT INTO users(user_id, display_name, department, roles, enabled, version, "
        "created_us, updated_us) VALUES (?, ?, '', 'registrar', 1, 1, ?, ?)");
    if (!ins.ok()) return ins.status();
    ins->Bind(id, id + std::string(16 * 1024, 'n'), txn.now_us(), txn.now_us());
    if (absl::Status st = ins->Run(); !st.ok()) return st;
    absl::StatusOr<int64_t> seq = txn.AppendEvent({"user.add", "user", id, "", "ENABLED", ""});
    if (!seq.ok()) return seq.status();
    return id;
  };
}

TEST(FaultsTest, ABatchThatDoesNotFitDoesNotTakeDownWritesThatWouldHaveFit) {
  FaultVfs::Install();
  const std::string dir = NewTempPath("faults-store");
  fs::create_directories(dir);
  FaultVfs::Watch(dir);
  storage::Store::Options options;
  options.path = dir + "/jijian.db";
  const storage::Kek kek = *storage::Kek::FromBytes(std::string(32, '\x5a'));
  absl::StatusOr<std::unique_ptr<storage::Store>> opened = storage::Store::Create(options, kek);
  ASSERT_TRUE(opened.ok()) << opened.status();
  storage::Store& store = **opened;
  const storage::Actor admin{"admin", "admin", "fp"};
  ASSERT_TRUE(store.Apply(admin, "warm", AddBigUser("warm")).ok());

  // What one such write costs the disk.
  const int64_t before = FaultVfs::BytesWritten();
  ASSERT_TRUE(store.Apply(admin, "one", AddBigUser("one")).ok());
  const int64_t one_write = FaultVfs::BytesWritten() - before;
  ASSERT_GT(one_write, 0);

  // Hold the writer so that eight writes queue up into one batch.
  absl::Notification entered, release;
  std::thread holder([&] {
    EXPECT_TRUE(store
                    .Apply(admin, "",
                           [&](storage::WriteTxn&) -> absl::StatusOr<std::string> {
                             entered.Notify();
                             release.WaitForNotification();
                             return std::string();  // writes nothing
                           })
                    .ok());
  });
  entered.WaitForNotification();
  constexpr int kBatch = 8;
  std::vector<absl::Status> results(kBatch);
  std::vector<std::thread> writers;
  for (int i = 0; i < kBatch; ++i) {
    writers.emplace_back([&, i] {
      const std::string id = "b" + std::to_string(i);
      results[i] = store.Apply(admin, id, AddBigUser(id)).status();
    });
  }
  while (store.TEST_queue_length() < kBatch)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  // Room for one and a half such writes: the batch of eight cannot fit, one write alone can.
  FaultVfs::Arm(FaultVfs::Kind::kDiskFull, one_write + one_write / 2);
  release.Notify();
  holder.join();
  for (std::thread& t : writers) t.join();

  int stored = 0;
  for (int i = 0; i < kBatch; ++i) {
    if (results[i].ok()) {
      ++stored;
      continue;
    }
    EXPECT_EQ(results[i].code(), absl::StatusCode::kResourceExhausted) << results[i];
    EXPECT_TRUE(absl::StrContains(results[i].message(), "disk is full")) << results[i];
  }
  EXPECT_GE(stored, 1) << "the batch's failure took down writes that fit on their own";
  EXPECT_LT(stored, kBatch) << "everything fitted: the test tested nothing";
  auto count = [&](const std::string& sql) {
    return **store.Read<std::optional<int64_t>>([&](storage::Db& db) { return db.QueryInt(sql); });
  };
  EXPECT_EQ(count("SELECT COUNT(*) FROM users WHERE user_id LIKE 'b%'"), stored);

  // Room again: the refused writes, retried with their request ids, are stored once each.
  FaultVfs::Disarm();
  for (int i = 0; i < kBatch; ++i) {
    const std::string id = "b" + std::to_string(i);
    EXPECT_TRUE(store.Apply(admin, id, AddBigUser(id)).ok()) << id;
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM users WHERE user_id LIKE 'b%'"), kBatch);
  // One event per stored user, numbered without a gap, and a signed head over all of them.
  const int64_t users = count("SELECT COUNT(*) FROM users");
  EXPECT_EQ(count("SELECT COUNT(*) FROM audit_events"), users);
  EXPECT_EQ(count("SELECT MAX(seq) + 1 FROM audit_events"), users);
  EXPECT_EQ(count("SELECT MAX(tree_size) FROM tree_heads"), users);
  absl::StatusOr<std::string> check =
      store.Read<std::string>([](storage::Db& db) -> absl::StatusOr<std::string> {
        absl::StatusOr<storage::Stmt> q = db.Prepare("PRAGMA integrity_check");
        if (!q.ok()) return q.status();
        if (absl::StatusOr<bool> row = q->Step(); !row.ok()) return row.status();
        return q->Text(0);
      });
  EXPECT_EQ(check.value_or("failed"), "ok");
  opened->reset();
  fs::remove_all(dir);
}

TEST(FaultsTest, AfterSqliteRollsBackByItselfNothingRunsOutsideTheTransaction) {
  FaultVfs::Install();
  const std::string dir = NewTempPath("faults-guard");
  fs::create_directories(dir);
  FaultVfs::Watch(dir);
  absl::StatusOr<std::unique_ptr<storage::Db>> db =
      storage::Db::Open(dir + "/t.db", {.read_only = false, .create = true});
  ASSERT_TRUE(db.ok()) << db.status();
  storage::Db& d = **db;
  ASSERT_TRUE(d.Exec("CREATE TABLE t(v BLOB); PRAGMA cache_size = 8").ok());
  ASSERT_TRUE(d.Exec("BEGIN IMMEDIATE").ok());
  d.GuardTransaction();
  // A statement too big for the page cache spills to the WAL mid-transaction; the disk
  // fails that write and SQLite rolls the whole transaction back.
  FaultVfs::Arm(FaultVfs::Kind::kIoError, 0);
  absl::Status spill = d.Exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
      "INSERT INTO t SELECT randomblob(3000) FROM n");
  EXPECT_TRUE(storage::IsIoError(spill)) << spill;
  EXPECT_FALSE(d.InTransaction());
  // The disk works again at once (a passing error), and a careless caller goes on: its next
  // statement must not run, and commit, on its own.
  FaultVfs::Disarm();
  absl::Status after = d.Exec("INSERT INTO t VALUES (x'00')");
  EXPECT_TRUE(storage::IsIoError(after)) << "ran outside the transaction: " << after;
  EXPECT_FALSE(d.Exec("RELEASE mutation").ok());
  (void)d.Exec("ROLLBACK");
  d.EndGuard();
  EXPECT_EQ(d.QueryInt("SELECT COUNT(*) FROM t")->value_or(-1), 0);
  db->reset();
  fs::remove_all(dir);
}

TEST(FaultsTest, StartingOnAFullDiskSaysSoAndExits) {
  std::string why_not;
  std::unique_ptr<SmallDisk> disk = SmallDisk::Mount("4m", &why_not);
  if (!disk) GTEST_SKIP() << why_not;
  const std::string dir = NewTempPath("faults-start");
  ASSERT_EQ(
      RunBinary("jijian-server", {"init", "--data", dir, "--listen", "127.0.0.1:0"}).exit_code, 0);
  const std::string config_path = server::ConfigPath(dir);
  absl::StatusOr<server::ServerConfig> config = server::LoadConfig(config_path);
  ASSERT_TRUE(config.ok()) << config.status();
  const std::string db = disk->dir() + "/jijian.db";
  fs::copy_file(config->db_path, db);
  fs::remove(config->db_path);
  config->db_path = db;
  ASSERT_TRUE(server::WriteConfig(*config, config_path).ok());
  ASSERT_GT(disk->Fill(), 0);

  const std::string log = NewTempPath("faults-start-log");
  pid_t pid = SpawnServer(dir, log);
  ASSERT_GT(pid, 0);
  int status = 0;
  bool exited = false;
  for (int i = 0; i < 400 && !exited; ++i) {
    exited = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (!exited) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
    FAIL() << "the server kept running on a full disk: " << ReadFile(log);
  }
  const std::string said = ReadFile(log);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << said;
  EXPECT_NE(said.find("the disk holding it is full"), std::string::npos) << said;
  EXPECT_NE(said.find("free space there and start the server again"), std::string::npos) << said;

  // With the space back it starts, and its log is intact.
  disk->Free();
  pid = SpawnServer(dir, log);
  EXPECT_GT(WaitForServerPort(log), 0) << ReadFile(log);
  ::kill(pid, SIGTERM);
  ::waitpid(pid, &status, 0);
  ExpectLogVerifies(dir);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace jijian::testing
