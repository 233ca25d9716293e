// Backup and restore (issue 8): `jijian-server backup` takes a consistent copy while
// registrations keep coming; the copy holds no plaintext; `restore` refuses beside a live
// server, puts the copy back, and the auditor's client, which saw a head before the backup,
// still finds the restored log consistent with it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "jijian/v1/petition.grpc.pb.h"
#include "server/config.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

namespace fs = std::filesystem;

constexpr char kIdNumber[] = "11010519491231002X";

void Register(v1::PetitionService::Stub& stub, const std::string& tag, std::string* id) {
  v1::RegisterPetitionRequest req;
  req.set_request_id("b-" + tag);
  req.set_channel(v1::CHANNEL_LETTER);
  req.set_category(v1::CATEGORY_ACCUSATION);
  req.mutable_reporter()->set_name("举报人MARKER" + tag);
  req.mutable_reporter()->set_id_number(kIdNumber);
  v1::Subject* s = req.add_subjects();
  s->set_name("被反映人" + tag);
  s->set_unit("某单位");
  req.set_summary("摘要" + tag);
  req.set_content("CONTENTMARKER" + tag);
  grpc::ClientContext ctx;
  v1::RegisterPetitionResponse resp;
  grpc::Status st = stub.RegisterPetition(&ctx, req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  if (id) *id = resp.petition().id();
}

// Points a profile at the server's current address (a restart picks a new port).
std::string Repoint(const std::string& profile_path, const std::string& address) {
  client::Profile p = *client::LoadProfile(profile_path);
  p.server = address;
  EXPECT_TRUE(client::WriteProfile(p, profile_path + ".tmp").ok());
  fs::rename(profile_path + ".tmp", profile_path);
  return profile_path;
}

TEST(BackupTest, AnOnlineCopyRestoresAndTheAuditorsEarlierHeadStillHolds) {
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start();
  ASSERT_NE(deploy, nullptr);
  const std::string reg = deploy->AddUser("reg", "registrar");
  const std::string aud = deploy->AddUser("aud", "auditor");
  auto stub = v1::PetitionService::NewStub(deploy->Channel(reg));
  std::vector<std::string> before_ids(8);
  for (int i = 0; i < 8; ++i) Register(*stub, "seed" + std::to_string(i), &before_ids[i]);

  // The auditor checks the log and remembers its head (state file beside the profile).
  CommandResult seen = RunBinary("jijian", {"--profile", aud, "audit", "verify"});
  ASSERT_EQ(seen.exit_code, 0) << seen.out << seen.err;

  // A backup while two clients keep registering.
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      auto s = v1::PetitionService::NewStub(deploy->Channel(reg));
      for (int i = 0; i < 15 && !stop; ++i) {
        Register(*s, "w" + std::to_string(w) + "-" + std::to_string(i), nullptr);
      }
    });
  }
  const std::string out = NewTempPath("backup") + ".db";
  CommandResult backup =
      RunBinary("jijian-server", {"backup", "--data", deploy->data_dir(), "--out", out});
  stop = true;
  for (std::thread& t : writers) t.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.out << backup.err;
  EXPECT_NE(backup.out.find("audit log:"), std::string::npos) << backup.out;
  EXPECT_EQ(fs::status(out).permissions() & (fs::perms::group_all | fs::perms::others_all),
            fs::perms::none);
  // A second backup to the same file is refused.
  EXPECT_EQ(
      RunBinary("jijian-server", {"backup", "--data", deploy->data_dir(), "--out", out}).exit_code,
      1);
  // No plaintext in the copy: neither identity nor content markers.
  const std::string bytes = ReadFile(out);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find("MARKER"), std::string::npos);
  EXPECT_EQ(bytes.find("CONTENTMARKER"), std::string::npos);

  // Restore is refused while a server answers on the configured port.
  const std::string config_path = server::ConfigPath(deploy->data_dir());
  const std::string config_text = ReadFile(config_path);
  const std::string live = std::regex_replace(config_text, std::regex("listen = '127.0.0.1:0'"),
                                              "listen = \"" + deploy->address() + "\"");
  ASSERT_NE(live, config_text);
  std::ofstream(config_path, std::ios::trunc) << live;
  CommandResult refused =
      RunBinary("jijian-server", {"restore", "--data", deploy->data_dir(), "--from", out});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("stop it"), std::string::npos) << refused.err;
  std::ofstream(config_path, std::ios::trunc) << config_text;

  // Stopped: restore puts the copy in place (and keeps the replaced database aside).
  deploy->Stop();
  CommandResult restore =
      RunBinary("jijian-server", {"restore", "--data", deploy->data_dir(), "--from", out});
  ASSERT_EQ(restore.exit_code, 0) << restore.out << restore.err;
  EXPECT_NE(restore.out.find("verified"), std::string::npos) << restore.out;
  EXPECT_NE(restore.out.find(".before-restore-"), std::string::npos) << restore.out;
  ASSERT_TRUE(deploy->Restart());

  // The auditor's client checks the restored log against the head it saw before the
  // backup: consistent (the copy extends it).
  CommandResult after =
      RunBinary("jijian", {"--profile", Repoint(aud, deploy->address()), "audit", "verify"});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  // What was acknowledged before the backup reads back.
  auto again = v1::PetitionService::NewStub(deploy->Channel(Repoint(reg, deploy->address())));
  for (size_t i = 0; i < before_ids.size(); ++i) {
    grpc::ClientContext ctx;
    v1::GetPetitionRequest get;
    get.set_id(before_ids[i]);
    v1::GetPetitionResponse resp;
    ASSERT_TRUE(again->GetPetition(&ctx, get, &resp).ok()) << before_ids[i];
    EXPECT_EQ(resp.petition().content(), "CONTENTMARKERseed" + std::to_string(i));
  }
  deploy->Stop();
  CommandResult verify = RunBinary("jijian-server", {"verify", "--data", deploy->data_dir()});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // A damaged backup is refused and changes nothing.
  const std::string bad = NewTempPath("backup-bad") + ".db";
  std::ofstream(bad, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CommandResult broken =
      RunBinary("jijian-server", {"restore", "--data", deploy->data_dir(), "--from", bad});
  EXPECT_EQ(broken.exit_code, 1);
  CommandResult still = RunBinary("jijian-server", {"verify", "--data", deploy->data_dir()});
  EXPECT_EQ(still.exit_code, 0) << still.out << still.err;
  fs::remove(out);
  fs::remove(bad);
}

}  // namespace
}  // namespace jijian::testing
