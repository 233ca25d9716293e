// Authentication (the verified client certificate → a user of this deployment) and
// authorization (the policy table) for every staff RPC.
#ifndef JIJIAN_SERVER_AUTH_H_
#define JIJIAN_SERVER_AUTH_H_

#include <grpcpp/server_context.h>

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "server/domain/roles.h"
#include "storage/store.h"
#include "storage/users.h"

namespace jijian::server {

// The authenticated caller of one RPC.
struct Caller {
  storage::UserRecord user;
  std::vector<domain::Role> roles;
  domain::Role acting_role = v1::ROLE_UNSPECIFIED;  // the role the policy allowed the call under
  std::string cert_fingerprint;
  std::string cert_serial;

  // The actor recorded in audit events.
  storage::Actor actor() const;
};

// Thread-safe; holds a borrowed store that must outlive it.
class Authenticator {
 public:
  explicit Authenticator(storage::Store* store) : store_(store) {}

  // Identifies the caller from the TLS peer certificate (already verified against the CA
  // by the transport) and checks the policy row of rpc. UNAUTHENTICATED for a missing,
  // unknown, revoked or expired certificate; PERMISSION_DENIED for a disabled user or a
  // role the policy does not allow.
  absl::StatusOr<Caller> Authorize(const grpc::ServerContext& context, std::string_view rpc) const;

 private:
  storage::Store* store_;
};

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_AUTH_H_
