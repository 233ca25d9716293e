// `jijian-server rotate-kek`: rewraps every data key of a stopped deployment under a new
// key-encryption key, then points server.toml at the new key file.
#ifndef JIJIAN_SERVER_ROTATE_KEK_H_
#define JIJIAN_SERVER_ROTATE_KEK_H_

#include <string>

#include "absl/status/statusor.h"

namespace jijian::server {

struct RotateKekOptions {
  std::string data_dir;
  std::string config_path;   // empty: DATA/server.toml
  std::string new_kek_path;  // must not exist: the new key is created there (mode 0600)
};

struct RotateKekResult {
  std::string old_kek_path;  // no longer opens the database; destroy it
  std::string new_kek_path;
  std::string new_kek_id;
  std::string config_path;
};

// Creates the new KEK file, rewraps every data key under it in one transaction (see
// Store::RotateKek) and rewrites the "kek" key of the configuration. The server must be
// stopped: FAILED_PRECONDITION if something answers on its staff port. If the rewrap fails
// the new file is removed and nothing has changed.
absl::StatusOr<RotateKekResult> RotateKek(const RotateKekOptions& options);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_ROTATE_KEK_H_
