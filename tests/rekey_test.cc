// Data-key rotation without downtime: a new key seals new values at once, stored values are
// resealed in the background while registrations keep coming, an interrupted job resumes
// after a restart, the stopped-server command does the whole job, and afterwards every
// stored value opens and none is left under a replaced key.
#include "storage/rekey.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <thread>

#include "jijian/v1/admin.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "jijian/v1/unseal.grpc.pb.h"
#include "storage/audit.h"
#include "storage/schema.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

constexpr char kIdNumber[] = "11010519491231002X";

// Every value in every sealed column: it must open at its place, and its key id must not be
// one of the replaced ones. Returns how many values were checked.
int64_t CheckEverySealedValue(storage::Store& store, const std::set<std::string>& replaced) {
  absl::StatusOr<int64_t> n = store.Read<int64_t>([&](storage::Db& db) -> absl::StatusOr<int64_t> {
    int64_t checked = 0;
    for (const storage::SealedTable& t : storage::SealedTables()) {
      for (const storage::SealedColumn& c : t.columns) {
        absl::StatusOr<storage::Stmt> q =
            db.Prepare("SELECT " + c.column + ", " + c.row_id_sql + " FROM " + t.table);
        if (!q.ok()) return q.status();
        while (true) {
          absl::StatusOr<bool> row = q->Step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          const std::string sealed = q->BlobAt(0);
          if (sealed.empty()) continue;
          const std::string row_id = q->Text(1);
          std::optional<std::string> id = storage::Keyring::KeyIdOf(sealed);
          EXPECT_TRUE(id.has_value()) << t.table << "." << c.column << " " << row_id;
          EXPECT_EQ(replaced.count(id.value_or("")), 0u)
              << t.table << "." << c.column << " " << row_id << " still under " << *id;
          absl::StatusOr<std::string> plain =
              store.keyring().Open({t.table, c.column, row_id}, sealed);
          EXPECT_TRUE(plain.ok()) << t.table << "." << c.column << " " << row_id << ": "
                                  << plain.status();
          ++checked;
        }
      }
    }
    return checked;
  });
  EXPECT_TRUE(n.ok()) << n.status();
  return n.value_or(0);
}

class RekeyTest : public ::testing::Test {
 protected:
  void StartWith(int batch_rows, absl::Duration pause) {
    deploy_ = TestDeployment::Start([batch_rows, pause](server::ServerConfig& c) {
      c.rekey_batch_rows = batch_rows;
      c.rekey_pause = pause;
    });
    ASSERT_NE(deploy_, nullptr);
    reg_ = deploy_->AddUser("reg", "registrar");
    ldr_ = deploy_->AddUser("ldr", "leader");
  }

  std::shared_ptr<grpc::Channel> Live(const std::string& profile_path) {
    client::Profile p = *client::LoadProfile(profile_path);
    p.server = deploy_->address();
    return TestDeployment::Channel(p);
  }

