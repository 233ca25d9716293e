#include "server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "storage/db.h"
#include "storage/rekey.h"

namespace jijian::server {
namespace {

// Polling threads of the staff port's synchronous server (see Start).
constexpr int kMinPollers = 4;
constexpr int kMaxPollers = 128;

absl::StatusOr<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Checks that a port's key belongs to its certificate (INVALID_ARGUMENT naming the keys and
// files otherwise), and warns when the certificate has expired or expires within 30 days:
// clients refuse an expired one, and `jijian-server` cannot renew it by itself.
absl::Status CheckPortPair(const std::string& cert_pem, const std::string& key_pem,
                           const char* cert_key, const std::string& cert_path, const char* key_key,
                           const std::string& key_path) {
  const std::string cert_what = absl::StrCat(cert_key, " (", cert_path, ")");
  // Like the KEK: a TLS key others on the host can read is refused.
  struct stat st {};
  if (::stat(key_path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(
        absl::StrFormat("%s (%s): the key file has mode %04o; it must be readable by its owner "
                        "only: chmod 600 %s",
                        key_key, key_path, st.st_mode & 07777, key_path));
  }
  if (absl::Status st =
          CheckKeyPair(cert_pem, key_pem, cert_what, absl::StrCat(key_key, " (", key_path, ")"));
      !st.ok()) {
    return st;
  }
  absl::StatusOr<CertInfo> info = InspectCert(cert_pem);
  if (!info.ok()) return info.status();
  const absl::Time not_after = absl::FromUnixSeconds(info->not_after_unix);
  if (not_after < absl::Now() + absl::Hours(24 * 30)) {
    spdlog::warn("{}: the certificate {} {}; clients refuse an expired one", cert_what,
                 not_after < absl::Now() ? "expired" : "expires",
                 absl::FormatTime("%Y-%m-%d %H:%M UTC", not_after, absl::UTCTimeZone()));
  }
  return absl::OkStatus();
}

// Removes the reflection plugin from one builder (it is registered process-wide): the
// reporter port describes no service but its own.
class WithoutReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [](const std::unique_ptr<grpc::ServerBuilderPlugin>& p) {
                                    return p->name() == "proto_server_reflection";
                                  }),
                   plugins->end());
  }
};

// Below this much free space on the database's file system, a start-up failure of the
// store is reported as a full disk, and a start-up that succeeds warns.
constexpr uint64_t kLowDiskBytes = 4 << 20;

// Free bytes (for an unprivileged process) on the file system holding path's folder, or
// nullopt if that cannot be told.
std::optional<uint64_t> FreeBytesNear(const std::string& path) {
  struct statvfs info;
  const std::string folder = std::filesystem::path(path).parent_path().string();
  if (::statvfs(folder.empty() ? "." : folder.c_str(), &info) != 0) return std::nullopt;
  return static_cast<uint64_t>(info.f_bavail) * info.f_frsize;
}

// Says what an operator should do when the store cannot open because of its disk.
absl::Status StoreOpenFailure(const std::string& db_path, const absl::Status& cause) {
  if (!storage::IsDiskFull(cause) && !storage::IsIoError(cause)) return cause;
  const std::optional<uint64_t> free_bytes = FreeBytesNear(db_path);
  if (storage::IsDiskFull(cause) || (free_bytes.has_value() && *free_bytes < kLowDiskBytes)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "cannot open the database ", db_path, ": the disk holding it is full (",
        free_bytes.has_value() ? absl::StrCat(*free_bytes, " bytes free") : "free space unknown",
        "); free space there and start the server again; nothing has been lost (",
        std::string(cause.message()), ")"));
  }
  return absl::UnavailableError(
      absl::StrCat("cannot open the database ", db_path, ": the disk reported an I/O error (",
                   std::string(cause.message()), "); check the disk, then start the server again"));
}

