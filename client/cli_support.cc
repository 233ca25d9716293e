#include "client/cli_support.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "jijian/v1/common.pb.h"

namespace jijian::client {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(30);

}  // namespace

// "case-manager" <-> ROLE_CASE_MANAGER, from the proto enum itself.
std::string RoleName(int role) {
  std::string name = v1::Role_Name(static_cast<v1::Role>(role));
  if (name.rfind("ROLE_", 0) == 0) name = name.substr(5);
  std::replace(name.begin(), name.end(), '_', '-');
  return absl::AsciiStrToLower(name);
}

bool ParseRoleName(const std::string& text, int* role) {
  std::string name = absl::AsciiStrToUpper(text);
  std::replace(name.begin(), name.end(), '-', '_');
  v1::Role parsed;
  if (!v1::Role_Parse("ROLE_" + name, &parsed) || parsed == v1::ROLE_UNSPECIFIED) return false;
  *role = parsed;
  return true;
}

std::string NewRequestId() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return "";
  static const char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : raw) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

void SetDeadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
}

int Report(Env& env, const grpc::Status& st) {
  static const char* kCodes[] = {"OK",
                                 "CANCELLED",
                                 "UNKNOWN",
                                 "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED",
                                 "NOT_FOUND",
                                 "ALREADY_EXISTS",
                                 "PERMISSION_DENIED",
                                 "RESOURCE_EXHAUSTED",
                                 "FAILED_PRECONDITION",
                                 "ABORTED",
                                 "OUT_OF_RANGE",
                                 "UNIMPLEMENTED",
                                 "INTERNAL",
                                 "UNAVAILABLE",
                                 "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  int code = st.error_code();
  std::string msg = st.error_message();
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  *env.err << "jijian: " << (code >= 0 && code <= 16 ? kCodes[code] : "UNKNOWN") << ": " << msg
           << "\n";
  if (env.reporter_port && env.ca_file.empty() &&
      msg.find("certificate verify failed") != std::string::npos) {
    *env.err << "jijian: the portal's certificate is not from a CA trusted by default; give the "
                "CA that signed it with --ca FILE\n";
  }
  return 1;
}

int Report(Env& env, const absl::Status& st) {
  *env.err << "jijian: " << st.message() << "\n";
  return 1;
}

absl::Status Connect(Env& env) {
  absl::StatusOr<std::string> path = ResolveProfilePath(env.profile_flag);
  if (!path.ok()) return path.status();
  absl::StatusOr<Profile> profile = LoadProfile(*path);
  if (!profile.ok()) return profile.status();
  env.profile = *std::move(profile);
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = env.profile.ca_pem;
  tls.pem_private_key = env.profile.key_pem;
  tls.pem_cert_chain = env.profile.cert_pem;
  env.channel = grpc::CreateChannel(env.profile.server, grpc::SslCredentials(tls));
  return absl::OkStatus();
}

absl::Status ConnectReporterPort(Env& env) {
  if (env.endpoint.empty()) return absl::InvalidArgumentError("--endpoint: required, HOST:PORT");
  grpc::SslCredentialsOptions tls;
  if (env.ca_file.empty()) {
    // A portal whose certificate comes from a public CA: gRPC's default trust roots
    // (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, else the bundled public roots).
    env.channel = grpc::CreateChannel(env.endpoint, grpc::SslCredentials(tls));
    return absl::OkStatus();
  }
  std::ifstream in(env.ca_file, std::ios::binary);
  if (!in) return absl::NotFoundError("--ca: cannot read " + env.ca_file);
  std::stringstream pem;
  pem << in.rdbuf();
  if (pem.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return absl::InvalidArgumentError("--ca: " + env.ca_file + " holds no PEM certificate");
  }
  tls.pem_root_certs = pem.str();
  env.channel = grpc::CreateChannel(env.endpoint, grpc::SslCredentials(tls));
  return absl::OkStatus();
}

}  // namespace jijian::client
