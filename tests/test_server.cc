#include "tests/test_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/csr.h"
#include "jijian/v1/admin.grpc.pb.h"
#include "server/config.h"
#include "server/init.h"
#include "storage/audit.h"

extern char** environ;

namespace jijian::testing {
namespace fs = std::filesystem;

std::string NewTempPath(const std::string& stem) {
  static std::atomic<int> counter{0};
  std::string base = ::testing::TempDir();
  if (base.empty() || base.back() != '/') base += '/';
  // The pid and a counter keep paths of one run apart; a random part keeps them apart from
  // what an earlier process of the same pid left behind (a killed run does not clean up).
  static const uint32_t salt = std::random_device{}();
  return base + "jijian-" + stem + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(salt) + "-" + std::to_string(counter++);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::unique_ptr<TestDeployment> TestDeployment::Start(Configure configure) {
  auto d = std::unique_ptr<TestDeployment>(new TestDeployment());
  d->data_dir_ = NewTempPath("deploy");
  d->configure_ = std::move(configure);
  absl::StatusOr<server::InitResult> init =
      server::InitDeployment({.data_dir = d->data_dir_,
                              .listen = "127.0.0.1:0",
                              .kek_path = "",
                              .reporter_listen = "127.0.0.1:0"});
  EXPECT_TRUE(init.ok()) << init.status();
  if (!init.ok()) return nullptr;
  if (!d->Restart()) return nullptr;
  absl::StatusOr<client::Profile> admin = client::LoadProfile(init->admin_profile_path);
  EXPECT_TRUE(admin.ok());
  admin->server = d->address();
  d->admin_profile_ = d->data_dir_ + "/profiles/admin-live.toml";
  EXPECT_TRUE(client::WriteProfile(*admin, d->admin_profile_).ok());
  return d;
}

TestDeployment::~TestDeployment() {
  Stop();
  std::error_code ec;
  fs::remove_all(data_dir_, ec);
}

void TestDeployment::Stop() {
  if (server_) {
    server_->Shutdown(absl::Seconds(5));
    server_->Wait();
    server_.reset();
  }
}

bool TestDeployment::Restart() {
  absl::StatusOr<server::ServerConfig> config = server::LoadConfig(server::ConfigPath(data_dir_));
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok()) return false;
  config->reporter_peer_burst = 10000;
  config->reporter_peer_per_second = 1000;
  config->reporter_global_per_second = 100000;
  if (configure_) configure_(*config);
  absl::StatusOr<std::unique_ptr<server::JijianServer>> srv = server::JijianServer::Start(*config);
  EXPECT_TRUE(srv.ok()) << srv.status();
  if (!srv.ok()) return false;
  server_ = *std::move(srv);
  return true;
}

bool TestDeployment::MoveDatabase(const std::string& path) {
  Stop();
  const std::string config_path = server::ConfigPath(data_dir_);
  absl::StatusOr<server::ServerConfig> config = server::LoadConfig(config_path);
  EXPECT_TRUE(config.ok()) << config.status();
  if (!config.ok()) return false;
  std::error_code ec;
  for (const char* suffix : {"", "-wal"}) {
    const std::string from = config->db_path + suffix;
    if (!fs::exists(from)) continue;
    fs::copy_file(from, path + suffix, ec);
    EXPECT_FALSE(ec) << from << ": " << ec.message();
    if (ec) return false;
    fs::remove(from);
  }
  fs::remove(config->db_path + "-shm", ec);
  config->db_path = path;
  if (absl::Status st = server::WriteConfig(*config, config_path); !st.ok()) {
    ADD_FAILURE() << st;
    return false;
  }
  if (!Restart()) return false;
  absl::StatusOr<client::Profile> admin = client::LoadProfile(admin_profile_);
  EXPECT_TRUE(admin.ok()) << admin.status();
  if (!admin.ok()) return false;
  admin->server = address();
  fs::remove(admin_profile_);
  return client::WriteProfile(*admin, admin_profile_).ok();
}

std::string TestDeployment::reporter_address() const {
  return "127.0.0.1:" + std::to_string(server_->reporter_port());
}

std::shared_ptr<grpc::Channel> TestDeployment::ReporterChannel() const {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFile(ca_path());
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(reporter_address(), grpc::SslCredentials(tls), args);
}

int64_t TestDeployment::AuditLogSize() {
  return *server_->store().Read<int64_t>([](storage::Db& db) { return storage::AuditLogSize(db); });
}

std::string TestDeployment::address() const {
  return "127.0.0.1:" + std::to_string(server_->port());
}

std::shared_ptr<grpc::Channel> TestDeployment::Channel(const client::Profile& p) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = p.ca_pem;
  tls.pem_private_key = p.key_pem;
  tls.pem_cert_chain = p.cert_pem;
  // A fresh subchannel per channel, so one test's connection never serves another identity.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(p.server, grpc::SslCredentials(tls), args);
}

