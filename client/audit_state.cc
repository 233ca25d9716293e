#include "client/audit_state.h"

#include <fcntl.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace jijian::client {
namespace {

std::string Hex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

bool Unhex(std::string_view hex, std::string& out) {
  if (hex.size() % 2 != 0) return false;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = digit(hex[i]), lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

}  // namespace

std::string AuditStatePath(const std::string& profile_path) {
  return profile_path + ".audit-state";
}

absl::StatusOr<std::optional<AuditState>> LoadAuditState(const std::string& path) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("audit state ", path, ": ", std::string(e.description())));
  }
  auto bad = [&](const char* key) {
    return absl::InvalidArgumentError(
        absl::StrCat("audit state ", path, ": \"", key,
                     "\" is missing or malformed; delete the "
                     "file only if you accept trusting the server's next head anew"));
  };
  AuditState s;
  std::optional<int64_t> size = t["tree_size"].value<int64_t>();
  std::optional<int64_t> ts = t["timestamp_unix_micros"].value<int64_t>();
  std::optional<std::string> root = t["root_hash"].value<std::string>();
  std::optional<std::string> sig = t["signature"].value<std::string>();
  std::string bytes;
  if (!size || *size < 0) return bad("tree_size");
  if (!ts) return bad("timestamp_unix_micros");
  if (!root || !Unhex(*root, bytes) || bytes.size() != 32) return bad("root_hash");
  s.head.set_tree_size(*size);
  s.head.set_timestamp_unix_micros(*ts);
  s.head.set_root_hash(bytes);
  if (!sig || !Unhex(*sig, bytes)) return bad("signature");
  s.head.set_signature(bytes);
  if (const toml::array* frontier = t["frontier"].as_array()) {
    for (const toml::node& n : *frontier) {
      std::optional<std::string> item = n.value<std::string>();
      size_t colon = item ? item->find(':') : std::string::npos;
      if (colon == std::string::npos || colon == 0) return bad("frontier");
      int level = 0;
      for (char c : item->substr(0, colon)) {
        if (c < '0' || c > '9' || level > 100) return bad("frontier");
        level = level * 10 + (c - '0');
      }
      if (!Unhex(item->substr(colon + 1), bytes)) return bad("frontier");
      s.frontier.emplace_back(level, bytes);
    }
  }
  return s;
}

absl::Status SaveAuditState(const AuditState& state, const std::string& path) {
  std::ostringstream text;
  text << "# jijian audit state: the newest signed tree head this client has verified.\n"
       << "# Do not edit. Deleting it makes the next `jijian audit verify` trust the server's\n"
       << "# newest head anew (and re-check every event).\n"
       << "tree_size = " << state.head.tree_size() << "\n"
       << "timestamp_unix_micros = " << state.head.timestamp_unix_micros() << "\n"
       << "root_hash = \"" << Hex(state.head.root_hash()) << "\"\n"
       << "signature = \"" << Hex(state.head.signature()) << "\"\n"
       << "frontier = [";
  for (size_t i = 0; i < state.frontier.size(); ++i) {
    text << (i == 0 ? "" : ", ") << "\"" << state.frontier[i].first << ":"
         << Hex(state.frontier[i].second) << "\"";
  }
  text << "]\n";
  const std::string content = text.str();
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::PermissionDeniedError("cannot write audit state " + tmp);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      ::close(fd);
      return absl::InternalError("writing audit state " + tmp + " failed");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return absl::InternalError("writing audit state " + tmp + " failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError("cannot replace audit state " + path);
  }
  return absl::OkStatus();
}

}  // namespace jijian::client
