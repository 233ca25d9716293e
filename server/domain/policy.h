// The authorization policy: one table of RPC × roles, consulted before every handler.
// Later features add rows; anything not in the table is refused.
#ifndef JIJIAN_SERVER_DOMAIN_POLICY_H_
#define JIJIAN_SERVER_DOMAIN_POLICY_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "server/domain/roles.h"

namespace jijian::server::domain {

// One row: the full gRPC method name and the roles allowed to call it.
struct PolicyRow {
  std::string_view rpc;  // "/jijian.v1.AdminService/AddUser"
  std::vector<Role> roles;
};

// The whole policy table.
const std::vector<PolicyRow>& PolicyTable();

// Returns the role under which a caller holding roles may call rpc (the first of the
// caller's roles that the row allows, in the caller's order). PERMISSION_DENIED naming the
// rpc, the roles it needs and the caller's roles otherwise; an rpc missing from the table
// is denied to everyone.
absl::StatusOr<Role> AuthorizeRpc(std::string_view rpc, const std::vector<Role>& caller_roles);

// Renders PolicyTable() as a Markdown table: one row per RPC ("Service/Method", in table
// order), one column per role (AllRoles() order), "✓" where the role may call the RPC.
// docs/security.md carries this text between kPolicyTableBegin and kPolicyTableEnd;
// tests/docs_test.cc fails when the two differ, and `jijian-policy-table --update FILE`
// (server/tools/print_policy.cc) rewrites the block. Pure.
std::string PolicyTableMarkdown();

// The markers around the rendered table in docs/security.md.
inline constexpr std::string_view kPolicyTableBegin = "<!-- policy-table:begin -->";
inline constexpr std::string_view kPolicyTableEnd = "<!-- policy-table:end -->";

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_POLICY_H_
