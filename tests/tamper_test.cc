// Tampering with the stored audit log, as an attacker with plain SQLite would (append-only
// triggers dropped first): an edited, deleted, reordered or truncated event is detected
// and named by both verifiers: the offline `jijian-server verify --data DIR`, and the
// auditor's `jijian audit verify` / `audit timeline --verify` against the restarted server.
#include <gtest/gtest.h>

#include <filesystem>

#include "client/audit_state.h"
#include "client/profile.h"
#include "server/config.h"
#include "storage/db.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

class TamperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    auditor_ = deploy_->AddUser("audit.one", "auditor");
    for (int i = 0; i < 6; ++i) deploy_->AddUser("user." + std::to_string(i), "registrar");
    // The auditor verifies the intact log and remembers its head.
    CommandResult r = Jijian({"audit", "verify"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(Offline().exit_code, 0);
    deploy_->Stop();
  }

  void TearDown() override {
    if (server_) {
      server_->Shutdown(absl::Seconds(5));
      server_->Wait();
    }
  }

  std::string DbPath() const { return deploy_->data_dir() + "/db/jijian.db"; }

  // Runs sql on the stopped server's database after dropping the append-only triggers.
  void Tamper(const std::string& sql) {
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(DbPath(), {});
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)
                    ->Exec("DROP TRIGGER audit_events_no_update; "
                           "DROP TRIGGER audit_events_no_delete;")
                    .ok());
    absl::Status st = (*db)->Exec(sql);
    ASSERT_TRUE(st.ok()) << st;
  }

  int64_t Int(const std::string& sql) {
    absl::StatusOr<std::unique_ptr<storage::Db>> db =
        storage::Db::Open(DbPath(), {.read_only = true});
    return (*(*db)->QueryInt(sql)).value_or(-1);
  }

  CommandResult Offline() {
    return RunBinary("jijian-server", {"verify", "--data", deploy_->data_dir()});
  }

  // Restarts the server on the tampered files and points the auditor's profile at it (the
  // state file beside the profile is kept).
  void Restart() {
    absl::StatusOr<server::ServerConfig> config =
        server::LoadConfig(server::ConfigPath(deploy_->data_dir()));
    ASSERT_TRUE(config.ok());
    absl::StatusOr<std::unique_ptr<server::JijianServer>> srv =
        server::JijianServer::Start(*config);
    ASSERT_TRUE(srv.ok()) << srv.status();
    server_ = *std::move(srv);
    absl::StatusOr<client::Profile> p = client::LoadProfile(auditor_);
    ASSERT_TRUE(p.ok());
    p->server = "127.0.0.1:" + std::to_string(server_->port());
    std::filesystem::remove(auditor_);
    ASSERT_TRUE(client::WriteProfile(*p, auditor_).ok());
  }

  CommandResult Jijian(std::vector<std::string> args) {
    args.insert(args.begin(), {"--profile", auditor_});
    return RunBinary("jijian", args);
  }

  // Both verifiers fail, naming the case.
  void ExpectDetected(const std::string& offline_name, const std::string& client_name) {
    CommandResult off = Offline();
    EXPECT_EQ(off.exit_code, 1) << off.out;
    EXPECT_NE(off.err.find("AUDIT LOG DAMAGED"), std::string::npos) << off.err;
    EXPECT_NE(off.err.find(offline_name), std::string::npos) << off.err;
    Restart();
    CommandResult full = Jijian({"audit", "verify", "--full"});
    EXPECT_EQ(full.exit_code, 1) << full.out;
    EXPECT_NE(full.err.find("AUDIT VERIFICATION FAILED: " + client_name), std::string::npos)
        << full.err;
  }

  std::unique_ptr<TestDeployment> deploy_;
  std::unique_ptr<server::JijianServer> server_;
  std::string auditor_;
};

TEST_F(TamperTest, EditedEventIsNamed) {
  Tamper("UPDATE audit_events SET state_after = 'DISABLED' WHERE seq = 5");
  CommandResult off = Offline();
  EXPECT_NE(off.err.find("event 5: EDITED: column state_after is \"DISABLED\""), std::string::npos)
      << off.err;
  ExpectDetected("EDITED", "EDITED: event 5");
  // The event's own timeline shows it too.
  absl::StatusOr<std::unique_ptr<storage::Db>> db =
      storage::Db::Open(DbPath(), {.read_only = true});
  absl::StatusOr<storage::Stmt> q =
      (*db)->Prepare("SELECT object_id FROM audit_events WHERE seq = 5");
  q->Bind();
  ASSERT_TRUE(*q->Step());
  CommandResult t = Jijian({"audit", "timeline", q->Text(0), "--verify"});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.err.find("EDITED: event 5: state_after"), std::string::npos) << t.err;
}

