// Server configuration: DIR/server.toml, written by `jijian-server init`. Relative paths
// in the file are relative to the file's own folder.
#ifndef JIJIAN_SERVER_CONFIG_H_
#define JIJIAN_SERVER_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/domain/lead_rules.h"

namespace jijian::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:7443";  // staff port, mutual TLS
  std::string advertise;                  // address written into client profiles
  std::string kek_path;                   // key-encryption key file (mode 0600)
  std::string db_path;                    // SQLite file
  std::string ca_cert_path;
  std::string ca_key_path;
  std::string server_cert_path;
  std::string server_key_path;
  std::string calendar_path;  // working-day calendar (TOML); empty: the built-in one
  std::string measures_path;  // four-forms measure table (TOML); empty: the built-in one
  // How long an approved unseal request opens a reporter's identity (`unseal_hours`).
  absl::Duration unseal_ttl = absl::Hours(24);
  // Resealing after a data-key rotation: rows per batch and the pause between batches
  // (not in server.toml; tests make them small to observe an interrupted job).
  int rekey_batch_rows = 200;
  absl::Duration rekey_pause = absl::Milliseconds(20);
  // The highest rank this commission has jurisdiction over (petition_rules.h RankLevels);
  // petitions about higher-ranked subjects must be escalated.
  std::string jurisdiction_max_rank = "division";
  domain::LeadDeadlineRules lead_rules;  // [unconfirmed] time limits, see lead_rules.h
  int64_t client_cert_days = 365;        // lifetime of issued client certificates
  int reader_connections = 4;
  // The reporter port (a public reporting portal): server TLS only, ReporterService only.
  // Empty: not served.
  std::string reporter_listen;
  // The certificate (a chain may follow it) and key the reporter port presents: its own, so
  // that the internet-facing key is not the staff port's and its names are only the portal's.
  // `init` issues them under the deployment CA; a certificate from a public CA goes here too.
  // Both empty: the staff server certificate (a deployment made before these keys).
  std::string reporter_cert_path;
  std::string reporter_key_path;
  int reporter_max_message_bytes = 1 << 20;  // largest request accepted there
  int reporter_peer_burst = 20;              // requests one address may make at once
  double reporter_peer_per_second = 0.5;     // one address's sustained rate (30 a minute)
  double reporter_global_per_second = 50;    // all addresses together
};

// The default configuration file of a data folder.
std::string ConfigPath(const std::string& data_dir);

// The configuration `init` writes for a data folder (paths inside it).
ServerConfig DefaultConfig(const std::string& data_dir, const std::string& listen,
                           const std::string& reporter_listen = "");

// Loads a configuration file. INVALID_ARGUMENT naming the key for an unknown key, a wrong
// type or an out-of-range value; NOT_FOUND if the file is missing.
absl::StatusOr<ServerConfig> LoadConfig(const std::string& path);

// Writes config to path (relative paths as given), mode 0600.
absl::Status WriteConfig(const ServerConfig& config, const std::string& path);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_CONFIG_H_
