// A client profile: where the server is, the CA to trust, this user's certificate and
// key, and the pinned audit public key. TOML, mode 0600.
#ifndef JIJIAN_CLIENT_PROFILE_H_
#define JIJIAN_CLIENT_PROFILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jijian::client {

struct Profile {
  std::string path;
  std::string server;  // HOST:PORT
  std::string user;
  std::string audit_public_key_hex;
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

// The profile to use: flag if set, else $JIJIAN_PROFILE, else ~/.config/jijian/profile.toml.
// NOT_FOUND naming all three places if none is given and the default does not exist.
absl::StatusOr<std::string> ResolveProfilePath(const std::string& flag);

// Reads and checks a profile. INVALID_ARGUMENT naming the missing or malformed key.
absl::StatusOr<Profile> LoadProfile(const std::string& path);

// Writes profile to path with mode 0600; ALREADY_EXISTS if path exists.
absl::Status WriteProfile(const Profile& profile, const std::string& path);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_PROFILE_H_
