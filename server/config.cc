#include "server/config.h"

#include <toml++/toml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "server/domain/petition_rules.h"

namespace jijian::server {
namespace fs = std::filesystem;

std::string ConfigPath(const std::string& data_dir) {
  return (fs::path(data_dir) / "server.toml").string();
}

ServerConfig DefaultConfig(const std::string& data_dir, const std::string& listen,
                           const std::string& reporter_listen) {
  (void)data_dir;
  ServerConfig c;
  c.listen = listen;
  c.reporter_listen = reporter_listen;
  c.advertise = listen;
  c.kek_path = "keys/kek.key";
  c.db_path = "db/jijian.db";
  c.ca_cert_path = "pki/ca.crt";
  c.ca_key_path = "pki/ca.key";
  c.server_cert_path = "pki/server.crt";
  c.server_key_path = "pki/server.key";
  c.calendar_path = "calendar.toml";
  if (!reporter_listen.empty()) {
    c.reporter_cert_path = "pki/reporter.crt";
    c.reporter_key_path = "pki/reporter.key";
  }
  return c;
}

absl::StatusOr<ServerConfig> LoadConfig(const std::string& path) {
  if (!fs::exists(path)) {
    return absl::NotFoundError("configuration " + path +
                               " does not exist; run `jijian-server init --data DIR` first");
  }
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "configuration " << path << ": " << e.description() << " at line "
        << e.source().begin.line;
    return absl::InvalidArgumentError(msg.str());
  }
  const fs::path base = fs::path(path).parent_path();
  ServerConfig c;
  static const std::set<std::string> kKnown = {"listen",
                                               "advertise",
                                               "kek",
                                               "database",
                                               "ca_cert",
                                               "ca_key",
                                               "server_cert",
                                               "server_key",
                                               "client_cert_days",
                                               "reader_connections",
                                               "calendar",
                                               "measures",
                                               "unseal_hours",
                                               "jurisdiction_max_rank",
                                               "inquiry_reply_working_days",
                                               "verification_working_days",
                                               "hold_review_days",
                                               "lead_proposal_days",
                                               "reporter_listen",
                                               "reporter_cert",
                                               "reporter_key",
                                               "reporter_max_message_bytes",
                                               "reporter_peer_burst",
                                               "reporter_peer_per_second",
                                               "reporter_global_per_second"};
  for (const auto& [key, value] : t) {
    if (!kKnown.count(std::string(key.str()))) {
      return absl::InvalidArgumentError("configuration " + path + ": unknown key \"" +
                                        std::string(key.str()) + "\"");
    }
  }
  auto str = [&](const char* key, std::string& out, bool is_path) -> absl::Status {
    if (!t.contains(key)) return absl::OkStatus();
    std::optional<std::string> v = t[key].value<std::string>();
    if (!v || v->empty()) {
      return absl::InvalidArgumentError("configuration " + path + ": \"" + key +
                                        "\" must be a non-empty string");
    }
    out = is_path && fs::path(*v).is_relative() ? (base / *v).string() : *v;
    return absl::OkStatus();
  };
  c = DefaultConfig("", c.listen);
  for (std::string* p : {&c.kek_path, &c.db_path, &c.ca_cert_path, &c.ca_key_path,
                         &c.server_cert_path, &c.server_key_path}) {
    *p = (base / *p).string();
  }
  c.calendar_path.clear();  // only when the file names one
  absl::Status st;
  for (auto [key, out, is_path] :
       {std::tuple<const char*, std::string*, bool>{"listen", &c.listen, false},
        {"advertise", &c.advertise, false},
        {"kek", &c.kek_path, true},
        {"database", &c.db_path, true},
        {"ca_cert", &c.ca_cert_path, true},
        {"ca_key", &c.ca_key_path, true},
        {"server_cert", &c.server_cert_path, true},
        {"server_key", &c.server_key_path, true},
        {"calendar", &c.calendar_path, true},
        {"measures", &c.measures_path, true},
        {"reporter_cert", &c.reporter_cert_path, true},
        {"reporter_key", &c.reporter_key_path, true},
        {"jurisdiction_max_rank", &c.jurisdiction_max_rank, false}}) {
    if (st = str(key, *out, is_path); !st.ok()) return st;
  }
  if (c.advertise.empty()) c.advertise = c.listen;
  if (c.reporter_cert_path.empty() != c.reporter_key_path.empty()) {
    return absl::InvalidArgumentError(
        "configuration " + path + ": \"" +
        (c.reporter_cert_path.empty() ? "reporter_cert" : "reporter_key") +
        "\" is missing: \"reporter_cert\" and \"reporter_key\" are set together or not at all");
  }
  if (absl::StatusOr<int> rank =
          domain::RankOrder("jurisdiction_max_rank", c.jurisdiction_max_rank);
      !rank.ok()) {
    return absl::InvalidArgumentError("configuration " + path + ": " +
                                      std::string(rank.status().message()));
  }
  if (t.contains("client_cert_days")) {
    std::optional<int64_t> days = t["client_cert_days"].value<int64_t>();
    if (!days || *days < 1 || *days > 825) {
      return absl::InvalidArgumentError("configuration " + path +
                                        ": \"client_cert_days\" must be an integer from 1 to 825");
    }
    c.client_cert_days = *days;
  }
  for (auto [key, out, max] :
       {std::tuple<const char*, int*, int>{"inquiry_reply_working_days",
                                           &c.lead_rules.inquiry_reply_working_days, 250},
        {"verification_working_days", &c.lead_rules.verification_working_days, 500},
        {"hold_review_days", &c.lead_rules.hold_review_days, 3650},
        {"lead_proposal_days", &c.lead_rules.proposal_calendar_days, 365}}) {
    if (!t.contains(key)) continue;
    std::optional<int64_t> v = t[key].value<int64_t>();
    if (!v || *v < 1 || *v > max) {
      return absl::InvalidArgumentError("configuration " + path + ": \"" + key +
                                        "\" must be an integer from 1 to " + std::to_string(max));
    }
    *out = static_cast<int>(*v);
  }
  if (t.contains("unseal_hours")) {
    std::optional<int64_t> h = t["unseal_hours"].value<int64_t>();
    if (!h || *h < 1 || *h > 168) {
      return absl::InvalidArgumentError("configuration " + path +
                                        ": \"unseal_hours\" must be an integer from 1 to 168");
    }
    c.unseal_ttl = absl::Hours(*h);
  }
  if (t.contains("reader_connections")) {
    std::optional<int64_t> n = t["reader_connections"].value<int64_t>();
    if (!n || *n < 1 || *n > 64) {
      return absl::InvalidArgumentError("configuration " + path +
                                        ": \"reader_connections\" must be an integer from 1 to 64");
    }
    c.reader_connections = static_cast<int>(*n);
  }
  // Empty is allowed and means the reporter port is off.
  if (t.contains("reporter_listen")) {
    std::optional<std::string> v = t["reporter_listen"].value<std::string>();
    if (!v) {
      return absl::InvalidArgumentError("configuration " + path +
                                        ": \"reporter_listen\" must be a string HOST:PORT or \"\"");
    }
    c.reporter_listen = *v;
  }
  for (auto [key, out, min, max] :
       {std::tuple<const char*, int*, int, int>{"reporter_max_message_bytes",
                                                &c.reporter_max_message_bytes, 4096, 16 << 20},
        {"reporter_peer_burst", &c.reporter_peer_burst, 1, 10000}}) {
    if (!t.contains(key)) continue;
    std::optional<int64_t> v = t[key].value<int64_t>();
    if (!v || *v < min || *v > max) {
      return absl::InvalidArgumentError("configuration " + path + ": \"" + key +
                                        "\" must be an integer from " + std::to_string(min) +
                                        " to " + std::to_string(max));
    }
    *out = static_cast<int>(*v);
  }
  for (auto [key, out, max] :
       {std::tuple<const char*, double*, double>{"reporter_peer_per_second",
                                                 &c.reporter_peer_per_second, 1000},
        {"reporter_global_per_second", &c.reporter_global_per_second, 100000}}) {
    if (!t.contains(key)) continue;
    std::optional<double> v = t[key].value<double>();
    if (!v || !(*v > 0) || *v > max) {
      return absl::InvalidArgumentError("configuration " + path + ": \"" + key +
                                        "\" must be a number above 0 and at most " +
                                        std::to_string(static_cast<int>(max)));
    }
    *out = *v;
  }
  return c;
}

