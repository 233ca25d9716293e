// Rotating the index (blind-index) key while serving. A new index key extends the digest
// chain (storage/keyring.h): new digests use it at once; a background pass carries every
// stored digest forward while registrations go on. Afterwards every lookup that rests on a
// digest still finds what it found before (receipt codes, possible duplicates across the
// rotation, integrity checks, declared recusals), and no stored digest is one that the
// replaced keys alone would produce.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "jijian/v1/admin.grpc.pb.h"
#include "jijian/v1/disposition.grpc.pb.h"
#include "jijian/v1/lead.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "server/petition_codec.h"
#include "storage/leads.h"
#include "storage/rekey.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

constexpr char kName[] = "王五";
constexpr char kIdNumber[] = "11010519491231002X";

// Every stored digest: (table.column, digest), rows of recusals about a subject only.
std::vector<std::pair<std::string, std::string>> StoredDigests(storage::Store& store) {
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> out =
      store.Read<std::vector<std::pair<std::string, std::string>>>(
          [](storage::Db& db) -> absl::StatusOr<std::vector<std::pair<std::string, std::string>>> {
            std::vector<std::pair<std::string, std::string>> all;
            for (const char* sql :
                 {"SELECT 'person_index', digest FROM person_index",
                  "SELECT 'disposition_index', digest FROM disposition_index",
                  "SELECT 'petitions', receipt_digest FROM petitions",
                  "SELECT 'recusals', target FROM recusals WHERE kind = 'subject'",
                  "SELECT 'integrity_checks', digest FROM integrity_checks"}) {
              absl::StatusOr<storage::Stmt> q = db.Prepare(sql);
              if (!q.ok()) return q.status();
              while (true) {
                absl::StatusOr<bool> row = q->Step();
                if (!row.ok()) return row.status();
                if (!*row) break;
                all.emplace_back(q->Text(0), q->BlobAt(1));
              }
            }
            return all;
          });
  EXPECT_TRUE(out.ok()) << out.status();
  return out.value_or(std::vector<std::pair<std::string, std::string>>{});
}

class IndexRekeyTest : public ::testing::Test {
 protected:
  void SetUp() override { StartWith(5, absl::Milliseconds(2)); }

  void StartWith(int batch_rows, absl::Duration pause) {
    deploy_ = TestDeployment::Start([batch_rows, pause](server::ServerConfig& c) {
      c.rekey_batch_rows = batch_rows;
      c.rekey_pause = pause;
    });
    ASSERT_NE(deploy_, nullptr);
    reg_ = deploy_->AddUser("reg", "registrar");
    insp_ = deploy_->AddUser("insp", "inspector");
    cm_ = deploy_->AddUser("cm", "case-manager");
  }

  // Registers a real-name petition about the same person; keeps its receipt code.
  void Register(v1::PetitionService::Stub& stub, const std::string& tag) {
    v1::RegisterPetitionRequest req;
    req.set_request_id("r-" + tag);
    req.set_channel(v1::CHANNEL_LETTER);
    req.set_category(v1::CATEGORY_ACCUSATION);
    req.mutable_reporter()->set_name("举报人" + tag);
    req.mutable_reporter()->set_id_number(kIdNumber);
    v1::Subject* s = req.add_subjects();
    s->set_name(kName);
    s->set_id_number(kIdNumber);
    s->set_unit("某局");
    req.set_summary("摘要" + tag);
    req.set_content("内容" + tag);
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse resp;
    grpc::Status st = stub.RegisterPetition(&ctx, req, &resp);
    ASSERT_TRUE(st.ok()) << st.error_message();
    std::lock_guard<std::mutex> lock(mu_);
    receipts_[resp.petition().id()] = resp.receipt_code();
  }

  // A channel for a profile at the server's current address (it changes on restart).
  std::shared_ptr<grpc::Channel> Live(const std::string& profile_path) {
    client::Profile p = *client::LoadProfile(profile_path);
    p.server = deploy_->address();
    return TestDeployment::Channel(p);
  }

