// `jijian-server init`: creates a new deployment in a new folder: KEK, data keys, audit
// signing key, CA, the staff port's server certificate (and with a reporter port, the portal's
// own), the first admin and its client profile.
#ifndef JIJIAN_SERVER_INIT_H_
#define JIJIAN_SERVER_INIT_H_

#include <string>

#include "absl/status/statusor.h"

namespace jijian::server {

struct InitOptions {
  std::string data_dir;
  std::string listen = "127.0.0.1:7443";
  std::string kek_path;         // empty: DIR/keys/kek.key
  std::string reporter_listen;  // empty: no reporter port
};

struct InitResult {
  std::string config_path;
  std::string admin_profile_path;
  std::string audit_public_key_hex;
};

// Creates the deployment. ALREADY_EXISTS if data_dir exists (nothing is touched); on any
// other failure the half-made folder is removed.
absl::StatusOr<InitResult> InitDeployment(const InitOptions& options);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_INIT_H_