absl::Status WriteConfig(const ServerConfig& c, const std::string& path) {
  toml::table t{{"listen", c.listen},
                {"advertise", c.advertise},
                {"kek", c.kek_path},
                {"database", c.db_path},
                {"ca_cert", c.ca_cert_path},
                {"ca_key", c.ca_key_path},
                {"server_cert", c.server_cert_path},
                {"server_key", c.server_key_path},
                {"calendar", c.calendar_path},
                {"jurisdiction_max_rank", c.jurisdiction_max_rank},
                {"inquiry_reply_working_days", c.lead_rules.inquiry_reply_working_days},
                {"verification_working_days", c.lead_rules.verification_working_days},
                {"hold_review_days", c.lead_rules.hold_review_days},
                {"lead_proposal_days", c.lead_rules.proposal_calendar_days},
                {"client_cert_days", c.client_cert_days},
                {"unseal_hours", absl::ToInt64Hours(c.unseal_ttl)},
                {"reader_connections", static_cast<int64_t>(c.reader_connections)},
                {"reporter_listen", c.reporter_listen},
                {"reporter_max_message_bytes", static_cast<int64_t>(c.reporter_max_message_bytes)},
                {"reporter_peer_burst", static_cast<int64_t>(c.reporter_peer_burst)},
                {"reporter_peer_per_second", c.reporter_peer_per_second},
                {"reporter_global_per_second", c.reporter_global_per_second}};
  if (!c.measures_path.empty()) t.insert("measures", c.measures_path);
  if (!c.reporter_cert_path.empty()) t.insert("reporter_cert", c.reporter_cert_path);
  if (!c.reporter_key_path.empty()) t.insert("reporter_key", c.reporter_key_path);
  std::ofstream out(path, std::ios::trunc);
  if (!out) return absl::PermissionDeniedError("cannot write " + path);
  out << "# jijian-server configuration (paths relative to this file's folder)\n" << t << "\n";
  out.close();
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  return out ? absl::OkStatus() : absl::InternalError("writing " + path + " failed");
}

}  // namespace jijian::server
