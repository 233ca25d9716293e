#include "client/profile.h"

#include <fcntl.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace jijian::client {
namespace fs = std::filesystem;

absl::StatusOr<std::string> ResolveProfilePath(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("JIJIAN_PROFILE"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  const char* home = std::getenv("HOME");
  std::string fallback = std::string(home ? home : "") + "/.config/jijian/profile.toml";
  if (fs::exists(fallback)) return fallback;
  return absl::NotFoundError("no profile: pass --profile FILE, set JIJIAN_PROFILE, or create " +
                             fallback);
}

absl::StatusOr<Profile> LoadProfile(const std::string& path) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (!fs::exists(path)) return absl::NotFoundError("profile " + path + " does not exist");
    return absl::InvalidArgumentError("profile " + path + ": " + std::string(e.description()));
  }
  Profile p;
  p.path = path;
  for (auto [key, out] : {std::pair<const char*, std::string*>{"server", &p.server},
                          {"user", &p.user},
                          {"audit_public_key", &p.audit_public_key_hex},
                          {"ca_pem", &p.ca_pem},
                          {"cert_pem", &p.cert_pem},
                          {"key_pem", &p.key_pem}}) {
    std::optional<std::string> v = t[key].value<std::string>();
    if (!v || v->empty()) {
      return absl::InvalidArgumentError("profile " + path + ": \"" + key +
                                        "\" is missing or not a string");
    }
    *out = *v;
  }
  return p;
}

absl::Status WriteProfile(const Profile& p, const std::string& path) {
  // PEM text never contains ''' so TOML multi-line literal strings hold it verbatim.
  std::string text = "# jijian client profile for " + p.user + ": keep it private (mode 0600)\n" +
                     "server = \"" + p.server + "\"\n" + "user = \"" + p.user + "\"\n" +
                     "audit_public_key = \"" + p.audit_public_key_hex + "\"\n" + "ca_pem = '''\n" +
                     p.ca_pem + "'''\n" + "cert_pem = '''\n" + p.cert_pem + "'''\n" +
                     "key_pem = '''\n" + p.key_pem + "'''\n";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return absl::AlreadyExistsError("--out: " + path + " already exists");
    return absl::PermissionDeniedError("--out: cannot create " + path);
  }
  ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size()))
    return absl::InternalError("writing " + path + " failed");
  return absl::OkStatus();
}

}  // namespace jijian::client
