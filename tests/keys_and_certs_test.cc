// Certificates (revocation without restart, listing with validity, expiry refused) and KEK
// rotation, through a real server and the real `jijian` / `jijian-server` binaries.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "jijian/v1/admin.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "jijian/v1/unseal.grpc.pb.h"
#include "server/config.h"
#include "storage/db.h"
#include "storage/keyring.h"
#include "storage/store.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {
namespace fs = std::filesystem;

constexpr char kIdNumber[] = "11010519491231002X";  // valid GB 11643 sample

CommandResult Jijian(std::vector<std::string> args) { return RunBinary("jijian", args); }

TEST(CertificateTest, RevokeByUserTakesEffectOnTheNextCallWithoutRestart) {
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start();
  ASSERT_NE(deploy, nullptr);
  const std::string admin = deploy->admin_profile();
  const std::string reg = deploy->AddUser("reg", "registrar");
  const std::string aud = deploy->AddUser("aud", "auditor");
  ASSERT_EQ(Jijian({"--profile", reg, "whoami"}).exit_code, 0);

  CommandResult list = Jijian({"--profile", admin, "admin", "cert", "list", "--user", "reg"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("SERIAL"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("NOT-AFTER"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("valid"), std::string::npos) << list.out;
  EXPECT_EQ(list.out.find("aud"), std::string::npos) << list.out;  // only reg's

  CommandResult revoke = Jijian({"--profile", admin, "admin", "cert", "revoke", "reg"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  EXPECT_NE(revoke.out.find("revoked certificate"), std::string::npos) << revoke.out;
  // The server kept running: the next call of reg is refused, the others still work.
  CommandResult refused = Jijian({"--profile", reg, "whoami"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("UNAUTHENTICATED"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("revoked"), std::string::npos) << refused.err;
  ASSERT_EQ(Jijian({"--profile", aud, "whoami"}).exit_code, 0);
  list = Jijian({"--profile", admin, "admin", "cert", "list", "--user", "reg"});
  EXPECT_NE(list.out.find("revoked"), std::string::npos) << list.out;
  // Nothing left to revoke for reg.
  CommandResult again = Jijian({"--profile", admin, "admin", "cert", "revoke", "reg"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("FAILED_PRECONDITION"), std::string::npos) << again.err;

  // By serial, as `cert list --json` shows it.
  CommandResult json =
      Jijian({"--profile", admin, "--json", "admin", "cert", "list", "--user", "aud"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(json.out, m, std::regex("\"serial_hex\": \"([0-9a-f]+)\"")))
      << json.out;
  const std::string serial = m[1];
  CommandResult by_serial = Jijian({"--profile", admin, "admin", "cert", "revoke", serial});
  ASSERT_EQ(by_serial.exit_code, 0) << by_serial.err;
  EXPECT_NE(by_serial.out.find(serial), std::string::npos) << by_serial.out;
  EXPECT_EQ(Jijian({"--profile", aud, "whoami"}).exit_code, 1);
  ASSERT_EQ(Jijian({"--profile", admin, "whoami"}).exit_code, 0);

  // Unknown user: a clear error.
  CommandResult unknown = Jijian({"--profile", admin, "admin", "cert", "revoke", "nobody"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("NOT_FOUND"), std::string::npos) << unknown.err;
  // Only an admin lists certificates.
  CommandResult denied =
      Jijian({"--profile", deploy->AddUser("lead", "leader"), "admin", "cert", "list"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_NE(denied.err.find("PERMISSION_DENIED"), std::string::npos) << denied.err;
}

TEST(CertificateTest, IssuedCertificatesHaveTheConfiguredLifetimeAndExpiredOnesAreRefused) {
  std::unique_ptr<TestDeployment> deploy =
      TestDeployment::Start([](server::ServerConfig& c) { c.client_cert_days = 30; });
  ASSERT_NE(deploy, nullptr);
  const std::string reg = deploy->AddUser("reg", "registrar");
  auto admin = v1::AdminService::NewStub(deploy->Channel(deploy->admin_profile()));
  v1::ListCertificatesRequest req;
  req.set_user_id("reg");
  v1::ListCertificatesResponse resp;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(admin->ListCertificates(&ctx, req, &resp).ok());
  }
  ASSERT_EQ(resp.certificates_size(), 1);
  const v1::Certificate& c = resp.certificates(0);
  EXPECT_EQ(c.status(), "valid");
  // 30 days, plus the small allowance for clock skew the CA puts before not-before.
  const int64_t lifetime = c.not_after_unix() - c.not_before_unix();
  EXPECT_GE(lifetime, 30 * 86400);
  EXPECT_LE(lifetime, 30 * 86400 + 3600);

  // Age the certificate in the database (the TLS layer would refuse a truly expired one
  // earlier; this checks the server's own check and the listing).
  deploy->Stop();
  {
    absl::StatusOr<server::ServerConfig> config =
        server::LoadConfig(server::ConfigPath(deploy->data_dir()));
    ASSERT_TRUE(config.ok());
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(config->db_path, {});
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec("UPDATE certificates SET not_after = 1000 WHERE user_id = 'reg'").ok());
  }
  ASSERT_TRUE(deploy->Restart());
  client::Profile profile = *client::LoadProfile(reg);
  profile.server = deploy->address();
  auto who = v1::AdminService::NewStub(TestDeployment::Channel(profile));
  grpc::ClientContext ctx;
  v1::WhoAmIResponse me;
  grpc::Status st = who->WhoAmI(&ctx, v1::WhoAmIRequest(), &me);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(st.error_message().find("expired"), std::string::npos) << st.error_message();
  admin = v1::AdminService::NewStub(deploy->Channel(deploy->admin_profile()));
  // The admin profile names the old port; dial the new one.
  client::Profile admin_profile = *client::LoadProfile(deploy->admin_profile());
  admin_profile.server = deploy->address();
  admin = v1::AdminService::NewStub(TestDeployment::Channel(admin_profile));
  grpc::ClientContext ctx2;
  ASSERT_TRUE(admin->ListCertificates(&ctx2, req, &resp).ok());
  EXPECT_EQ(resp.certificates(0).status(), "expired");
}

TEST(KekRotationTest, EveryValueReadsBackUnderTheNewKekAndTheOldOneOpensNothing) {
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start();
  ASSERT_NE(deploy, nullptr);
  const std::string reg_profile = deploy->AddUser("reg", "registrar");
  const std::string leader_profile = deploy->AddUser("kekldr", "leader");
  auto petitions = v1::PetitionService::NewStub(deploy->Channel(reg_profile));
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    v1::RegisterPetitionRequest req;
    req.set_request_id("kek-" + std::to_string(i));
    req.set_channel(v1::CHANNEL_LETTER);
    req.set_category(v1::CATEGORY_ACCUSATION);
    req.mutable_reporter()->set_name("举报人" + std::to_string(i));
    req.mutable_reporter()->set_id_number(kIdNumber);
    v1::Subject* s = req.add_subjects();
    s->set_name("被反映人" + std::to_string(i));
    s->set_unit("某单位");
    req.set_summary("摘要" + std::to_string(i));
    req.set_content("内容" + std::to_string(i));
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse resp;
    ASSERT_TRUE(petitions->RegisterPetition(&ctx, req, &resp).ok());
    ids.push_back(resp.petition().id());
  }
  const std::string config_path = server::ConfigPath(deploy->data_dir());
  server::ServerConfig before = *server::LoadConfig(config_path);
  const std::string old_kek = before.kek_path;
  const std::string new_kek = NewTempPath("new-kek");

  // While a server answers on the configured staff port, rotation is refused.
  const std::string config_text = ReadFile(config_path);
  {
    std::string live = std::regex_replace(config_text, std::regex("listen = '127.0.0.1:0'"),
                                          "listen = \"" + deploy->address() + "\"");
    ASSERT_NE(live, config_text);
    std::ofstream(config_path, std::ios::trunc) << live;
    CommandResult running = RunBinary(
        "jijian-server", {"rotate-kek", "--data", deploy->data_dir(), "--new-kek", new_kek});
    EXPECT_EQ(running.exit_code, 1);
    EXPECT_NE(running.err.find("stop it"), std::string::npos) << running.err;
    EXPECT_FALSE(fs::exists(new_kek));
    std::ofstream(config_path, std::ios::trunc) << config_text;
  }
  deploy->Stop();

  // An existing file is refused: rotate-kek makes the new key itself.
  CommandResult exists = RunBinary(
      "jijian-server", {"rotate-kek", "--data", deploy->data_dir(), "--new-kek", old_kek});
  EXPECT_EQ(exists.exit_code, 1);
  EXPECT_NE(exists.err.find("already exists"), std::string::npos) << exists.err;

  CommandResult rotate = RunBinary(
      "jijian-server", {"rotate-kek", "--data", deploy->data_dir(), "--new-kek", new_kek});
  ASSERT_EQ(rotate.exit_code, 0) << rotate.err;
  EXPECT_NE(rotate.out.find("rewrapped every data key"), std::string::npos) << rotate.out;
  EXPECT_EQ(fs::status(new_kek).permissions() & (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  EXPECT_EQ(server::LoadConfig(config_path)->kek_path, new_kek);

  // A copy of the rotated database with the old KEK file: the data keys do not open.
  const std::string stolen = NewTempPath("db-stolen");
  fs::copy_file(before.db_path, stolen);
  absl::StatusOr<storage::Kek> old = storage::Kek::Load(old_kek);
  ASSERT_TRUE(old.ok());
  absl::StatusOr<std::unique_ptr<storage::Store>> opened =
      storage::Store::Open({.path = stolen}, *old);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(opened.status().message().find("does not unwrap under KEK"), std::string::npos)
      << opened.status();

  // The old file is destroyed; the server starts with the new KEK and reads every value back.
  fs::remove(old_kek);
  ASSERT_TRUE(deploy->Restart());
  client::Profile p = *client::LoadProfile(reg_profile);
  p.server = deploy->address();
  petitions = v1::PetitionService::NewStub(TestDeployment::Channel(p));
  // Identities open only under an approved unseal request (dual control).
  auto ask = v1::IdentityService::NewStub(TestDeployment::Channel(p));
  client::Profile lp = *client::LoadProfile(leader_profile);
  lp.server = deploy->address();
  auto approve = v1::IdentityService::NewStub(TestDeployment::Channel(lp));
  for (int i = 0; i < 5; ++i) {
    v1::RequestUnsealRequest u;
    u.set_request_id("kek-unseal-" + std::to_string(i));
    u.set_petition_id(ids[i]);
    u.set_reason("KEK 轮换后核对");
    grpc::ClientContext uctx;
    v1::UnsealResponse asked;
    ASSERT_TRUE(ask->RequestUnseal(&uctx, u, &asked).ok());
    v1::DecideUnsealRequest d;
    d.set_request_id("kek-approve-" + std::to_string(i));
    d.set_id(asked.unseal().id());
    grpc::ClientContext dctx;
    v1::UnsealResponse decided;
    ASSERT_TRUE(approve->ApproveUnseal(&dctx, d, &decided).ok());
  }
  for (int i = 0; i < 5; ++i) {
    v1::GetPetitionRequest get;
    get.set_id(ids[i]);
    get.set_reveal_identity(true);
    grpc::ClientContext ctx;
    v1::GetPetitionResponse resp;
    ASSERT_TRUE(petitions->GetPetition(&ctx, get, &resp).ok()) << ids[i];
    EXPECT_EQ(resp.petition().reporter().name(), "举报人" + std::to_string(i));
    EXPECT_EQ(resp.petition().subjects(0).name(), "被反映人" + std::to_string(i));
    EXPECT_EQ(resp.petition().summary(), "摘要" + std::to_string(i));
    EXPECT_EQ(resp.petition().content(), "内容" + std::to_string(i));
  }
  // The rotation is in the audit log, and the log still verifies offline.
  CommandResult verify = RunBinary("jijian-server", {"verify", "--data", deploy->data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  fs::remove(stolen);
  fs::remove(new_kek);
}

TEST(KekRotationTest, AFailedRotationChangesNothingAndLeavesNoNewKey) {
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start();
  ASSERT_NE(deploy, nullptr);
  deploy->Stop();
  const std::string config_path = server::ConfigPath(deploy->data_dir());
  const std::string config_text = ReadFile(config_path);
  server::ServerConfig config = *server::LoadConfig(config_path);
  // The configured KEK file is replaced by another valid key: it opens none of the data keys.
  const std::string real_kek = ReadFile(config.kek_path);
  fs::remove(config.kek_path);
  ASSERT_TRUE(storage::Kek::Create(config.kek_path).ok());
  const std::string new_kek = NewTempPath("new-kek");
  CommandResult rotate = RunBinary(
      "jijian-server", {"rotate-kek", "--data", deploy->data_dir(), "--new-kek", new_kek});
  EXPECT_EQ(rotate.exit_code, 1);
  EXPECT_NE(rotate.err.find("does not unwrap under KEK"), std::string::npos) << rotate.err;
  EXPECT_FALSE(fs::exists(new_kek));
  EXPECT_EQ(ReadFile(config_path), config_text);
  // With the right KEK back, the deployment opens as before.
  fs::remove(config.kek_path);
  {
    std::ofstream out(config.kek_path);
    out << real_kek;
  }
  fs::permissions(config.kek_path, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  EXPECT_TRUE(deploy->Restart());
}

}  // namespace
}  // namespace jijian::testing
