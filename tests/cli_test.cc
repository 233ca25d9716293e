// The real `jijian` and `jijian-server` binaries, as a user runs them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <filesystem>
#include <regex>
#include <thread>

#include "client/profile.h"
#include "tests/test_server.h"

extern char** environ;

namespace jijian::testing {
namespace {

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    admin_ = deploy_->admin_profile();
  }
  CommandResult Jijian(std::vector<std::string> args) { return RunBinary("jijian", args); }

  std::unique_ptr<TestDeployment> deploy_;
  std::string admin_;
};

TEST_F(CliTest, WhoamiAsAdmin) {
  CommandResult r = Jijian({"--profile", admin_, "whoami"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("user:        admin"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("roles:       admin"), std::string::npos) << r.out;
}

TEST_F(CliTest, WhoamiJsonIsTheResponse) {
  CommandResult r = Jijian({"--profile", admin_, "--json", "whoami"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"user_id\": \"admin\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"ROLE_ADMIN\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"certificate_fingerprint_sha256\""), std::string::npos) << r.out;
}

TEST_F(CliTest, ProfileComesFromEnvironmentThenHome) {
  std::string home = NewTempPath("home");
  std::filesystem::create_directories(home + "/.config/jijian");
  std::string saved_home = getenv("HOME") ? getenv("HOME") : "";
  setenv("HOME", home.c_str(), 1);
  unsetenv("JIJIAN_PROFILE");
  CommandResult none = Jijian({"whoami"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("--profile"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("JIJIAN_PROFILE"), std::string::npos) << none.err;

  setenv("JIJIAN_PROFILE", admin_.c_str(), 1);
  CommandResult from_env = Jijian({"whoami"});
  EXPECT_EQ(from_env.exit_code, 0) << from_env.err;
  unsetenv("JIJIAN_PROFILE");

  std::filesystem::copy_file(admin_, home + "/.config/jijian/profile.toml");
  CommandResult from_home = Jijian({"whoami"});
  EXPECT_EQ(from_home.exit_code, 0) << from_home.err;
  EXPECT_NE(from_home.out.find("admin"), std::string::npos);
  setenv("HOME", saved_home.c_str(), 1);
}

TEST_F(CliTest, AdminManagesUsersAndCertificates) {
  CommandResult add = Jijian({"--profile", admin_, "admin", "user", "add", "li.si", "--name",
                              "李四", "--role", "registrar,leader", "--dept", "信访室"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.out.find("registrar,leader"), std::string::npos) << add.out;

  CommandResult list = Jijian({"--profile", admin_, "admin", "user", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("李四"), std::string::npos);
  EXPECT_NE(list.out.find("admin"), std::string::npos);

  std::string profile = NewTempPath("lisi") + ".toml";
  CommandResult issue =
      Jijian({"--profile", admin_, "admin", "cert", "issue", "li.si", "--out", profile});
  ASSERT_EQ(issue.exit_code, 0) << issue.err;
  struct stat st;
  ASSERT_EQ(::stat(profile.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The issued profile works as it is.
  CommandResult who = Jijian({"--profile", profile, "whoami"});
  ASSERT_EQ(who.exit_code, 0) << who.err;
  EXPECT_NE(who.out.find("li.si"), std::string::npos);
  // Writing over an existing profile is refused.
  CommandResult again =
      Jijian({"--profile", admin_, "admin", "cert", "issue", "li.si", "--out", profile});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--out"), std::string::npos);

  // Without the admin role: one line, the code, non-zero.
  CommandResult denied = Jijian({"--profile", profile, "admin", "user", "list"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_EQ(denied.err.rfind("jijian: PERMISSION_DENIED: ", 0), 0u) << denied.err;
  EXPECT_EQ(std::count(denied.err.begin(), denied.err.end(), '\n'), 1);

  CommandResult disable = Jijian({"--profile", admin_, "admin", "user", "disable", "li.si"});
  ASSERT_EQ(disable.exit_code, 0) << disable.err;
  EXPECT_NE(disable.out.find("disabled"), std::string::npos);
  CommandResult refused = Jijian({"--profile", profile, "whoami"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("PERMISSION_DENIED"), std::string::npos) << refused.err;
}

TEST_F(CliTest, BadArgumentsGiveOneLineNamingTheField) {
  CommandResult role =
      Jijian({"--profile", admin_, "admin", "user", "add", "x.y", "--name", "X", "--role", "boss"});
  EXPECT_NE(role.exit_code, 0);
  EXPECT_NE(role.err.find("--role"), std::string::npos) << role.err;
  CommandResult id = Jijian(
      {"--profile", admin_, "admin", "user", "add", "Bad Id", "--name", "X", "--role", "admin"});
  EXPECT_EQ(id.exit_code, 1);
  EXPECT_NE(id.err.find("INVALID_ARGUMENT: user_id"), std::string::npos) << id.err;
  CommandResult missing = Jijian({"--profile", admin_, "admin", "user", "add", "x.y"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--name"), std::string::npos) << missing.err;
}

TEST_F(CliTest, RegistrarRunsAPetitionFromTheCommandLine) {
  std::string reg = deploy_->AddUser("reg", "registrar");
  CommandResult r = Jijian({"--profile",       reg,
                            "petition",        "register",
                            "--channel",       "letter",
                            "--category",      "accusation",
                            "--received",      "2026-02-10",
                            "--reporter-name", "张三",
                            "--reporter-id",   "11010519491231002X",
                            "--subject",       "name=李四,unit=某县财政局,rank=section,party=yes",
                            "--discipline",    "integrity,work",
                            "--summary",       "反映李四收受礼金",
                            "--content",       "详情"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("registered XF-2026-000001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2026-03-09"), std::string::npos) << r.out;  // 15 working days
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("receipt code[^:]*: ([0-9A-Z-]{23})")))
      << r.out;
  const std::string receipt = m[1];

  CommandResult overdue = Jijian({"--profile", reg, "petition", "list", "--overdue"});
  ASSERT_EQ(overdue.exit_code, 0) << overdue.err;
  EXPECT_NE(overdue.out.find("XF-2026-000001"), std::string::npos);
  EXPECT_NE(overdue.out.find("proposal +"), std::string::npos) << overdue.out;

  CommandResult show = Jijian({"--profile", reg, "petition", "show", "XF-2026-000001"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("[sealed"), std::string::npos);
  EXPECT_EQ(show.out.find("张三"), std::string::npos);
  // Revealing needs an unseal request approved by a second person (a leader).
  CommandResult sealed =
      Jijian({"--profile", reg, "petition", "show", "XF-2026-000001", "--reveal-identity"});
  EXPECT_EQ(sealed.exit_code, 1);
  CommandResult ask = Jijian({"--profile", reg, "petition", "unseal-request", "XF-2026-000001",
                              "--reason", "当面反馈需核实身份"});
  ASSERT_EQ(ask.exit_code, 0) << ask.err;
  std::smatch jm;
  ASSERT_TRUE(std::regex_search(ask.out, jm, std::regex("JM-[0-9]{4}-[0-9]{6}"))) << ask.out;
  const std::string leader = deploy_->AddUser("boss", "leader");
  CommandResult approve = Jijian({"--profile", leader, "petition", "unseal-approve", jm[0].str()});
  ASSERT_EQ(approve.exit_code, 0) << approve.err;
  CommandResult reveal =
      Jijian({"--profile", reg, "petition", "show", "XF-2026-000001", "--reveal-identity"});
  EXPECT_NE(reveal.out.find("张三"), std::string::npos) << reveal.out;

  CommandResult decide = Jijian({"--profile", reg, "petition", "decide", "XF-2026-000001", "--mode",
                                 "transfer-down", "--to", "某县纪委", "--reason", "属下级管辖"});
  ASSERT_EQ(decide.exit_code, 0) << decide.err;
  EXPECT_NE(decide.out.find("transferred-down"), std::string::npos) << decide.out;
  CommandResult wrong = Jijian({"--profile", reg, "petition", "decide", "XF-2026-000001", "--mode",
                                "accept", "--reason", "x"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("FAILED_PRECONDITION: petition XF-2026-000001 is in TRANSFERRED_DOWN"),
            std::string::npos)
      << wrong.err;

  CommandResult json = Jijian({"--json", "reporter", "--endpoint", deploy_->reporter_address(),
                               "--ca", deploy_->ca_path(), "status", "--receipt", receipt});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"status\": \"in_progress\""), std::string::npos) << json.out;
  CommandResult bad = Jijian({"--profile", reg, "petition", "register", "--channel", "fax",
                              "--category", "accusation", "--anonymous", "--subject",
                              "name=a,unit=b", "--summary", "s", "--content", "c"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("--channel"), std::string::npos) << bad.err;
}

TEST(ServerProcessTest, InitServeAndStopOnSigterm) {
  std::string dir = NewTempPath("proc");
  CommandResult init =
      RunBinary("jijian-server", {"init", "--data", dir, "--listen", "127.0.0.1:0"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(init.out.find("profiles/admin.toml"), std::string::npos);
  struct stat st;
  ASSERT_EQ(::stat((dir + "/keys/kek.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The KEK is in its own file, never in the database.
  std::string kek_hex = ReadFile(dir + "/keys/kek.key").substr(0, 64);
  EXPECT_EQ(ReadFile(dir + "/db/jijian.db").find(kek_hex), std::string::npos);

  // init refuses an existing folder and leaves it as it was.
  std::string before = ReadFile(dir + "/server.toml");
  CommandResult again = RunBinary("jijian-server", {"init", "--data", dir});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(ReadFile(dir + "/server.toml"), before);

  std::string log = NewTempPath("log");
  pid_t pid = SpawnServer(dir, log);
  ASSERT_GT(pid, 0);
  std::smatch m;
  std::string text;
  for (int i = 0; i < 200 && !std::regex_search(text, m, std::regex("\\(port (\\d+)\\)")); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    text = ReadFile(log);
  }
  ASSERT_TRUE(std::regex_search(text, m, std::regex("\\(port (\\d+)\\)"))) << text;
  absl::StatusOr<client::Profile> p = client::LoadProfile(dir + "/profiles/admin.toml");
  ASSERT_TRUE(p.ok());
  p->server = "127.0.0.1:" + m[1].str();
  std::string live = NewTempPath("live") + ".toml";
  ASSERT_TRUE(client::WriteProfile(*p, live).ok());
  CommandResult who = RunBinary("jijian", {"--profile", live, "whoami"});
  EXPECT_EQ(who.exit_code, 0) << who.err;
  EXPECT_NE(who.out.find("admin"), std::string::npos);
  // Database and WAL are private to the server's user.
  ASSERT_EQ(::stat((dir + "/db/jijian.db-wal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(ReadFile(log).find("stopped cleanly"), std::string::npos) << ReadFile(log);
  std::filesystem::remove_all(dir);
}

TEST(ServerProcessTest, InitWithAReporterPortServesItToTheReporterCommand) {
  std::string dir = NewTempPath("proc-reporter");
  CommandResult init = RunBinary("jijian-server", {"init", "--data", dir, "--listen", "127.0.0.1:0",
                                                   "--reporter-listen", "127.0.0.1:0"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  EXPECT_NE(ReadFile(dir + "/server.toml").find("reporter_listen = '127.0.0.1:0'"),
            std::string::npos);
  std::string log = NewTempPath("log");
  pid_t pid = SpawnServer(dir, log);
  ASSERT_GT(pid, 0);
  const std::regex port("reporter port on [^ ]+ \\(port (\\d+)\\)");
  std::smatch m;
  std::string text;
  for (int i = 0; i < 200 && !std::regex_search(text, m, port); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    text = ReadFile(log);
  }
  ASSERT_TRUE(std::regex_search(text, m, port)) << text;
  CommandResult submit =
      RunBinary("jijian", {"reporter", "--endpoint", "127.0.0.1:" + m[1].str(), "--ca",
                           dir + "/pki/ca.crt", "submit", "--anonymous", "--subject",
                           "name=甲,unit=乙", "--summary", "摘要", "--content", "内容"});
  EXPECT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_NE(submit.out.find("submitted XF-"), std::string::npos) << submit.out;
  // No reporter content reaches the server's log.
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(ReadFile(log).find("摘要"), std::string::npos);
  std::filesystem::remove(log);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace jijian::testing