  // Registers a real-name petition with thread-safe bookkeeping of what was written.
  void Register(v1::PetitionService::Stub& stub, const std::string& tag) {
    v1::RegisterPetitionRequest req;
    req.set_request_id("r-" + tag);
    req.set_channel(v1::CHANNEL_LETTER);
    req.set_category(v1::CATEGORY_ACCUSATION);
    req.mutable_reporter()->set_name("举报人" + tag);
    req.mutable_reporter()->set_id_number(kIdNumber);
    v1::Subject* s = req.add_subjects();
    s->set_name("被反映人" + tag);
    s->set_unit("某单位");
    req.set_summary("摘要" + tag);
    req.set_content("内容" + tag);
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse resp;
    grpc::Status st = stub.RegisterPetition(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    std::lock_guard<std::mutex> lock(mu_);
    written_[resp.petition().id()] = tag;
  }

  v1::ListKeyRotationsResponse Rotations() {
    auto admin = v1::AdminService::NewStub(Live(deploy_->data_dir() + "/profiles/admin.toml"));
    grpc::ClientContext ctx;
    v1::ListKeyRotationsResponse resp;
    EXPECT_TRUE(admin->ListKeyRotations(&ctx, v1::ListKeyRotationsRequest(), &resp).ok());
    return resp;
  }

  bool AllFinished() {
    v1::ListKeyRotationsResponse r = Rotations();
    for (const auto& x : r.rotations()) {
      if (x.finished_unix_micros() == 0) return false;
    }
    return r.rotations_size() > 0;
  }

  // Polls (bounded) until every rotation finished.
  void WaitFinished() {
    for (int i = 0; i < 300 && !AllFinished(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ASSERT_TRUE(AllFinished()) << "resealing did not finish within 30 s";
  }

  // Every petition written reads back as written, through the service.
  void CheckPetitionsReadBack() {
    auto stub = v1::PetitionService::NewStub(Live(reg_));
    for (const auto& [id, tag] : written_) {
      grpc::ClientContext ctx;
      v1::GetPetitionRequest req;
      req.set_id(id);
      v1::GetPetitionResponse resp;
      ASSERT_TRUE(stub->GetPetition(&ctx, req, &resp).ok()) << id;
      EXPECT_EQ(resp.petition().summary(), "摘要" + tag);
      EXPECT_EQ(resp.petition().content(), "内容" + tag);
      ASSERT_EQ(resp.petition().subjects_size(), 1);
      EXPECT_EQ(resp.petition().subjects(0).name(), "被反映人" + tag);
    }
  }

  std::mutex mu_;
  std::map<std::string, std::string> written_;
  std::string reg_, ldr_;
  std::unique_ptr<TestDeployment> deploy_;
};

TEST_F(RekeyTest, RotationUnderConcurrentWritesLeavesEveryValueReadable) {
  StartWith(7, absl::Milliseconds(2));
  auto stub = v1::PetitionService::NewStub(deploy_->Channel(reg_));
  for (int i = 0; i < 20; ++i) Register(*stub, "seed" + std::to_string(i));
  // Some unseal requests too (their reasons are sealed content) and an opened identity.
  auto ask = v1::IdentityService::NewStub(deploy_->Channel(reg_));
  auto approve = v1::IdentityService::NewStub(deploy_->Channel(ldr_));
  for (const auto& [id, tag] : written_) {
    v1::RequestUnsealRequest u;
    u.set_request_id("u-" + tag);
    u.set_petition_id(id);
    u.set_reason("核实" + tag);
    grpc::ClientContext ctx;
    v1::UnsealResponse out;
    ASSERT_TRUE(ask->RequestUnseal(&ctx, u, &out).ok());
    v1::DecideUnsealRequest d;
    d.set_request_id("a-" + tag);
    d.set_id(out.unseal().id());
    grpc::ClientContext dctx;
    ASSERT_TRUE(approve->ApproveUnseal(&dctx, d, &out).ok());
  }
  const std::string old_identity =
      deploy_->server().store().keyring().active_key_id(storage::KeyDomain::kIdentity);
  const std::string old_content =
      deploy_->server().store().keyring().active_key_id(storage::KeyDomain::kContent);

  // Two writers keep registering while both keys are rotated.
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([this, w] {
      auto s = v1::PetitionService::NewStub(deploy_->Channel(reg_));
      for (int i = 0; i < 25; ++i) Register(*s, "w" + std::to_string(w) + "-" + std::to_string(i));
    });
  }
  auto admin = v1::AdminService::NewStub(deploy_->Channel(deploy_->admin_profile()));
  // Content twice: the second rotation lands while the first one's pass is under way.
  for (const char* domain : {"identity", "content", "content"}) {
    v1::RotateDataKeyRequest req;
    req.set_domain(domain);
    grpc::ClientContext ctx;
    v1::RotateDataKeyResponse resp;
    grpc::Status st = admin->RotateDataKey(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(resp.rotation().domain(), domain);
  }
  for (std::thread& t : writers) t.join();
  // New values use the new keys at once.
  EXPECT_NE(deploy_->server().store().keyring().active_key_id(storage::KeyDomain::kIdentity),
            old_identity);
  EXPECT_NE(deploy_->server().store().keyring().active_key_id(storage::KeyDomain::kContent),
            old_content);
  WaitFinished();
  v1::ListKeyRotationsResponse done = Rotations();
  ASSERT_EQ(done.rotations_size(), 3);
  int64_t resealed = 0;
  std::set<std::string> replaced;
  for (const auto& r : done.rotations()) {
    resealed += r.resealed();
    replaced.insert(r.replaced_key_id());
  }
  EXPECT_EQ(replaced.size(), 3u);  // old identity, old content, the first new content key
  EXPECT_GT(resealed, 60);         // 20 seeds x (reporter, subject, summary, content) at least

  EXPECT_EQ(written_.size(), 70u);
  EXPECT_TRUE(replaced.count(old_identity) && replaced.count(old_content));
  EXPECT_GT(CheckEverySealedValue(deploy_->server().store(), replaced), 200);
  CheckPetitionsReadBack();
  // Identity too: an approved request of the seed petitions still opens it.
  auto petitions = v1::PetitionService::NewStub(deploy_->Channel(reg_));
  grpc::ClientContext ctx;
  v1::GetPetitionRequest get;
  get.set_id(written_.begin()->first);
  get.set_reveal_identity(true);
  v1::GetPetitionResponse resp;
  ASSERT_TRUE(petitions->GetPetition(&ctx, get, &resp).ok());
  EXPECT_EQ(resp.petition().reporter().name(), "举报人" + written_.begin()->second);

  // The audit signing key is not rotated here (verifiers pin it); the refusal says why.
  v1::RotateDataKeyRequest audit;
  audit.set_domain("audit_signing");
  grpc::ClientContext actx;
  v1::RotateDataKeyResponse ignored;
  grpc::Status refused = admin->RotateDataKey(&actx, audit, &ignored);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("pins"), std::string::npos) << refused.error_message();
}

TEST_F(RekeyTest, AnInterruptedJobResumesAfterRestartAndTheOfflineCommandFinishesTheJob) {
  StartWith(1, absl::Milliseconds(150));  // slow on purpose: one row per batch
  auto stub = v1::PetitionService::NewStub(deploy_->Channel(reg_));
  for (int i = 0; i < 12; ++i) Register(*stub, "p" + std::to_string(i));
  const std::string old_content =
      deploy_->server().store().keyring().active_key_id(storage::KeyDomain::kContent);
  auto admin = v1::AdminService::NewStub(deploy_->Channel(deploy_->admin_profile()));
  v1::RotateDataKeyRequest req;
  req.set_domain("content");
  grpc::ClientContext ctx;
  v1::RotateDataKeyResponse resp;
  ASSERT_TRUE(admin->RotateDataKey(&ctx, req, &resp).ok());
  // Wait (bounded) until the job has made progress, then stop the server mid-way.
  bool started = false;
  for (int i = 0; i < 100 && !started; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    v1::ListKeyRotationsResponse r = Rotations();
    started = r.rotations_size() == 1 && r.rotations(0).resealed() > 0;
  }
  ASSERT_TRUE(started);
  deploy_->Stop();
  ASSERT_TRUE(deploy_->Restart());
  v1::ListKeyRotationsResponse after = Rotations();
  ASSERT_EQ(after.rotations_size(), 1);
  EXPECT_EQ(after.rotations(0).finished_unix_micros(), 0) << "stopped before the end";
  // Wait (bounded) until the resumed pass has moved again, then rotate the same domain once
  // more in the middle of it: the pass must start over under the newest key.
  const int64_t at_restart = after.rotations(0).resealed();
  for (int i = 0; i < 100 && Rotations().rotations(0).resealed() == at_restart; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_GT(Rotations().rotations(0).resealed(), at_restart);
  const std::string first_new =
      deploy_->server().store().keyring().active_key_id(storage::KeyDomain::kContent);
  auto admin2 = v1::AdminService::NewStub(Live(deploy_->data_dir() + "/profiles/admin.toml"));
  grpc::ClientContext ctx2;
  ASSERT_TRUE(admin2->RotateDataKey(&ctx2, req, &resp).ok());
  WaitFinished();
  EXPECT_GT(CheckEverySealedValue(deploy_->server().store(), {old_content, first_new}), 0);
  CheckPetitionsReadBack();

  // With the server stopped, `jijian-server rotate-dek` does the whole job at once.
  const std::string old_identity =
      deploy_->server().store().keyring().active_key_id(storage::KeyDomain::kIdentity);
  deploy_->Stop();
  CommandResult offline = RunBinary(
      "jijian-server", {"rotate-dek", "--data", deploy_->data_dir(), "--domain", "identity"});
  ASSERT_EQ(offline.exit_code, 0) << offline.out << offline.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(offline.out, m, std::regex("resealed: +([0-9]+)"))) << offline.out;
  EXPECT_GE(std::stoi(m[1]), 24);  // 12 reporters and 12 subjects at least
  ASSERT_TRUE(deploy_->Restart());
  EXPECT_NE(deploy_->server().store().keyring().active_key_id(storage::KeyDomain::kIdentity),
            old_identity);
  CheckEverySealedValue(deploy_->server().store(), {old_content, first_new, old_identity});
  CheckPetitionsReadBack();
  // The rotations are in the audit log, which still verifies offline.
  deploy_->Stop();
  CommandResult verify = RunBinary("jijian-server", {"verify", "--data", deploy_->data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

// Every column the schema documents as sealed is known to the resealer.
TEST(SealedTables, CoverEveryColumnTheSchemaMarksSealed) {
  std::set<std::string> known;
  for (const storage::SealedTable& t : storage::SealedTables()) {
    for (const storage::SealedColumn& c : t.columns) known.insert(t.table + "." + c.column);
  }
  std::regex table_re("CREATE TABLE (\\w+)");
  std::regex sealed_re("^\\s*(\\w+)\\s+BLOB[^\\n]*--\\s*sealed");
  int marked = 0;
  for (const storage::Migration& m : storage::Migrations()) {
    std::string table;
    std::string sql(m.sql);
    std::istringstream lines(sql);
    for (std::string line; std::getline(lines, line);) {
      std::smatch sm;
      if (std::regex_search(line, sm, table_re)) table = sm[1];
      if (std::regex_search(line, sm, sealed_re)) {
        ++marked;
        EXPECT_TRUE(known.count(table + "." + sm[1].str())) << table << "." << sm[1];
      }
    }
  }
  EXPECT_GT(marked, 20);
}

// Every column the schema documents as holding blind-index digests is carried forward by
// an index-key rotation.
TEST(DigestColumns, CoverEveryDigestColumnOfTheSchema) {
  const std::vector<std::string> names = storage::DigestColumnNames();
  const std::set<std::string> known(names.begin(), names.end());
  std::regex table_re("CREATE TABLE (\\w+)");
  std::regex digest_re("^\\s*(\\w+)\\s+BLOB[^\\n]*");
  int marked = 0;
  for (const storage::Migration& m : storage::Migrations()) {
    std::string table;
    std::string sql(m.sql);
    std::istringstream lines(sql);
    for (std::string line; std::getline(lines, line);) {
      std::smatch sm;
      if (std::regex_search(line, sm, table_re)) table = sm[1];
      if (std::regex_search(line, sm, digest_re) && line.find("digest") != std::string::npos) {
        ++marked;
        EXPECT_TRUE(known.count(table + "." + sm[1].str())) << table << "." << sm[1];
      }
    }
  }
  EXPECT_EQ(marked, static_cast<int>(known.size()));
}

}  // namespace
}  // namespace jijian::testing