// With port 0 the kernel chose one; an address ending in ":0" takes the bound port.
void ResolvePort(std::string& address, int port) {
  const std::string any_port = ":0";
  if (address.size() > any_port.size() &&
      address.compare(address.size() - any_port.size(), any_port.size(), any_port) == 0) {
    address.replace(address.size() - 1, 1, std::to_string(port));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<JijianServer>> JijianServer::Start(const ServerConfig& config) {
  std::unique_ptr<JijianServer> s(new JijianServer());
  s->config_ = config;
  absl::StatusOr<storage::Kek> kek = storage::Kek::Load(config.kek_path);
  if (!kek.ok()) return kek.status();
  storage::Store::Options options;
  options.path = config.db_path;
  options.reader_connections = config.reader_connections;
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(options, *kek);
  if (!store.ok()) return StoreOpenFailure(config.db_path, store.status());
  s->store_ = *std::move(store);
  if (std::optional<uint64_t> free_bytes = FreeBytesNear(config.db_path);
      free_bytes.has_value() && *free_bytes < kLowDiskBytes) {
    spdlog::warn(
        "the disk holding {} has only {} bytes free: writes will be refused (RESOURCE_EXHAUSTED) "
        "once it is full, and resume by themselves when space is freed",
        config.db_path, *free_bytes);
  }

  absl::StatusOr<std::string> ca_cert = ReadSmallFile(config.ca_cert_path);
  absl::StatusOr<std::string> ca_key = ReadSmallFile(config.ca_key_path);
  absl::StatusOr<std::string> server_cert = ReadSmallFile(config.server_cert_path);
  absl::StatusOr<std::string> server_key = ReadSmallFile(config.server_key_path);
  for (const auto* f : {&ca_cert, &ca_key, &server_cert, &server_key}) {
    if (!f->ok()) return f->status();
  }
  if (absl::Status st =
          CheckPortPair(*server_cert, *server_key, "server_cert", config.server_cert_path,
                        "server_key", config.server_key_path);
      !st.ok()) {
    return st;
  }
  // The reporter port's own pair; a deployment made before it had one shares the staff pair.
  std::string reporter_cert = *server_cert, reporter_key = *server_key;
  if (!config.reporter_listen.empty() && !config.reporter_cert_path.empty()) {
    absl::StatusOr<std::string> cert = ReadSmallFile(config.reporter_cert_path);
    if (!cert.ok()) {
      return absl::NotFoundError("reporter_cert: " + std::string(cert.status().message()));
    }
    absl::StatusOr<std::string> key = ReadSmallFile(config.reporter_key_path);
    if (!key.ok()) {
      return absl::NotFoundError("reporter_key: " + std::string(key.status().message()));
    }
    if (absl::Status st = CheckPortPair(*cert, *key, "reporter_cert", config.reporter_cert_path,
                                        "reporter_key", config.reporter_key_path);
        !st.ok()) {
      return st;
    }
    reporter_cert = *std::move(cert);
    reporter_key = *std::move(key);
  } else if (!config.reporter_listen.empty()) {
    spdlog::warn(
        "the reporter port presents the staff server certificate: set reporter_cert and "
        "reporter_key in server.toml to give the public port a key of its own");
  }
  s->ca_ = KeyAndCert{*ca_key, *ca_cert};
  if (config.calendar_path.empty()) {
    s->calendar_ = domain::WorkCalendar::BuiltIn();
  } else {
    absl::StatusOr<domain::WorkCalendar> calendar =
        domain::WorkCalendar::LoadFile(config.calendar_path);
    if (!calendar.ok()) return calendar.status();
    s->calendar_ = *std::move(calendar);
  }

  if (config.measures_path.empty()) {
    s->measures_ = domain::MeasureTable::BuiltIn();
  } else {
    // A bad rules file stops start-up: deciding with a half-read table would be worse.
    absl::StatusOr<domain::MeasureTable> measures =
        domain::MeasureTable::LoadFile(config.measures_path);
    if (!measures.ok()) return measures.status();
    s->measures_ = *std::move(measures);
  }

  s->auth_ = std::make_unique<Authenticator>(s->store_.get());
  ServiceDeps deps{s->store_.get(), s->auth_.get(), &s->config_, &s->ca_, &s->calendar_,
                   &s->measures_};
  s->admin_ = std::make_unique<AdminServiceImpl>(deps);
  s->audit_ = std::make_unique<AuditServiceImpl>(deps);
  s->petitions_ = std::make_unique<PetitionServiceImpl>(deps);
  s->leads_ = std::make_unique<LeadServiceImpl>(deps);
  s->cases_ = std::make_unique<CaseServiceImpl>(deps);
  s->dispositions_ = std::make_unique<DispositionServiceImpl>(deps);
  s->stats_ = std::make_unique<StatsServiceImpl>(deps);
  s->identity_ = std::make_unique<IdentityServiceImpl>(deps);

  // Staff port: client certificates are required and verified against the deployment's CA.
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = *ca_cert;
  tls.pem_key_cert_pairs.push_back({*server_key, *server_cert});

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, grpc::SslServerCredentials(tls), &s->port_);
  builder.RegisterService(s->admin_.get());
  builder.RegisterService(s->audit_.get());
  builder.RegisterService(s->petitions_.get());
  builder.RegisterService(s->leads_.get());
  builder.RegisterService(s->cases_.get());
  builder.RegisterService(s->dispositions_.get());
  builder.RegisterService(s->stats_.get());
  builder.RegisterService(s->identity_.get());
  builder.SetMaxReceiveMessageSize(4 * 1024 * 1024);
  // A write's handler blocks until its group commit; with gRPC's default of two idle
  // polling threads, a burst of writers made and destroyed a thread for most calls
  // (docs/BENCHMARKS.md, intake). Keep enough pollers alive for a burst instead.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MIN_POLLERS, kMinPollers);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, kMaxPollers);
  s->server_ = builder.BuildAndStart();
  if (!s->server_ || s->port_ == 0) {
    return absl::UnavailableError("cannot listen on " + config.listen +
                                  " (address in use or not local?)");
  }
  // Profiles issued from now on must name the port the kernel chose.
  ResolvePort(s->config_.advertise, s->port_);
  // Approvals are checked against the clock on every view; the sweeper only writes the
  // expiry events (and the EXPIRED state) soon after the time runs out.
  s->sweep_interval_ =
      std::clamp(config.unseal_ttl / 4, absl::Milliseconds(100), absl::Seconds(30));
  s->sweeper_ = std::thread([p = s.get()] { p->SweepLoop(); });
  s->server_->GetHealthCheckService()->SetServingStatus(true);
  spdlog::info("jijian-server serving on {} (port {}), database {}", config.listen, s->port_,
               config.db_path);

  if (!config.reporter_listen.empty()) {
    if (absl::Status st = s->StartReporterPort(reporter_cert, reporter_key); !st.ok()) return st;
  }
  return s;
}

absl::Status JijianServer::StartReporterPort(const std::string& server_cert,
                                             const std::string& server_key) {
  ServiceDeps deps{store_.get(), auth_.get(), &config_, &ca_, &calendar_};
  reporters_ = std::make_unique<ReporterServiceImpl>(deps);
  // Server TLS only: the public does not hold client certificates. Only ReporterService is
  // registered, so every staff RPC is UNIMPLEMENTED here whatever the caller presents.
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  tls.pem_key_cert_pairs.push_back({server_key, server_cert});
  grpc::ServerBuilder builder;
  builder.SetOption(std::make_unique<WithoutReflection>());
  builder.AddListeningPort(config_.reporter_listen, grpc::SslServerCredentials(tls),
                           &reporter_port_);
  builder.RegisterService(reporters_.get());
  // gRPC refuses a larger request with RESOURCE_EXHAUSTED before any handler runs.
  builder.SetMaxReceiveMessageSize(config_.reporter_max_message_bytes);
  builder.SetMaxSendMessageSize(config_.reporter_max_message_bytes);
  reporter_server_ = builder.BuildAndStart();
  if (!reporter_server_ || reporter_port_ == 0) {
    return absl::UnavailableError("cannot listen on reporter_listen " + config_.reporter_listen +
                                  " (address in use or not local?)");
  }
  spdlog::info("jijian-server reporter port on {} (port {})", config_.reporter_listen,
               reporter_port_);
  return absl::OkStatus();
}

JijianServer::~JijianServer() {
  Shutdown(absl::Seconds(5));
  Wait();
}

void JijianServer::SweepLoop() {
  // Background upkeep on one thread: sealing expired identity approvals again, and the
  // resealing of stored values after a data-key rotation (storage/rekey.h), a small batch
  // at a time so that ordinary writes interleave; an interrupted job resumes here at start.
  storage::Resealer resealer(*store_, config_.rekey_batch_rows);
  const absl::Duration tick = std::min(sweep_interval_, absl::Seconds(1));
  absl::Time next_sweep = absl::Now() + sweep_interval_;
  std::unique_lock<std::mutex> lock(sweep_mu_);
  while (!stopping_) {
    sweep_cv_.wait_for(lock, absl::ToChronoNanoseconds(tick));
    if (stopping_) break;
    lock.unlock();
    if (absl::Now() >= next_sweep) {
      next_sweep = absl::Now() + sweep_interval_;
      absl::StatusOr<int> expired = ExpireUnsealings(*store_);
      if (!expired.ok()) {
        spdlog::warn("unseal expiry sweep failed: {}", std::string(expired.status().message()));
      } else if (*expired > 0) {
        spdlog::info("sealed again {} expired identity approval(s)", *expired);
      }
    }
    // Resealing runs in slices of a few seconds so that the expiry sweep keeps its pace.
    const absl::Time slice_end = absl::Now() + absl::Seconds(2);
    while (absl::Now() < slice_end) {
      absl::StatusOr<bool> more = resealer.Step();
      if (!more.ok()) {
        spdlog::warn("resealing after a key rotation failed (will retry): {}",
                     std::string(more.status().message()));
        break;
      }
      if (!*more) break;
      std::unique_lock<std::mutex> pause(sweep_mu_);
      sweep_cv_.wait_for(pause, absl::ToChronoNanoseconds(config_.rekey_pause),
                         [this] { return stopping_; });
      if (stopping_) break;
    }
    lock.lock();
  }
}

void JijianServer::Shutdown(absl::Duration grace) {
  std::call_once(shutdown_once_, [&] {
    {
      std::lock_guard<std::mutex> lock(sweep_mu_);
      stopping_ = true;
    }
    sweep_cv_.notify_all();
    if (sweeper_.joinable()) sweeper_.join();
    if (!server_) return;
    spdlog::info("jijian-server draining in-flight calls (up to {} s)",
                 absl::ToInt64Seconds(grace));
    server_->GetHealthCheckService()->SetServingStatus(false);
    const absl::Time deadline = absl::Now() + grace;
    if (reporter_server_) {
      if (grpc::HealthCheckServiceInterface* health = reporter_server_->GetHealthCheckService()) {
        health->SetServingStatus(false);
      }
      reporter_server_->Shutdown(absl::ToChronoTime(deadline));
    }
    server_->Shutdown(absl::ToChronoTime(deadline));
  });
}

void JijianServer::Wait() {
  if (reporter_server_) reporter_server_->Wait();
  if (server_) server_->Wait();
}

}  // namespace jijian::server
