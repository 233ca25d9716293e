#include "server/init.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "absl/time/time.h"
#include "client/profile.h"
#include "server/config.h"
#include "server/domain/calendar.h"
#include "server/pki.h"
#include "storage/crypto.h"
#include "storage/store.h"
#include "storage/users.h"

namespace jijian::server {
namespace {
namespace fs = std::filesystem;

constexpr absl::Duration kCaLifetime = absl::Hours(24 * 3650);
constexpr absl::Duration kServerCertLifetime = absl::Hours(24 * 825);

// Writes a new file with the given mode; refuses to overwrite.
absl::Status WriteNewFile(const std::string& path, std::string_view content, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return absl::PermissionDeniedError("cannot create " + path);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      return absl::InternalError("writing " + path + " failed");
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  return absl::OkStatus();
}

// Host part of HOST:PORT.
std::string HostOf(const std::string& listen) {
  size_t colon = listen.rfind(':');
  std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return host;
}

bool LooksLikeIp(const std::string& host) {
  return host.find_first_not_of("0123456789.") == std::string::npos ||
         host.find(':') != std::string::npos;
}

// A TLS server certificate for the port listening on HOST:PORT: SANs localhost, 127.0.0.1
// and the host (unless it is a wildcard address).
absl::StatusOr<KeyAndCert> IssuePortCert(const KeyAndCert& ca, const std::string& listen) {
  std::vector<std::string> dns = {"localhost"};
  std::vector<std::string> ips = {"127.0.0.1"};
  const std::string host = HostOf(listen);
  if (!host.empty() && host != "localhost" && host != "127.0.0.1" && host != "0.0.0.0") {
    (LooksLikeIp(host) ? ips : dns).push_back(host);
  }
  // Clients check the subjectAltNames; the common name is only a label, at most 64 bytes.
  const std::string name =
      host.empty() || LooksLikeIp(host) || host.size() > 64 ? "localhost" : host;
  return IssueServerCert(ca, name, dns, ips, kServerCertLifetime);
}

absl::StatusOr<InitResult> Init(const InitOptions& options) {
  const fs::path dir(options.data_dir);
  for (const char* sub : {"", "keys", "db", "pki", "profiles"}) {
    std::error_code ec;
    fs::create_directories(dir / sub, ec);
    if (ec) return absl::PermissionDeniedError("cannot create " + (dir / sub).string());
    fs::permissions(dir / sub, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  ServerConfig config = DefaultConfig(options.data_dir, options.listen, options.reporter_listen);
  if (!options.kek_path.empty()) config.kek_path = fs::absolute(options.kek_path).string();
  auto at = [&](const std::string& p) {
    return fs::path(p).is_absolute() ? p : (dir / p).string();
  };

  absl::StatusOr<storage::Kek> kek = storage::Kek::Create(at(config.kek_path));
  if (!kek.ok()) return kek.status();
  absl::StatusOr<std::unique_ptr<storage::Store>> store =
      storage::Store::Create({.path = at(config.db_path)}, *kek);
  if (!store.ok()) return store.status();

  absl::StatusOr<KeyAndCert> ca = CreateCa("jijian deployment CA", kCaLifetime);
  if (!ca.ok()) return ca.status();
  // The staff port and the reporter port each present a certificate of their own, naming
  // their own host: the internet-facing key is not the staff port's, and the portal's
  // certificate does not show the staff host's name.
  absl::StatusOr<KeyAndCert> server_cert = IssuePortCert(*ca, options.listen);
  if (!server_cert.ok()) return server_cert.status();
  std::optional<KeyAndCert> reporter_cert;
  if (!options.reporter_listen.empty()) {
    absl::StatusOr<KeyAndCert> issued = IssuePortCert(*ca, options.reporter_listen);
    if (!issued.ok()) return issued.status();
    reporter_cert = *std::move(issued);
  }
  absl::StatusOr<KeyAndCert> admin_cert =
      IssueClientCert(*ca, "admin", absl::Hours(24 * config.client_cert_days));
  if (!admin_cert.ok()) return admin_cert.status();
  absl::StatusOr<CertInfo> admin_info = InspectCert(admin_cert->cert_pem);
  if (!admin_info.ok()) return admin_info.status();

  for (const auto& [path, content, mode] :
       {std::tuple<std::string, std::string, mode_t>{at(config.ca_cert_path), ca->cert_pem, 0644},
        {at(config.ca_key_path), ca->key_pem, 0600},
        {at(config.server_cert_path), server_cert->cert_pem, 0644},
        {at(config.server_key_path), server_cert->key_pem, 0600},
        {at(config.calendar_path), std::string(domain::BuiltInCalendarText()), 0644}}) {
    if (absl::Status st = WriteNewFile(path, content, mode); !st.ok()) return st;
  }
  if (reporter_cert.has_value()) {
    if (absl::Status st = WriteNewFile(at(config.reporter_cert_path), reporter_cert->cert_pem, 0644);
        !st.ok()) {
      return st;
    }
    if (absl::Status st = WriteNewFile(at(config.reporter_key_path), reporter_cert->key_pem, 0600);
        !st.ok()) {
      return st;
    }
  }

  // The first admin and its certificate, recorded as the log's first events.
  const storage::Actor system{"system", "system", ""};
  absl::StatusOr<std::string> made =
      (*store)->Apply(system, "init", [&](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        storage::UserRecord admin{"admin", "Administrator", "", "admin"};
        if (absl::Status st = storage::InsertUser(txn, admin); !st.ok()) return st;
        absl::StatusOr<int64_t> seq =
            txn.AppendEvent({"user.add", "user", "admin", "", "ENABLED", "roles=admin"});
        if (!seq.ok()) return seq.status();
        storage::CertRecord cert{admin_info->serial_hex,
                                 "admin",
                                 admin_info->fingerprint_sha256,
                                 admin_info->not_before_unix,
                                 admin_info->not_after_unix,
                                 0,
                                 "system",
                                 0};
        if (absl::Status st = storage::InsertCert(txn, cert); !st.ok()) return st;
        seq = txn.AppendEvent(
            {"cert.issue", "certificate", cert.serial_hex, "", "VALID", "user=admin"});
        if (!seq.ok()) return seq.status();
        return std::string();
      });
  if (!made.ok()) return made.status();

  InitResult result;
  result.config_path = ConfigPath(options.data_dir);
  result.admin_profile_path = (dir / "profiles" / "admin.toml").string();
  result.audit_public_key_hex = storage::ToHex((*store)->keyring().audit_public_key());
  if (absl::Status st = WriteConfig(config, result.config_path); !st.ok()) return st;
  client::Profile profile{"",
                          config.advertise,
                          "admin",
                          result.audit_public_key_hex,
                          ca->cert_pem,
                          admin_cert->cert_pem,
                          admin_cert->key_pem};
  if (absl::Status st = client::WriteProfile(profile, result.admin_profile_path); !st.ok()) {
    return st;
  }
  return result;
}

}  // namespace

absl::StatusOr<InitResult> InitDeployment(const InitOptions& options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("--data: required");
  if (fs::exists(options.data_dir)) {
    return absl::AlreadyExistsError("data folder " + options.data_dir +
                                    " already exists; init only creates a new deployment and "
                                    "touches nothing that exists");
  }
  absl::StatusOr<InitResult> result = Init(options);
  if (!result.ok()) {
    std::error_code ec;
    fs::remove_all(options.data_dir, ec);
  }
  return result;
}

}  // namespace jijian::server