TEST_F(TamperTest, EventRewrittenWithItsLeafIsNamed) {
  // The attacker rewrites the columns and the leaf blob consistently (seq 6 is user.1's
  // user.add); only the Merkle tree and the signed heads still hold the original.
  Tamper("SELECT 1");
  {
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(DbPath(), {});
    ASSERT_TRUE(db.ok());
    absl::StatusOr<storage::Stmt> q = (*db)->Prepare("SELECT leaf FROM audit_events WHERE seq = 6");
    q->Bind();
    ASSERT_TRUE(*q->Step());
    std::string leaf = q->BlobAt(0);
    size_t at = leaf.find("roles=registrar");
    ASSERT_NE(at, std::string::npos);
    leaf.replace(at, 15, "roles=admin____");
    absl::StatusOr<storage::Stmt> up = (*db)->Prepare(
        "UPDATE audit_events SET reason = 'roles=admin____', leaf = ? WHERE seq = 6");
    up->Bind(storage::Blob{leaf});
    ASSERT_TRUE(up->Run().ok());
  }
  ExpectDetected("event 6: EDITED", "EDITED: the root recomputed");
  CommandResult t = Jijian({"audit", "timeline", "user.1", "--verify"});
  EXPECT_EQ(t.exit_code, 1);
  EXPECT_NE(t.err.find("PROOF: event 6 is not in the signed tree"), std::string::npos) << t.err;
}

TEST_F(TamperTest, DeletedEventIsNamed) {
  Tamper("DELETE FROM audit_events WHERE seq = 4");
  CommandResult off = Offline();
  EXPECT_NE(off.err.find("event 4: MISSING"), std::string::npos) << off.err;
  ExpectDetected("MISSING", "MISSING: event 4");
}

TEST_F(TamperTest, ReorderedEventsAreNamed) {
  Tamper(
      "UPDATE audit_events SET seq = -1 WHERE seq = 6; "
      "UPDATE audit_events SET seq = 6 WHERE seq = 7; "
      "UPDATE audit_events SET seq = 7 WHERE seq = -1;");
  CommandResult off = Offline();
  EXPECT_NE(off.err.find("event 6: REORDERED: the row at seq 6 holds the event recorded as seq 7"),
            std::string::npos)
      << off.err;
  ExpectDetected("REORDERED", "REORDERED: event 6 carries the leaf of event 7");
}

TEST_F(TamperTest, TruncatedLogIsNamed) {
  const int64_t size = Int("SELECT COUNT(*) FROM audit_events");
  Tamper("DELETE FROM audit_events WHERE seq >= " + std::to_string(size - 3));
  CommandResult off = Offline();
  EXPECT_NE(off.err.find("TRUNCATED"), std::string::npos) << off.err;
  ExpectDetected("TRUNCATED", "TRUNCATED: events " + std::to_string(size - 3));
}

TEST_F(TamperTest, TruncationThatAlsoRemovesTreeAndHeadsIsARollback) {
  // Everything after an earlier head goes: events, tree nodes and heads. The files are
  // consistent again, so only a client that saw the longer log can tell.
  const int64_t size = Int("SELECT MAX(tree_size) FROM tree_heads");
  const int64_t keep =
      Int("SELECT MAX(tree_size) FROM tree_heads WHERE tree_size < " + std::to_string(size - 2));
  ASSERT_GT(keep, 0);
  const std::string k = std::to_string(keep);
  Tamper("DELETE FROM audit_events WHERE seq >= " + k +
         "; DELETE FROM tree_heads WHERE tree_size > " + k +
         "; DELETE FROM merkle_nodes WHERE (idx + 1) * (1 << level) > " + k + ";");
  EXPECT_EQ(Offline().exit_code, 0);  // documented: offline needs an outside reference here
  Restart();
  CommandResult r = Jijian({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ROLLED-BACK: the server's newest head has size " + k), std::string::npos)
      << r.err;
  CommandResult h = Jijian({"audit", "head"});
  EXPECT_EQ(h.exit_code, 1);
  EXPECT_NE(h.err.find("ROLLED-BACK"), std::string::npos) << h.err;
}

TEST_F(TamperTest, ForgedHeadIsNamed) {
  Tamper(
      "UPDATE tree_heads SET root = zeroblob(32) WHERE tree_size = (SELECT MAX(tree_size) FROM "
      "tree_heads)");
  CommandResult off = Offline();
  EXPECT_EQ(off.exit_code, 1);
  EXPECT_NE(off.err.find("HEAD"), std::string::npos) << off.err;
  EXPECT_NE(off.err.find("SIGNATURE"), std::string::npos) << off.err;
  Restart();
  CommandResult r = Jijian({"audit", "verify"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("SIGNATURE"), std::string::npos) << r.err;
}

TEST_F(TamperTest, IntactLogPassesAfterRestart) {
  CommandResult off = Offline();
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_NE(off.out.find("audit log OK"), std::string::npos);
  Restart();
  CommandResult r = Jijian({"audit", "verify", "--full"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace jijian::testing
