#include "server/auth.h"

#include <grpc/grpc_security_constants.h>

#include "absl/time/clock.h"
#include "server/domain/policy.h"
#include "server/pki.h"

namespace jijian::server {

storage::Actor Caller::actor() const {
  return storage::Actor{user.user_id, std::string(domain::RoleName(acting_role)), cert_fingerprint};
}

absl::StatusOr<Caller> Authenticator::Authorize(const grpc::ServerContext& context,
                                                std::string_view rpc) const {
  std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  std::vector<grpc::string_ref> pems =
      auth ? auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME)
           : std::vector<grpc::string_ref>();
  if (pems.empty()) {
    return absl::UnauthenticatedError("no client certificate was presented");
  }
  // The TLS handshake has verified the certificate against the deployment's CA; what is
  // left is to find whose it is, by fingerprint. Parsing it fully is left to the rare refusal
  // that names its serial number.
  const std::string_view pem(pems[0].data(), pems[0].size());
  absl::StatusOr<std::string> fingerprint = CertFingerprint(pem);
  if (!fingerprint.ok()) {
    return absl::UnauthenticatedError("the client certificate could not be read");
  }

  Caller caller;
  caller.cert_fingerprint = *fingerprint;
  absl::Status found =
      store_
          ->Read<int>([&](storage::Db& db) -> absl::StatusOr<int> {
            absl::StatusOr<storage::CertRecord> cert =
                storage::GetCertByFingerprint(db, caller.cert_fingerprint);
            if (!cert.ok()) {
              if (cert.status().code() != absl::StatusCode::kNotFound) return cert.status();
              absl::StatusOr<CertInfo> info = InspectCert(pem);
              return absl::UnauthenticatedError(
                  "client certificate " + (info.ok() ? info->serial_hex : *fingerprint) +
                  " was not issued to any user of this deployment");
            }
            if (cert->revoked_at != 0) {
              return absl::UnauthenticatedError("client certificate " + cert->serial_hex +
                                                " has been revoked");
            }
            if (absl::ToUnixSeconds(absl::Now()) > cert->not_after) {
              return absl::UnauthenticatedError("client certificate " + cert->serial_hex +
                                                " has expired");
            }
            caller.cert_serial = cert->serial_hex;
            absl::StatusOr<storage::UserRecord> user = storage::GetUser(db, cert->user_id);
            if (!user.ok()) return user.status();
            caller.user = *std::move(user);
            return 0;
          })
          .status();
  if (!found.ok()) return found;
  if (!caller.user.enabled) {
    return absl::PermissionDeniedError("user " + caller.user.user_id + " is disabled");
  }
  absl::StatusOr<std::vector<domain::Role>> roles = domain::ParseRoleList(caller.user.roles);
  if (!roles.ok()) return absl::InternalError("user " + caller.user.user_id + " has bad roles");
  caller.roles = *std::move(roles);
  absl::StatusOr<domain::Role> acting = domain::AuthorizeRpc(rpc, caller.roles);
  if (!acting.ok()) return acting.status();
  caller.acting_role = *acting;
  return caller;
}

}  // namespace jijian::server