std::shared_ptr<grpc::Channel> TestDeployment::Channel(const std::string& profile_path) const {
  absl::StatusOr<client::Profile> p = client::LoadProfile(profile_path);
  EXPECT_TRUE(p.ok()) << p.status();
  return Channel(*p);
}

std::string TestDeployment::AddUser(const std::string& user_id, const std::string& roles) {
  auto stub = v1::AdminService::NewStub(Channel(admin_profile_));
  v1::AddUserRequest add;
  add.set_request_id("add-" + user_id);
  add.set_user_id(user_id);
  add.set_display_name("Test " + user_id);
  std::stringstream ss(roles);
  for (std::string name; std::getline(ss, name, ',');) {
    std::string enum_name = "ROLE_" + name;
    for (char& c : enum_name) c = c == '-' ? '_' : static_cast<char>(std::toupper(c));
    v1::Role role = v1::ROLE_UNSPECIFIED;
    EXPECT_TRUE(v1::Role_Parse(enum_name, &role)) << name;
    add.add_roles(role);
  }
  {
    grpc::ClientContext ctx;
    v1::AddUserResponse resp;
    grpc::Status st = stub->AddUser(&ctx, add, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
  }
  absl::StatusOr<client::KeyAndCsr> csr = client::GenerateKeyAndCsr(user_id);
  EXPECT_TRUE(csr.ok());
  v1::IssueCertificateRequest issue;
  issue.set_request_id("cert-" + user_id);
  issue.set_user_id(user_id);
  issue.set_csr_pem(csr->csr_pem);
  grpc::ClientContext ctx;
  v1::IssueCertificateResponse resp;
  grpc::Status st = stub->IssueCertificate(&ctx, issue, &resp);
  EXPECT_TRUE(st.ok()) << st.error_message();
  client::Profile p{"",
                    resp.server_address(),
                    user_id,
                    resp.audit_public_key_hex(),
                    resp.ca_pem(),
                    resp.certificate_pem(),
                    csr->key_pem};
  std::string path = data_dir_ + "/profiles/" + user_id + ".toml";
  EXPECT_TRUE(client::WriteProfile(p, path).ok());
  return path;
}

std::string BinaryPath(const std::string& name) {
  const char* dir = std::getenv("JIJIAN_BIN_DIR");
  std::string base = dir ? dir : ".";
  return base + (name == "jijian" ? "/client/" : "/server/") + name;
}

CommandResult RunBinary(const std::string& name, const std::vector<std::string>& args) {
  std::string out_path = NewTempPath("out"), err_path = NewTempPath("err");
  std::vector<std::string> argv_s = {BinaryPath(name)};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  CommandResult r;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
    r.err = "cannot run " + argv_s[0];
    return r;
  }
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  ::unlink(out_path.c_str());
  ::unlink(err_path.c_str());
  return r;
}

grpc::Status AcceptPetition(v1::PetitionService::Stub& stub, const std::string& id,
                            const std::string& request_id, const std::string& reason) {
  v1::DecidePetitionRequest decide;
  decide.set_request_id(request_id);
  decide.set_id(id);
  decide.set_expected_version(1);
  decide.set_mode(v1::HANDLING_ACCEPT);
  decide.set_reason(reason);
  grpc::ClientContext ctx;
  v1::PetitionResponse out;
  return stub.DecidePetition(&ctx, decide, &out);
}

std::string TodayText() {
  return absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(8 * 3600)));
}

pid_t SpawnServer(const std::string& data_dir, const std::string& log) {
  std::vector<std::string> args = {BinaryPath("jijian-server"), "--data", data_dir};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

int WaitForServerPort(const std::string& log) {
  std::smatch m;
  std::string text;
  const std::regex port("\\(port (\\d+)\\)");
  for (int i = 0; i < 400 && !std::regex_search(text, m, port); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
    text = ReadFile(log);
  }
  return std::regex_search(text, m, port) ? std::stoi(m[1].str()) : 0;
}

}  // namespace jijian::testing
