// What every `jijian` command shares: global flags, output streams, the channel, request
// ids, deadlines and the one-line error report.
#ifndef JIJIAN_CLIENT_CLI_SUPPORT_H_
#define JIJIAN_CLIENT_CLI_SUPPORT_H_

#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "client/profile.h"

namespace jijian::client {

// Everything a command needs: the parsed global flags, the streams, and the channel.
struct Env {
  std::string profile_flag;
  bool json = false;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  Profile profile;
  std::shared_ptr<grpc::Channel> channel;
  // Set by `jijian reporter`: dial the reporter port with server TLS only, no profile.
  bool reporter_port = false;
  std::string endpoint;  // HOST:PORT
  std::string ca_file;   // PEM of the CA that signed the portal's certificate; empty: gRPC's roots
};

// The command chosen on the command line, run after parsing and connecting.
using Action = std::function<int()>;

// A fresh random client request id (32 hex digits).
std::string NewRequestId();

// Sets the per-call deadline.
void SetDeadline(grpc::ClientContext& ctx);

// Prints "jijian: CODE: message" on one line (and on the reporter port without --ca, a second
// line saying to give --ca when the certificate did not verify) and returns the exit code 1.
int Report(Env& env, const grpc::Status& st);
// Prints "jijian: message" on one line and returns the exit code 1.
int Report(Env& env, const absl::Status& st);

// Loads the profile and opens a mutual-TLS channel to its server.
absl::Status Connect(Env& env);
// Opens a server-TLS channel (no client certificate) to env.endpoint, trusting env.ca_file, or
// gRPC's default roots when it is empty.
absl::Status ConnectReporterPort(Env& env);

// Role names as the CLI spells them ("case-manager") from the proto enum.
std::string RoleName(int role);
bool ParseRoleName(const std::string& text, int* role);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_CLI_SUPPORT_H_
