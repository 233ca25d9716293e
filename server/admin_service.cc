#include "server/admin_service.h"

#include <algorithm>

#include "storage/rekey.h"

#include "absl/time/clock.h"
#include "server/domain/validate.h"
#include "storage/crypto.h"
#include "storage/users.h"

namespace jijian::server {
namespace {

constexpr char kService[] = "/jijian.v1.AdminService/";
constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxDepartmentChars = 100;
constexpr size_t kMaxCsrBytes = 8192;

std::string Rpc(const char* method) { return std::string(kService) + method; }

void ToProto(const storage::UserRecord& u, v1::User* out) {
  out->set_user_id(u.user_id);
  out->set_display_name(u.display_name);
  out->set_department(u.department);
  absl::StatusOr<std::vector<domain::Role>> roles = domain::ParseRoleList(u.roles);
  if (roles.ok()) {
    for (domain::Role r : *roles) out->add_roles(r);
  }
  out->set_enabled(u.enabled);
  out->set_version(u.version);
  out->set_created_unix_micros(u.created_us);
}

void ToProto(const storage::CertRecord& c, v1::Certificate* out) {
  out->set_serial_hex(c.serial_hex);
  out->set_user_id(c.user_id);
  out->set_fingerprint_sha256(c.fingerprint);
  out->set_not_before_unix(c.not_before);
  out->set_not_after_unix(c.not_after);
  out->set_revoked_unix(c.revoked_at);
  // The same order of checks as the Authenticator: revocation wins over expiry.
  if (c.revoked_at != 0) {
    out->set_status("revoked");
  } else if (absl::ToUnixSeconds(absl::Now()) > c.not_after) {
    out->set_status("expired");
  } else {
    out->set_status("valid");
  }
}

bool IsLowerHex(const std::string& s) {
  return s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

grpc::Status AdminServiceImpl::WhoAmI(grpc::ServerContext* ctx, const v1::WhoAmIRequest*,
                                      v1::WhoAmIResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("WhoAmI"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  ToProto(caller->user, resp->mutable_user());
  resp->set_certificate_fingerprint_sha256(caller->cert_fingerprint);
  resp->set_certificate_serial_hex(caller->cert_serial);
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::AddUser(grpc::ServerContext* ctx, const v1::AddUserRequest* req,
                                       v1::AddUserResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("AddUser"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::vector<domain::Role> roles;
  for (int r : req->roles()) {
    if (!v1::Role_IsValid(r) || r == v1::ROLE_UNSPECIFIED) {
      return ToGrpcStatus(
          absl::InvalidArgumentError("roles: unknown role value " + std::to_string(r)));
    }
    if (std::find(roles.begin(), roles.end(), static_cast<domain::Role>(r)) != roles.end()) {
      return ToGrpcStatus(absl::InvalidArgumentError("roles: each role at most once"));
    }
    roles.push_back(static_cast<domain::Role>(r));
  }
  absl::Status st = domain::CheckRequestId(req->request_id());
  if (st.ok()) st = domain::CheckUserId("user_id", req->user_id());
  if (st.ok()) st = domain::CheckText("display_name", req->display_name(), kMaxNameChars, true);
  if (st.ok()) st = domain::CheckText("department", req->department(), kMaxDepartmentChars, false);
  if (st.ok() && roles.empty())
    st = absl::InvalidArgumentError("roles: at least one role is required");
  if (!st.ok()) return ToGrpcStatus(st);

  storage::UserRecord user{req->user_id(), req->display_name(), req->department(),
                           domain::JoinRoleNames(roles)};
  return RunMutation(
      deps_, *caller, req->request_id(),
      [user](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        if (absl::Status st = storage::InsertUser(txn, user); !st.ok()) return st;
        absl::StatusOr<int64_t> seq = txn.AppendEvent(
            {"user.add", "user", user.user_id, "", "ENABLED", "roles=" + user.roles});
        if (!seq.ok()) return seq.status();
        absl::StatusOr<storage::UserRecord> stored = storage::GetUser(txn.db(), user.user_id);
        if (!stored.ok()) return stored.status();
        v1::AddUserResponse out;
        ToProto(*stored, out.mutable_user());
        return Serialized(out);
      },
      resp);
}

grpc::Status AdminServiceImpl::GetUser(grpc::ServerContext* ctx, const v1::GetUserRequest* req,
                                       v1::GetUserResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("GetUser"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (absl::Status st = domain::CheckUserId("user_id", req->user_id()); !st.ok()) {
    return ToGrpcStatus(st);
  }
  absl::StatusOr<storage::UserRecord> user = deps_.store->Read<storage::UserRecord>(
      [&](storage::Db& db) { return storage::GetUser(db, req->user_id()); });
  if (!user.ok()) return ToGrpcStatus(user.status());
  ToProto(*user, resp->mutable_user());
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListUsers(grpc::ServerContext* ctx, const v1::ListUsersRequest*,
                                         v1::ListUsersResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ListUsers"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::vector<storage::UserRecord>> users =
      deps_.store->Read<std::vector<storage::UserRecord>>(
          [](storage::Db& db) { return storage::ListUsers(db); });
  if (!users.ok()) return ToGrpcStatus(users.status());
  for (const storage::UserRecord& u : *users) ToProto(u, resp->add_users());
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::DisableUser(grpc::ServerContext* ctx,
                                           const v1::DisableUserRequest* req,
                                           v1::DisableUserResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("DisableUser"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = domain::CheckRequestId(req->request_id());
  if (st.ok()) st = domain::CheckUserId("user_id", req->user_id());
  if (st.ok() && req->expected_version() < 1) {
    st = absl::InvalidArgumentError("expected_version: required, the version you last read (>= 1)");
  }
  if (st.ok() && req->user_id() == caller->user.user_id) {
    st = absl::FailedPreconditionError("user_id: an administrator cannot disable themselves");
  }
  if (!st.ok()) return ToGrpcStatus(st);
  const std::string id = req->user_id();
  const int64_t expected = req->expected_version();
  return RunMutation(
      deps_, *caller, req->request_id(),
      [id, expected](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        if (absl::Status st = txn.CheckVersion("users", "user_id", id, expected); !st.ok()) {
          return st;
        }
        absl::StatusOr<storage::UserRecord> before = storage::GetUser(txn.db(), id);
        if (!before.ok()) return before.status();
        if (!before->enabled) {
          return absl::FailedPreconditionError("user " + id + " is already DISABLED");
        }
        if (absl::Status st = storage::SetUserEnabled(txn, id, false); !st.ok()) return st;
        absl::StatusOr<int64_t> seq =
            txn.AppendEvent({"user.disable", "user", id, "ENABLED", "DISABLED", ""});
        if (!seq.ok()) return seq.status();
        absl::StatusOr<storage::UserRecord> after = storage::GetUser(txn.db(), id);
        if (!after.ok()) return after.status();
        v1::DisableUserResponse out;
        ToProto(*after, out.mutable_user());
        return Serialized(out);
      },
      resp);
}

grpc::Status AdminServiceImpl::IssueCertificate(grpc::ServerContext* ctx,
                                                const v1::IssueCertificateRequest* req,
                                                v1::IssueCertificateResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("IssueCertificate"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = domain::CheckRequestId(req->request_id());
  if (st.ok()) st = domain::CheckUserId("user_id", req->user_id());
  if (st.ok() && (req->csr_pem().empty() || req->csr_pem().size() > kMaxCsrBytes)) {
    st =
        absl::InvalidArgumentError("csr_pem: required, a PEM certificate request of at most 8 KiB");
  }
  if (!st.ok()) return ToGrpcStatus(st);
  // Signing happens outside the write transaction; the mutation records the result.
  absl::StatusOr<std::string> pem = SignClientCsr(*deps_.ca, req->csr_pem(), req->user_id(),
                                                  absl::Hours(24 * deps_.config->client_cert_days));
  if (!pem.ok()) return ToGrpcStatus(pem.status());
  absl::StatusOr<CertInfo> info = InspectCert(*pem);
  if (!info.ok()) return ToGrpcStatus(info.status());
  storage::CertRecord cert{info->serial_hex,         req->user_id(),
                           info->fingerprint_sha256, info->not_before_unix,
                           info->not_after_unix,     0,
                           caller->user.user_id,     0};
  v1::IssueCertificateResponse out;
  out.set_certificate_pem(*pem);
  out.set_ca_pem(deps_.ca->cert_pem);
  out.set_server_address(deps_.config->advertise);
  out.set_audit_public_key_hex(storage::ToHex(deps_.store->keyring().audit_public_key()));
  return RunMutation(
      deps_, *caller, req->request_id(),
      [cert, out](storage::WriteTxn& txn) mutable -> absl::StatusOr<std::string> {
        absl::StatusOr<storage::UserRecord> user = storage::GetUser(txn.db(), cert.user_id);
        if (!user.ok()) return user.status();
        if (!user->enabled) {
          return absl::FailedPreconditionError("user " + cert.user_id +
                                               " is DISABLED; certificates are issued only to "
                                               "enabled users");
        }
        if (absl::Status st = storage::InsertCert(txn, cert); !st.ok()) return st;
        absl::StatusOr<int64_t> seq = txn.AppendEvent(
            {"cert.issue", "certificate", cert.serial_hex, "", "VALID", "user=" + cert.user_id});
        if (!seq.ok()) return seq.status();
        ToProto(cert, out.mutable_certificate());
        return Serialized(out);
      },
      resp);
}

grpc::Status AdminServiceImpl::RevokeCertificate(grpc::ServerContext* ctx,
                                                 const v1::RevokeCertificateRequest* req,
                                                 v1::RevokeCertificateResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RevokeCertificate"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = domain::CheckRequestId(req->request_id());
  if (st.ok() && req->serial_hex().empty() == req->user_id().empty()) {
    st = absl::InvalidArgumentError(
        "serial_hex, user_id: exactly one is required (one certificate, or all of a user's)");
  }
  if (st.ok() && !req->serial_hex().empty() &&
      (req->serial_hex().size() > 64 || !IsLowerHex(req->serial_hex()))) {
    st = absl::InvalidArgumentError("serial_hex: lowercase hex of at most 64 digits");
  }
  if (st.ok() && !req->user_id().empty()) st = domain::CheckUserId("user_id", req->user_id());
  if (!st.ok()) return ToGrpcStatus(st);
  const std::string serial = req->serial_hex();
  const std::string user_id = req->user_id();
  return RunMutation(
      deps_, *caller, req->request_id(),
      [serial, user_id](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        std::vector<storage::CertRecord> targets;
        const int64_t now = txn.now_us() / 1000000;
        if (!serial.empty()) {
          absl::StatusOr<storage::CertRecord> cert = storage::GetCertBySerial(txn.db(), serial);
          if (!cert.ok()) return cert.status();
          if (cert->revoked_at != 0) {
            return absl::FailedPreconditionError("certificate " + serial + " is already REVOKED");
          }
          targets.push_back(*std::move(cert));
        } else {
          if (absl::StatusOr<storage::UserRecord> user = storage::GetUser(txn.db(), user_id);
              !user.ok()) {
            return user.status();
          }
          absl::StatusOr<std::vector<storage::CertRecord>> certs =
              storage::ListCerts(txn.db(), user_id);
          if (!certs.ok()) return certs.status();
          // Expired certificates are refused anyway; revoking them would only add noise.
          for (storage::CertRecord& c : *certs) {
            if (c.revoked_at == 0 && c.not_after >= now) targets.push_back(std::move(c));
          }
          if (targets.empty()) {
            return absl::FailedPreconditionError("user " + user_id +
                                                 " has no valid certificate to revoke");
          }
        }
        v1::RevokeCertificateResponse out;
        for (storage::CertRecord& cert : targets) {
          if (absl::Status st = storage::RevokeCert(txn, cert.serial_hex, now); !st.ok()) {
            return st;
          }
          absl::StatusOr<int64_t> seq =
              txn.AppendEvent({"cert.revoke", "certificate", cert.serial_hex, "VALID", "REVOKED",
                               "user=" + cert.user_id});
          if (!seq.ok()) return seq.status();
          cert.revoked_at = now;
          ToProto(cert, out.add_revoked());
        }
        *out.mutable_certificate() = out.revoked(0);
        return Serialized(out);
      },
      resp);
}

grpc::Status AdminServiceImpl::ListCertificates(grpc::ServerContext* ctx,
                                                const v1::ListCertificatesRequest* req,
                                                v1::ListCertificatesResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ListCertificates"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (!req->user_id().empty()) {
    if (absl::Status st = domain::CheckUserId("user_id", req->user_id()); !st.ok()) {
      return ToGrpcStatus(st);
    }
  }
  const std::string user_id = req->user_id();
  absl::StatusOr<std::vector<storage::CertRecord>> certs =
      deps_.store->Read<std::vector<storage::CertRecord>>(
          [&](storage::Db& db) -> absl::StatusOr<std::vector<storage::CertRecord>> {
            if (!user_id.empty()) {
              if (absl::StatusOr<storage::UserRecord> u = storage::GetUser(db, user_id); !u.ok()) {
                return u.status();
              }
            }
            return storage::ListCerts(db, user_id);
          });
  if (!certs.ok()) return ToGrpcStatus(certs.status());
  for (const storage::CertRecord& c : *certs) ToProto(c, resp->add_certificates());
  return grpc::Status::OK;
}

namespace {

void RotationToProto(const storage::KeyRotation& r, v1::KeyRotation* out) {
  out->set_key_id(r.key_id);
  out->set_domain(r.domain);
  out->set_replaced_key_id(r.replaced_key_id);
  out->set_requested_by(r.requested_by);
  out->set_started_unix_micros(r.started_us);
  out->set_finished_unix_micros(r.finished_us);
  out->set_resealed(r.resealed);
  out->set_position(r.position);
}

}  // namespace

grpc::Status AdminServiceImpl::RotateDataKey(grpc::ServerContext* ctx,
                                             const v1::RotateDataKeyRequest* req,
                                             v1::RotateDataKeyResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("RotateDataKey"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<storage::KeyDomain> domain = storage::ParseKeyDomain(req->domain());
  if (!domain.ok()) {
    return ToGrpcStatus(
        absl::InvalidArgumentError("domain: must be identity, content or index"));
  }
  absl::StatusOr<std::string> key = storage::RotateDataKey(*deps_.store, caller->actor(), *domain);
  if (!key.ok()) return ToGrpcStatus(key.status());
  absl::StatusOr<std::vector<storage::KeyRotation>> all =
      deps_.store->Read<std::vector<storage::KeyRotation>>(storage::ListKeyRotations);
  if (!all.ok()) return ToGrpcStatus(all.status());
  for (const storage::KeyRotation& r : *all) {
    if (r.key_id == *key) RotationToProto(r, resp->mutable_rotation());
  }
  return grpc::Status::OK;
}

grpc::Status AdminServiceImpl::ListKeyRotations(grpc::ServerContext* ctx,
                                                const v1::ListKeyRotationsRequest*,
                                                v1::ListKeyRotationsResponse* resp) {
  absl::StatusOr<Caller> caller = deps_.auth->Authorize(*ctx, Rpc("ListKeyRotations"));
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::vector<storage::KeyRotation>> all =
      deps_.store->Read<std::vector<storage::KeyRotation>>(storage::ListKeyRotations);
  if (!all.ok()) return ToGrpcStatus(all.status());
  for (const storage::KeyRotation& r : *all) RotationToProto(r, resp->add_rotations());
  return grpc::Status::OK;
}

}  // namespace jijian::server
