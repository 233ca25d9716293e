#include "client/admin_commands.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "client/csr.h"
#include "client/output.h"
#include "jijian/v1/admin.grpc.pb.h"

namespace jijian::client {
namespace {

std::string JoinRoles(const v1::User& u) {
  std::string out;
  for (int r : u.roles()) out += (out.empty() ? "" : ",") + RoleName(r);
  return out;
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
    int role = 0;
    std::string name(absl::StripAsciiWhitespace(part));
    if (!ParseRoleName(name, &role)) {
      return Report(env, absl::InvalidArgumentError(
                             "--role: unknown role \"" + name +
                             "\"; one of registrar, case-manager, inspector, reviewer, leader, "
                             "auditor, admin"));
    }
    req.add_roles(static_cast<v1::Role>(role));
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
  Profile profile{"",
                  resp.server_address(),
                  user,
                  resp.audit_public_key_hex(),
                  resp.ca_pem(),
                  resp.certificate_pem(),
                  csr->key_pem};
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

// A certificate serial is 128 random bits: hex of more than 16 digits (colons and upper case
// accepted). Anything else is taken for a user id.
bool LooksLikeSerial(const std::string& text, std::string* serial) {
  std::string hex;
  for (char c : text) {
    if (c == ':') continue;
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
    hex.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() <= 16) return false;
  *serial = hex;
  return true;
}

std::string UtcTime(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%SZ", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

int RevokeCert(Env& env, const std::string& target) {
  v1::RevokeCertificateRequest req;
  req.set_request_id(NewRequestId());
  std::string serial;
  if (LooksLikeSerial(target, &serial)) {
    req.set_serial_hex(serial);
  } else {
    req.set_user_id(target);
  }
  auto stub = v1::AdminService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::RevokeCertificateResponse resp;
  grpc::Status st = stub->RevokeCertificate(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    for (const v1::Certificate& c : resp.revoked()) {
      *env.out << "revoked certificate " << c.serial_hex() << " of " << c.user_id() << "\n";
    }
  }
  return 0;
}

int ListCerts(Env& env, const std::string& user) {
  v1::ListCertificatesRequest req;
  req.set_user_id(user);
  auto stub = v1::AdminService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::ListCertificatesResponse resp;
  grpc::Status st = stub->ListCertificates(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::Certificate& c : resp.certificates()) {
    rows.push_back({c.serial_hex(), c.user_id(), UtcTime(c.not_before_unix()),
                    UtcTime(c.not_after_unix()), c.status()});
  }
  PrintTable(*env.out, {"SERIAL", "USER", "NOT-BEFORE", "NOT-AFTER", "STATUS"}, rows);
  return 0;
}

void PrintRotations(Env& env, const google::protobuf::RepeatedPtrField<v1::KeyRotation>& all) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::KeyRotation& r : all) {
    rows.push_back({r.key_id(), r.domain(), r.replaced_key_id(), r.requested_by(),
                    UtcTime(r.started_unix_micros() / 1000000), std::to_string(r.resealed()),
                    r.finished_unix_micros() == 0 ? "resealing (" + r.position() + ")"
                                                  : "done " + UtcTime(r.finished_unix_micros() /
                                                                      1000000)});
  }
  PrintTable(*env.out, {"KEY", "DOMAIN", "REPLACES", "BY", "STARTED", "RESEALED", "STATUS"}, rows);
}

int RotateKey(Env& env, const std::string& domain) {
  v1::RotateDataKeyRequest req;
  req.set_domain(domain);
  auto stub = v1::AdminService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::RotateDataKeyResponse resp;
  grpc::Status st = stub->RotateDataKey(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  if (domain == "index") {
    *env.out << "new index key " << resp.rotation().key_id()
             << " digests every new value; stored digests are carried forward in the "
                "background (jijian admin key list)\n";
  } else {
    *env.out << "new " << domain << " key " << resp.rotation().key_id()
             << " seals every new value; stored values are resealed in the background "
                "(jijian admin key list)\n";
  }
  return 0;
}

int ListKeys(Env& env) {
  auto stub = v1::AdminService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::ListKeyRotationsResponse resp;
  grpc::Status st = stub->ListKeyRotations(&ctx, v1::ListKeyRotationsRequest(), &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  PrintRotations(env, resp.rotations());
  return 0;
}

// Arguments of the admin commands; they must outlive parsing, so they live here.
struct AdminArgs {
  AddUserArgs add;
  std::string disable_id;
  std::string issue_user;
  std::string issue_out;
  std::string revoke_target;
  std::string list_user;
  std::string key_domain;
};

}  // namespace

std::shared_ptr<void> AddAdminCommands(CLI::App& app, Env& env, Action& action) {
  auto holder = std::make_shared<AdminArgs>();
  AdminArgs* a = holder.get();
  app.add_subcommand("whoami", "show who the server takes you for")->callback([&env, &action, a] {
    action = [&env, a] { return WhoAmI(env); };
  });

  CLI::App* admin = app.add_subcommand("admin", "users and certificates (admin role)");
  admin->require_subcommand(1);
  CLI::App* user = admin->add_subcommand("user", "staff users");
  user->require_subcommand(1);
  CLI::App* add_cmd = user->add_subcommand("add", "add a user");
  add_cmd->add_option("USER", a->add.user, "user id (a-z, 0-9, . _ -)")->required();
  add_cmd->add_option("--name", a->add.name, "display name")->required();
  add_cmd
      ->add_option("--role", a->add.roles,
                   "roles, comma-separated: registrar, case-manager, inspector, reviewer, "
                   "leader, auditor, admin")
      ->required();
  add_cmd->add_option("--dept", a->add.dept, "department");
  add_cmd->callback([&env, &action, a] { action = [&env, a] { return AddUser(env, a->add); }; });
  user->add_subcommand("list", "list users")->callback([&env, &action] {
    action = [&env] { return ListUsers(env); };
  });
  CLI::App* disable_cmd = user->add_subcommand("disable", "disable a user");
  disable_cmd->add_option("USER", a->disable_id, "user id")->required();
  disable_cmd->callback(
      [&env, &action, a] { action = [&env, a] { return DisableUser(env, a->disable_id); }; });

  CLI::App* cert = admin->add_subcommand("cert", "client certificates");
  cert->require_subcommand(1);
  CLI::App* issue_cmd = cert->add_subcommand("issue", "issue a certificate and write a profile");
  issue_cmd->add_option("USER", a->issue_user, "user id")->required();
  issue_cmd->add_option("--out", a->issue_out, "profile file to write (must not exist)")
      ->required();
  issue_cmd->callback([&env, &action, a] {
    action = [&env, a] { return IssueCert(env, a->issue_user, a->issue_out); };
  });
  CLI::App* revoke_cmd = cert->add_subcommand(
      "revoke", "revoke one certificate (by serial) or every valid one of a user");
  revoke_cmd
      ->add_option("USER|SERIAL", a->revoke_target,
                   "a user id, or a certificate serial (hex, more than 16 digits)")
      ->required();
  revoke_cmd->callback(
      [&env, &action, a] { action = [&env, a] { return RevokeCert(env, a->revoke_target); }; });
  CLI::App* list_cmd = cert->add_subcommand("list", "certificates and their validity");
  list_cmd->add_option("--user", a->list_user, "only this user's");
  list_cmd->callback(
      [&env, &action, a] { action = [&env, a] { return ListCerts(env, a->list_user); }; });

  CLI::App* key = admin->add_subcommand("key", "data keys (encryption at rest)");
  key->require_subcommand(1);
  CLI::App* rotate_cmd = key->add_subcommand(
      "rotate", "new data key for a domain; stored values are resealed in the background");
  rotate_cmd->add_option("--domain", a->key_domain, "identity|content|index")->required();
  rotate_cmd->callback(
      [&env, &action, a] { action = [&env, a] { return RotateKey(env, a->key_domain); }; });
  key->add_subcommand("list", "data-key rotations and their progress")->callback([&env, &action] {
    action = [&env] { return ListKeys(env); };
  });

  return holder;
}

}  // namespace jijian::client
