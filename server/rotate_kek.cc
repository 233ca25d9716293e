#include "server/rotate_kek.h"

#include "storage/rekey.h"

#include <netdb.h>
#include <sys/socket.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "server/config.h"
#include "storage/keyring.h"
#include "storage/store.h"

namespace jijian::server {
namespace {
namespace fs = std::filesystem;


// Sets "kek" in the configuration file, keeping every other key as written. Writes a
// temporary file and renames it over the old one, so a crash leaves one or the other.
absl::Status SetKekPath(const std::string& config_path, const std::string& kek_path) {
  toml::table t;
  try {
    t = toml::parse_file(config_path);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError("configuration " + config_path + ": " +
                                      std::string(e.description()));
  }
  t.insert_or_assign("kek", kek_path);
  const std::string tmp = config_path + ".rotate-kek.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return absl::PermissionDeniedError("cannot write " + tmp);
    out << "# jijian-server configuration (paths relative to this file's folder)\n" << t << "\n";
    out.close();
    if (!out) return absl::InternalError("writing " + tmp + " failed");
  }
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  if (std::rename(tmp.c_str(), config_path.c_str()) != 0) {
    return absl::InternalError("cannot replace " + config_path);
  }
  return absl::OkStatus();
}

}  // namespace

// True if something accepts TCP connections at listen (HOST:PORT). A running server keeps
// the audit log's position in memory, so the rotation's own audit event must not race it.
bool SomethingListens(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port == "0") return false;
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return false;
  bool connected = false;
  for (addrinfo* a = found; a != nullptr && !connected; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    connected = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return connected;
}

absl::StatusOr<RotateKekResult> RotateKek(const RotateKekOptions& options) {
  if (options.new_kek_path.empty()) {
    return absl::InvalidArgumentError("--new-kek: required, the path of a new key file");
  }
  RotateKekResult result;
  result.config_path =
      options.config_path.empty() ? ConfigPath(options.data_dir) : options.config_path;
  absl::StatusOr<ServerConfig> config = LoadConfig(result.config_path);
  if (!config.ok()) return config.status();
  result.old_kek_path = config->kek_path;
  result.new_kek_path = fs::absolute(options.new_kek_path).lexically_normal().string();
  if (fs::exists(result.new_kek_path)) {
    return absl::AlreadyExistsError(
        "--new-kek: " + result.new_kek_path +
        " already exists; rotate-kek creates the new key itself (random, mode 0600), so name a "
        "file that does not exist yet");
  }
  if (SomethingListens(config->listen)) {
    return absl::FailedPreconditionError("a server answers on " + config->listen +
                                         "; stop it before rotating the KEK");
  }
  absl::StatusOr<storage::Kek> old_kek = storage::Kek::Load(config->kek_path);
  if (!old_kek.ok()) return old_kek.status();
  absl::StatusOr<storage::Kek> new_kek = storage::Kek::Create(result.new_kek_path);
  if (!new_kek.ok()) return new_kek.status();
  result.new_kek_id = new_kek->id();
  if (absl::Status st = storage::Store::RotateKek({.path = config->db_path}, *old_kek, *new_kek);
      !st.ok()) {
    std::error_code ec;
    fs::remove(result.new_kek_path, ec);  // never used: nothing was committed
    return st;
  }
  if (absl::Status st = SetKekPath(result.config_path, result.new_kek_path); !st.ok()) {
    return absl::InternalError("the data keys are now wrapped under " + result.new_kek_path +
                               " but " + result.config_path + " could not be updated (" +
                               std::string(st.message()) + "); set kek = \"" + result.new_kek_path +
                               "\" in it by hand");
  }
  return result;
}

absl::StatusOr<RotateDekResult> RotateDek(const RotateDekOptions& options) {
  const std::string config_path =
      options.config_path.empty() ? ConfigPath(options.data_dir) : options.config_path;
  absl::StatusOr<ServerConfig> config = LoadConfig(config_path);
  if (!config.ok()) return config.status();
  absl::StatusOr<storage::KeyDomain> domain = storage::ParseKeyDomain(options.domain);
  if (!domain.ok()) return absl::InvalidArgumentError("--domain: must be identity, content or index");
  if (SomethingListens(config->listen)) {
    return absl::FailedPreconditionError(
        "a server answers on " + config->listen +
        "; while it serves, rotate with `jijian admin key rotate --domain " + options.domain +
        "` (it reseals in the background)");
  }
  absl::StatusOr<storage::Kek> kek = storage::Kek::Load(config->kek_path);
  if (!kek.ok()) return kek.status();
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::Store::Open({.path = config->db_path}, *kek);
  if (!store.ok()) return store.status();
  RotateDekResult result;
  result.replaced_key_id = (*store)->keyring().active_key_id(*domain);
  absl::StatusOr<std::string> key =
      storage::RotateDataKey(**store, {"operator", "admin", ""}, *domain);
  if (!key.ok()) return key.status();
  result.key_id = *key;
  storage::Resealer resealer(**store);
  while (true) {
    absl::StatusOr<bool> more = resealer.Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  absl::StatusOr<std::vector<storage::KeyRotation>> all =
      (*store)->Read<std::vector<storage::KeyRotation>>(storage::ListKeyRotations);
  if (!all.ok()) return all.status();
  for (const storage::KeyRotation& r : *all) {
    if (r.key_id == result.key_id) result.resealed = r.resealed;
  }
  return result;
}

}  // namespace jijian::server
