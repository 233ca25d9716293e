// Crash safety (issue 8): concurrent registrations against a real server process, killed
// with SIGKILL at a random moment, several times. After each restart every acknowledged
// petition is present and reads back as written, petition numbers have no gap,
// `PRAGMA integrity_check` is ok, and at the end the audit log verifies offline.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <random>
#include <thread>

#include "jijian/v1/petition.grpc.pb.h"
#include "storage/db.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

std::string Live(const std::string& profile_path, int port) {
  client::Profile p = *client::LoadProfile(profile_path);
  p.server = "127.0.0.1:" + std::to_string(port);
  const std::string out = profile_path + ".live.toml";
  std::filesystem::remove(out);
  EXPECT_TRUE(client::WriteProfile(p, out).ok());
  return out;
}

TEST(CrashTest, EveryAcknowledgedPetitionSurvivesSigkill) {
  const std::string dir = NewTempPath("crash");
  ASSERT_EQ(
      RunBinary("jijian-server", {"init", "--data", dir, "--listen", "127.0.0.1:0"}).exit_code, 0);
  std::string log = NewTempPath("crash-log");
  pid_t pid = SpawnServer(dir, log);
  int port = WaitForServerPort(log);
  ASSERT_GT(port, 0) << ReadFile(log);
  const std::string admin = Live(dir + "/profiles/admin.toml", port);
  ASSERT_EQ(RunBinary("jijian", {"--profile", admin, "admin", "user", "add", "reg", "--name", "R",
                                 "--role", "registrar"})
                .exit_code,
            0);
  const std::string reg = dir + "/profiles/reg.toml";
  CommandResult issued =
      RunBinary("jijian", {"--profile", admin, "admin", "cert", "issue", "reg", "--out", reg});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;

  std::mutex mu;
  std::map<std::string, std::string> acked;  // petition id -> tag, answered OK
  std::mt19937 rng(20261130);
  for (int round = 0; round < 3; ++round) {
    auto channel = TestDeployment::Channel(*client::LoadProfile(Live(reg, port)));
    std::atomic<bool> dead{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w, round] {
        auto stub = v1::PetitionService::NewStub(channel);
        for (int i = 0; !dead && i < 400; ++i) {
          const std::string tag =
              std::to_string(round) + "-" + std::to_string(w) + "-" + std::to_string(i);
          v1::RegisterPetitionRequest req;
          req.set_request_id("crash-" + tag);
          req.set_channel(v1::CHANNEL_PHONE);
          req.set_category(v1::CATEGORY_ACCUSATION);
          req.set_anonymous(true);
          v1::Subject* s = req.add_subjects();
          s->set_name("被反映人" + tag);
          s->set_unit("某单位");
          req.set_summary("摘要" + tag);
          req.set_content("内容" + tag);
          grpc::ClientContext ctx;
          ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
          v1::RegisterPetitionResponse resp;
          if (!stub->RegisterPetition(&ctx, req, &resp).ok()) break;  // the server died
          std::lock_guard<std::mutex> lock(mu);
          acked[resp.petition().id()] = tag;
        }
      });
    }
    // A random moment in the middle of the writes.
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 450));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status));
    dead = true;
    for (std::thread& t : writers) t.join();

    // Restart on the same files and check everything acknowledged so far.
    log = NewTempPath("crash-log");
    pid = SpawnServer(dir, log);
    port = WaitForServerPort(log);
    ASSERT_GT(port, 0) << ReadFile(log);
    auto stub = v1::PetitionService::NewStub(
        TestDeployment::Channel(*client::LoadProfile(Live(reg, port))));
    for (const auto& [id, tag] : acked) {
      grpc::ClientContext ctx;
      v1::GetPetitionRequest get;
      get.set_id(id);
      v1::GetPetitionResponse resp;
      grpc::Status st = stub->GetPetition(&ctx, get, &resp);
      ASSERT_TRUE(st.ok()) << "acknowledged " << id << " lost: " << st.error_message();
      EXPECT_EQ(resp.petition().content(), "内容" + tag) << id;
      ASSERT_EQ(resp.petition().subjects_size(), 1) << id;
      EXPECT_EQ(resp.petition().subjects(0).name(), "被反映人" + tag) << id;
    }
    // Numbers are gap-free: every XF id from 1 to the highest exists.
    std::vector<std::string> all;
    std::string token;
    do {
      v1::ListPetitionsRequest list;
      list.set_page_size(500);
      list.set_page_token(token);
      grpc::ClientContext ctx;
      v1::ListPetitionsResponse resp;
      ASSERT_TRUE(stub->ListPetitions(&ctx, list, &resp).ok());
      for (const auto& p : resp.petitions()) all.push_back(p.id());
      token = resp.next_page_token();
    } while (!token.empty());
    ASSERT_GE(all.size(), acked.size());
    for (size_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(std::stoi(all[i].substr(8)), static_cast<int>(i + 1)) << all[i];
    }
    // The file is sound.
    absl::StatusOr<std::unique_ptr<storage::Db>> db =
        storage::Db::Open(dir + "/db/jijian.db", {.read_only = true, .create = false});
    ASSERT_TRUE(db.ok()) << db.status();
    absl::StatusOr<storage::Stmt> check = (*db)->Prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.ok());
    ASSERT_TRUE(*check->Step());
    EXPECT_EQ(check->Text(0), "ok");
  }
  EXPECT_GT(acked.size(), 10u) << "too few writes before the kills to test anything";
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  CommandResult verify = RunBinary("jijian-server", {"verify", "--data", dir});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace jijian::testing
