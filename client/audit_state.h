// The client's audit state: the newest signed tree head it has verified, and the complete
// subtrees of that tree (so the next `jijian audit verify` checks only the events added
// since). Kept beside the profile as PROFILE.audit-state (TOML, mode 0600).
#ifndef JIJIAN_CLIENT_AUDIT_STATE_H_
#define JIJIAN_CLIENT_AUDIT_STATE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "jijian/v1/audit.pb.h"

namespace jijian::client {

struct AuditState {
  v1::SignedTreeHead head;
  // The complete subtrees (level, hash) of head's tree, levels decreasing; empty when the
  // events have not been checked one by one (only the head and consistency were).
  std::vector<std::pair<int, std::string>> frontier;
};

// The state file of a profile: profile_path + ".audit-state".
std::string AuditStatePath(const std::string& profile_path);

// Reads a state file: nullopt if it does not exist; INVALID_ARGUMENT if it is malformed.
absl::StatusOr<std::optional<AuditState>> LoadAuditState(const std::string& path);

// Replaces the state file atomically (write to a temporary file, fsync, rename), mode 0600.
absl::Status SaveAuditState(const AuditState& state, const std::string& path);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_AUDIT_STATE_H_