  // The inspector declares a conflict (回避) about the person, by ID number.
  void DeclareRecusal() {
    auto leads = v1::LeadService::NewStub(deploy_->Channel(insp_));
    v1::DeclareRecusalRequest declare;
    declare.set_request_id("recuse-1");
    declare.set_subject_id_number(kIdNumber);
    declare.set_ground("relative");
    declare.set_reason("近亲属");
    grpc::ClientContext ctx;
    v1::DeclareRecusalResponse out;
    grpc::Status st = leads->DeclareRecusal(&ctx, declare, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  v1::IntegrityCheckResponse Check(const std::string& rid) {
    auto stub = v1::DispositionService::NewStub(Live(cm_));
    v1::IntegrityCheckRequest req;
    req.set_request_id(rid);
    req.set_name(kName);
    req.set_id_number(kIdNumber);
    req.set_purpose("拟提拔");
    grpc::ClientContext ctx;
    v1::IntegrityCheckResponse resp;
    grpc::Status st = stub->IntegrityCheck(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  grpc::Status Rotate() {
    auto admin = v1::AdminService::NewStub(deploy_->Channel(deploy_->admin_profile()));
    v1::RotateDataKeyRequest req;
    req.set_domain("index");
    grpc::ClientContext ctx;
    v1::RotateDataKeyResponse resp;
    return admin->RotateDataKey(&ctx, req, &resp);
  }

  v1::ListKeyRotationsResponse Rotations() {
    auto admin = v1::AdminService::NewStub(deploy_->Channel(deploy_->admin_profile()));
    grpc::ClientContext ctx;
    v1::ListKeyRotationsResponse resp;
    EXPECT_TRUE(admin->ListKeyRotations(&ctx, v1::ListKeyRotationsRequest(), &resp).ok());
    return resp;
  }

  void WaitFinished() {
    for (int i = 0; i < 300; ++i) {
      v1::ListKeyRotationsResponse r = Rotations();
      bool all = r.rotations_size() > 0;
      for (const auto& x : r.rotations()) all = all && x.finished_unix_micros() != 0;
      if (all) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "the index pass did not finish within 30 s";
  }

  const storage::Keyring& keyring() { return deploy_->server().store().keyring(); }

  std::mutex mu_;
  std::map<std::string, std::string> receipts_;  // petition id -> receipt code
  std::string reg_, insp_, cm_;
  std::unique_ptr<TestDeployment> deploy_;
};

TEST_F(IndexRekeyTest, EveryLookupStillFindsItsRowsAndNoDigestIsLeftUnderTheOldKey) {
  auto stub = v1::PetitionService::NewStub(deploy_->Channel(reg_));
  for (int i = 0; i < 12; ++i) Register(*stub, "seed" + std::to_string(i));
  DeclareRecusal();
  EXPECT_EQ(Check("check-before").open_matters_size(), 12);

  const std::string old_key = keyring().active_key_id(storage::KeyDomain::kIndex);
  std::set<std::string> before;
  for (const auto& [column, digest] : StoredDigests(deploy_->server().store())) {
    before.insert(digest);
  }
  // Twelve receipt digests and the person's three (name+ID, ID, name+unit); the recusal
  // and the check hold the person's ID and name+ID digests again.
  ASSERT_EQ(before.size(), 12u + 3);

  // Two writers keep registering while the index key is rotated twice; the second
  // rotation lands while the first one's pass is under way.
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([this, w] {
      auto s = v1::PetitionService::NewStub(deploy_->Channel(reg_));
      for (int i = 0; i < 10; ++i) Register(*s, "w" + std::to_string(w) + "-" + std::to_string(i));
    });
  }
  grpc::Status first = Rotate();
  ASSERT_TRUE(first.ok()) << first.error_message();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  grpc::Status second = Rotate();
  ASSERT_TRUE(second.ok()) << second.error_message();
  for (std::thread& t : writers) t.join();
  WaitFinished();
  ASSERT_EQ(receipts_.size(), 32u);

  const std::string active = keyring().active_key_id(storage::KeyDomain::kIndex);
  EXPECT_NE(active, old_key);
  const std::string tag = storage::Keyring::DigestTag(active);
  std::map<std::string, int> rows;
  for (const auto& [column, digest] : StoredDigests(deploy_->server().store())) {
    ++rows[column];
    ASSERT_EQ(digest.size(), storage::Keyring::kDigestBytes) << column;
    EXPECT_EQ(digest.substr(digest.size() - tag.size()), tag) << column << " left behind";
    EXPECT_EQ(before.count(digest), 0u) << column << " still holds a digest of the old key";
  }
  EXPECT_EQ(rows["petitions"], 32);
  EXPECT_EQ(rows["person_index"], 32 * 3);  // name+ID, ID, name+unit of each petition
  EXPECT_EQ(rows["recusals"], 1);
  EXPECT_EQ(rows["integrity_checks"], 1);

  // What the oldest key alone would compute is nowhere; the chain's newest is.
  const std::vector<std::string> chain = server::PersonIdDigests(keyring(), kIdNumber);
  ASSERT_EQ(chain.size(), 3u);
  absl::StatusOr<std::pair<bool, bool>> found = deploy_->server().store().Read<std::pair<bool, bool>>(
      [&](storage::Db& db) -> absl::StatusOr<std::pair<bool, bool>> {
        absl::StatusOr<bool> by_oldest = storage::HasRecusal(db, "insp", {chain.front()});
        if (!by_oldest.ok()) return by_oldest.status();
        absl::StatusOr<bool> by_chain = storage::HasRecusal(db, "insp", chain);
        if (!by_chain.ok()) return by_chain.status();
        return std::make_pair(*by_oldest, *by_chain);
      });
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_FALSE(found->first);
  EXPECT_TRUE(found->second);

  // Receipt codes made before, during and after the rotation all still work.
  auto reporter = v1::ReporterService::NewStub(deploy_->ReporterChannel());
  for (const auto& [id, code] : receipts_) {
    v1::CheckStatusRequest req;
    req.set_receipt_code(code);
    grpc::ClientContext ctx;
    v1::CheckStatusResponse resp;
    grpc::Status st = reporter->CheckStatus(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << id << ": " << st.error_message();
    EXPECT_EQ(resp.status(), "received") << id;
  }
  // Possible duplicates meet across the rotation: a seed petition sees every other one.
  {
    grpc::ClientContext ctx;
    v1::GetPetitionRequest req;
    req.set_id(receipts_.begin()->first);
    v1::GetPetitionResponse resp;
    ASSERT_TRUE(stub->GetPetition(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.petition().possible_duplicates_size(), 31);
  }
  // The integrity check finds all 32 open petitions about the person.
  EXPECT_EQ(Check("check-after").open_matters_size(), 32);

  // After a restart the keyring is rebuilt in chain order and lookups still work.
  deploy_->Stop();
  ASSERT_TRUE(deploy_->Restart());
  EXPECT_EQ(deploy_->server().store().keyring().active_key_id(storage::KeyDomain::kIndex), active);
  auto again = v1::ReporterService::NewStub(deploy_->ReporterChannel());
  v1::CheckStatusRequest req;
  req.set_receipt_code(receipts_.begin()->second);
  grpc::ClientContext ctx;
  v1::CheckStatusResponse resp;
  EXPECT_TRUE(again->CheckStatus(&ctx, req, &resp).ok());
  EXPECT_EQ(Check("check-restart").open_matters_size(), 32);
  deploy_->Stop();
  // With the server stopped, `jijian-server rotate-dek --domain index` carries every digest
  // forward before it returns: 32 receipts, 96 person digests, 1 recusal, 3 checks.
  CommandResult offline = RunBinary(
      "jijian-server", {"rotate-dek", "--data", deploy_->data_dir(), "--domain", "index"});
  EXPECT_EQ(offline.exit_code, 0) << offline.out << offline.err;
  EXPECT_NE(offline.out.find("carried forward: 132 stored digests"), std::string::npos)
      << offline.out;
  CommandResult verify = RunBinary("jijian-server", {"verify", "--data", deploy_->data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

// While the pass has barely begun (one row per batch, an hour between batches), most digests
// still carry the old key's tag; every lookup must find them all the same, because it tries
// the value's digest at every generation.
TEST_F(IndexRekeyTest, LookupsFindRowsTheRunningPassHasNotReachedYet) {
  deploy_.reset();
  StartWith(1, absl::Hours(1));
  auto stub = v1::PetitionService::NewStub(deploy_->Channel(reg_));
  for (int i = 0; i < 6; ++i) Register(*stub, "old" + std::to_string(i));
  DeclareRecusal();
  const std::string old_tag =
      storage::Keyring::DigestTag(keyring().active_key_id(storage::KeyDomain::kIndex));
  grpc::Status rotated = Rotate();
  ASSERT_TRUE(rotated.ok()) << rotated.error_message();
  for (int i = 0; i < 3; ++i) Register(*stub, "new" + std::to_string(i));

  // The pass is under way: rows of both generations are stored.
  int old_rows = 0, new_rows = 0;
  const std::string new_tag =
      storage::Keyring::DigestTag(keyring().active_key_id(storage::KeyDomain::kIndex));
  for (const auto& [column, digest] : StoredDigests(deploy_->server().store())) {
    const std::string t = digest.substr(digest.size() - 8);
    old_rows += t == old_tag;
    new_rows += t == new_tag;
  }
  EXPECT_GT(old_rows, 20) << "the pass was meant to have barely begun";
  EXPECT_GT(new_rows, 10);
  EXPECT_FALSE(Rotations().rotations(0).finished_unix_micros() != 0);

  auto reporter = v1::ReporterService::NewStub(deploy_->ReporterChannel());
  for (const auto& [id, code] : receipts_) {
    v1::CheckStatusRequest req;
    req.set_receipt_code(code);
    grpc::ClientContext ctx;
    v1::CheckStatusResponse resp;
    grpc::Status st = reporter->CheckStatus(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << id << ": " << st.error_message();
  }
  // A petition registered after the rotation sees the older ones as possible duplicates.
  std::string newest;
  for (const auto& [id, code] : receipts_) newest = std::max(newest, id);
  grpc::ClientContext ctx;
  v1::GetPetitionRequest req;
  req.set_id(newest);
  v1::GetPetitionResponse resp;
  ASSERT_TRUE(stub->GetPetition(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.petition().possible_duplicates_size(), 8);
  EXPECT_EQ(Check("check-mid-pass").open_matters_size(), 9);
  absl::StatusOr<bool> recused = deploy_->server().store().Read<bool>(
      [&](storage::Db& db) -> absl::StatusOr<bool> {
        return storage::HasRecusal(db, "insp", server::PersonIdDigests(keyring(), kIdNumber));
      });
  ASSERT_TRUE(recused.ok()) << recused.status();
  EXPECT_TRUE(*recused);
}

}  // namespace
}  // namespace jijian::testing
