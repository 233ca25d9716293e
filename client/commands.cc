#include "client/commands.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "client/csr.h"
#include "client/output.h"
#include "client/profile.h"
#include "jijian/v1/admin.grpc.pb.h"

namespace jijian::client {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(30);

// Everything a command needs: the parsed global flags, the streams, and the channel.
struct Env {
  std::string profile_flag;
  bool json = false;
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  Profile profile;
  std::shared_ptr<grpc::Channel> channel;
};

// "case-manager" <-> ROLE_CASE_MANAGER, from the proto enum itself.
std::string RoleName(int role) {
  std::string name = v1::Role_Name(static_cast<v1::Role>(role));
  if (name.rfind("ROLE_", 0) == 0) name = name.substr(5);
  std::replace(name.begin(), name.end(), '_', '-');
  return absl::AsciiStrToLower(name);
}

bool ParseRoleName(const std::string& text, v1::Role* role) {
  std::string name = absl::AsciiStrToUpper(text);
  std::replace(name.begin(), name.end(), '-', '_');
  return v1::Role_Parse("ROLE_" + name, role) && *role != v1::ROLE_UNSPECIFIED;
}

std::string JoinRoles(const v1::User& u) {
  std::string out;
  for (int r : u.roles()) out += (out.empty() ? "" : ",") + RoleName(r);
  return out;
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

// Prints "jijian: CODE: message" and returns the exit code 1.
int Report(Env& env, const grpc::Status& st) {
  static const char* kCodes[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
                                 "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                                 "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                                 "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
  int code = st.error_code();
  std::string msg = st.error_message();
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  *env.err << "jijian: " << (code >= 0 && code <= 16 ? kCodes[code] : "UNKNOWN") << ": " << msg
           << "\n";
  return 1;
}

int Report(Env& env, const absl::Status& st) {
  *env.err << "jijian: " << st.message() << "\n";
  return 1;
}

// Loads the profile and opens a mutual-TLS channel to its server.
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

void PrintUser(Env& env, const v1::User& u) {
  PrintTable(*env.out, {"USER", "NAME", "DEPARTMENT", "ROLES", "STATE", "VERSION"},
             {{u.user_id(), u.display_name(), u.department().empty() ? "-" : u.department(),
               JoinRoles(u), u.enabled() ? "enabled" : "disabled", std::to_string(u.version())}});
}

int WhoAmI(Env& env) {
  auto stub = v1::AdminService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::WhoAmIResponse resp;
  grpc::Status st = stub->WhoAmI(&ctx, v1::WhoAmIRequest(), &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  const v1::User& u = resp.user();
  *env.out << "user:        " << u.user_id() << "\n"
           << "name:        " << u.display_name() << "\n"
           << "department:  " << (u.department().empty() ? "-" : u.department()) << "\n"
           << "roles:       " << JoinRoles(u) << "\n"
           << "certificate: " << resp.certificate_serial_hex() << " (sha256 "
           << resp.certificate_fingerprint_sha256() << ")\n";
  return 0;
}

struct AddUserArgs {
  std::string user, name, roles, dept;
};

int AddUser(Env& env, const AddUserArgs& a) {
  v1::AddUserRequest req;
  req.set_request_id(NewRequestId());
  req.set_user_id(a.user);
  req.set_display_name(a.name);
  req.set_department(a.dept);
  for (absl::string_view part : absl::StrSplit(a.roles, ',', absl::SkipWhitespace())) {
    v1::Role role;
    std::string name(absl::StripAsciiWhitespace(part));
    if (!ParseRoleName(name, &role)) {
      return Report(env, absl::InvalidArgumentError(
                             "--role: unknown role \"" + name +
                             "\"; one of registrar, case-manager, inspector, reviewer, leader, "
                             "auditor, admin"));
    }
    req.add_roles(role);
  }
  auto stub = v1::AdminService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::AddUserResponse resp;
  grpc::Status st = stub->AddUser(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    PrintUser(env, resp.user());
  }
  return 0;
}

int ListUsers(Env& env) {
  auto stub = v1::AdminService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::ListUsersResponse resp;
  grpc::Status st = stub->ListUsers(&ctx, v1::ListUsersRequest(), &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::User& u : resp.users()) {
    rows.push_back({u.user_id(), u.display_name(), u.department().empty() ? "-" : u.department(),
                    JoinRoles(u), u.enabled() ? "enabled" : "disabled",
                    std::to_string(u.version())});
  }
  PrintTable(*env.out, {"USER", "NAME", "DEPARTMENT", "ROLES", "STATE", "VERSION"}, rows);
  return 0;
}

int DisableUser(Env& env, const std::string& user) {
  auto stub = v1::AdminService::NewStub(env.channel);
  // Read the current version first: the server refuses a stale one (ABORTED).
  v1::GetUserRequest get;
  get.set_user_id(user);
  v1::GetUserResponse current;
  {
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    grpc::Status st = stub->GetUser(&ctx, get, &current);
    if (!st.ok()) return Report(env, st);
  }
  v1::DisableUserRequest req;
  req.set_request_id(NewRequestId());
  req.set_user_id(user);
  req.set_expected_version(current.user().version());
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::DisableUserResponse resp;
  grpc::Status st = stub->DisableUser(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    PrintUser(env, resp.user());
  }
  return 0;
}

int IssueCert(Env& env, const std::string& user, const std::string& out_path) {
  if (std::ifstream(out_path).good()) {
    return Report(env, absl::AlreadyExistsError("--out: " + out_path + " already exists"));
  }
  // The key is made here and never leaves this machine; the server signs the request.
  absl::StatusOr<KeyAndCsr> csr = GenerateKeyAndCsr(user);
  if (!csr.ok()) return Report(env, csr.status());
  v1::IssueCertificateRequest req;
  req.set_request_id(NewRequestId());
  req.set_user_id(user);
  req.set_csr_pem(csr->csr_pem);
  auto stub = v1::AdminService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::IssueCertificateResponse resp;
  grpc::Status st = stub->IssueCertificate(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  Profile profile{"",          resp.server_address(), user,        resp.audit_public_key_hex(),
                  resp.ca_pem(), resp.certificate_pem(), csr->key_pem};
  if (absl::Status w = WriteProfile(profile, out_path); !w.ok()) return Report(env, w);
  if (env.json) {
    PrintJson(*env.out, resp.certificate());
    return 0;
  }
  *env.out << "issued certificate " << resp.certificate().serial_hex() << " to " << user
           << "\nprofile written to " << out_path << " (mode 0600; hand it to " << user
           << " privately)\n";
  return 0;
}

int RevokeCert(Env& env, const std::string& serial) {
  v1::RevokeCertificateRequest req;
  req.set_request_id(NewRequestId());
  req.set_serial_hex(absl::AsciiStrToLower(serial));
  auto stub = v1::AdminService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::RevokeCertificateResponse resp;
  grpc::Status st = stub->RevokeCertificate(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    *env.out << "revoked certificate " << resp.certificate().serial_hex() << " of "
             << resp.certificate().user_id() << "\n";
  }
  return 0;
}

}  // namespace

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Env env;
  env.out = &out;
  env.err = &err;
  CLI::App app{"jijian: staff client for petitions, leads, cases and the audit log (纪检)"};
  app.require_subcommand(1);
  app.add_option("--profile", env.profile_flag,
                 "client profile (default $JIJIAN_PROFILE, then ~/.config/jijian/profile.toml)");
  app.add_flag("--json", env.json, "print the response as protobuf JSON");

  std::function<int()> action;
  app.add_subcommand("whoami", "show who the server takes you for")
      ->callback([&] { action = [&] { return WhoAmI(env); }; });

  CLI::App* admin = app.add_subcommand("admin", "users and certificates (admin role)");
  admin->require_subcommand(1);
  CLI::App* user = admin->add_subcommand("user", "staff users");
  user->require_subcommand(1);
  AddUserArgs add;
  CLI::App* add_cmd = user->add_subcommand("add", "add a user");
  add_cmd->add_option("USER", add.user, "user id (a-z, 0-9, . _ -)")->required();
  add_cmd->add_option("--name", add.name, "display name")->required();
  add_cmd->add_option("--role", add.roles,
                      "roles, comma-separated: registrar, case-manager, inspector, reviewer, "
                      "leader, auditor, admin")
      ->required();
  add_cmd->add_option("--dept", add.dept, "department");
  add_cmd->callback([&] { action = [&] { return AddUser(env, add); }; });
  user->add_subcommand("list", "list users")->callback([&] {
    action = [&] { return ListUsers(env); };
  });
  std::string disable_id;
  CLI::App* disable_cmd = user->add_subcommand("disable", "disable a user");
  disable_cmd->add_option("USER", disable_id, "user id")->required();
  disable_cmd->callback([&] { action = [&] { return DisableUser(env, disable_id); }; });

  CLI::App* cert = admin->add_subcommand("cert", "client certificates");
  cert->require_subcommand(1);
  std::string issue_user, issue_out;
  CLI::App* issue_cmd = cert->add_subcommand("issue", "issue a certificate and write a profile");
  issue_cmd->add_option("USER", issue_user, "user id")->required();
  issue_cmd->add_option("--out", issue_out, "profile file to write (must not exist)")->required();
  issue_cmd->callback([&] { action = [&] { return IssueCert(env, issue_user, issue_out); }; });
  std::string revoke_serial;
  CLI::App* revoke_cmd = cert->add_subcommand("revoke", "revoke a certificate by serial");
  revoke_cmd->add_option("SERIAL", revoke_serial, "certificate serial (hex)")->required();
  revoke_cmd->callback([&] { action = [&] { return RevokeCert(env, revoke_serial); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, out, err);  // --help
    err << "jijian: " << e.what() << "\n";
    return 2;
  }
  if (!action) return 2;
  if (absl::Status st = Connect(env); !st.ok()) return Report(env, st);
  return action();
}

}  // namespace jijian::client
