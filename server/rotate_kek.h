// `jijian-server rotate-kek`: rewraps every data key of a stopped deployment under a new
// key-encryption key, then points server.toml at the new key file.
#ifndef JIJIAN_SERVER_ROTATE_KEK_H_
#define JIJIAN_SERVER_ROTATE_KEK_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace jijian::server {

// True if something accepts TCP connections at listen (HOST:PORT): offline operations
// (rotations, restore) refuse to run beside a live server, which keeps the audit log's
// position in memory.
bool SomethingListens(const std::string& listen);

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

struct RotateDekOptions {
  std::string data_dir;
  std::string config_path;  // empty: DATA/server.toml
  std::string domain;       // identity, content or index
};

struct RotateDekResult {
  std::string key_id;           // the new active data key
  std::string replaced_key_id;  // kept: older backups still need it
  int64_t resealed = 0;         // stored values resealed under the new key
};

// `jijian-server rotate-dek` on a stopped deployment: a new data key for the domain, then
// every stored value sealed under an older key of that domain resealed, to the end (the
// running server does the same in the background after `jijian admin key rotate`).
// FAILED_PRECONDITION if something answers on the staff port.
absl::StatusOr<RotateDekResult> RotateDek(const RotateDekOptions& options);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_ROTATE_KEK_H_
