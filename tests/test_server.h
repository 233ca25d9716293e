// Test support: a real deployment (init on a fresh temp folder) served in-process on
// 127.0.0.1 with a kernel-chosen port, real mutual TLS, and helpers to add users and get
// channels authenticated as them. Also runs the built binaries as subprocesses.
#ifndef JIJIAN_TESTS_TEST_SERVER_H_
#define JIJIAN_TESTS_TEST_SERVER_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/profile.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "server/server.h"

namespace jijian::testing {

// A fresh temporary folder path (not created).
std::string NewTempPath(const std::string& stem);

class TestDeployment {
 public:
  // Adjusts the configuration read from server.toml before the server starts.
  using Configure = std::function<void(server::ServerConfig&)>;

  // Runs `init` (with a reporter port on 127.0.0.1:0) into a new temp folder and starts the
  // server in-process. Unless configure says otherwise, the reporter port's rate limits are
  // generous so that tests not about them never meet them.
  static std::unique_ptr<TestDeployment> Start(Configure configure = nullptr);
  ~TestDeployment();

  std::string address() const;
  const std::string& data_dir() const { return data_dir_; }
  server::JijianServer& server() { return *server_; }
  // The admin's profile with the live address.
  const std::string& admin_profile() const { return admin_profile_; }

  // Adds user with roles (comma-separated names) through the admin RPCs, issues a certificate
  // from a client-made key, and returns the path of its profile.
  std::string AddUser(const std::string& user_id, const std::string& roles);

  // A mutual-TLS channel using the certificate and key of a profile.
  std::shared_ptr<grpc::Channel> Channel(const std::string& profile_path) const;
  static std::shared_ptr<grpc::Channel> Channel(const client::Profile& profile);

  // Stops the in-process server (drains) so the files can be inspected or reopened.
  void Stop();
  // Starts the server again from server.toml as it is now on disk (after Stop()).
  bool Restart();
  // Stops the server, moves the database file to path (e.g. onto a small file system),
  // points server.toml's `database` at it and starts again; the admin profile follows the
  // new address (profiles made before keep the old one).
  bool MoveDatabase(const std::string& path);

  // The reporter port's address and a server-TLS channel to it (no client certificate).
  std::string reporter_address() const;
  std::shared_ptr<grpc::Channel> ReporterChannel() const;
  // The deployment's CA certificate file (what `jijian reporter --ca` takes).
  std::string ca_path() const { return data_dir_ + "/pki/ca.crt"; }

  // How many events the audit log holds, read from the server's store.
  int64_t AuditLogSize();

 private:
  std::string data_dir_;
  std::string admin_profile_;
  Configure configure_;
  std::unique_ptr<server::JijianServer> server_;
};

// Result of running a command.
struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs a built binary ("jijian" or "jijian-server") with args and returns its output.
CommandResult RunBinary(const std::string& name, const std::vector<std::string>& args);

// Path of a built binary (from JIJIAN_BIN_DIR, set by CTest).
std::string BinaryPath(const std::string& name);

// Reads a whole file ("" if missing).
std::string ReadFile(const std::string& path);

// Starts jijian-server --data data_dir as a separate process, stdout and stderr to log.
pid_t SpawnServer(const std::string& data_dir, const std::string& log);
// Waits (bounded, about 10 s) for the server's "(port N)" line in log; returns N or 0.
int WaitForServerPort(const std::string& log);

// Decides the registered petition id (version 1) for acceptance at this level (本级受理)
// with reason, as the registrar behind stub.
grpc::Status AcceptPetition(v1::PetitionService::Stub& stub, const std::string& id,
                            const std::string& request_id, const std::string& reason = "本级受理");

// The deadline called name among a petition's or a lead's, or nullptr.
template <typename Message>
const v1::Deadline* FindDeadline(const Message& m, const std::string& name) {
  for (const v1::Deadline& d : m.deadlines()) {
    if (d.name() == name) return &d;
  }
  return nullptr;
}

// Today where the commission works (UTC+8) as YYYY-MM-DD, as the server sees it.
std::string TodayText();

}  // namespace jijian::testing

#endif  // JIJIAN_TESTS_TEST_SERVER_H_
