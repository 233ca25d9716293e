// Staff roles (DOMAIN.md §1) and their names on the wire, in the CLI and in the database.
#ifndef JIJIAN_SERVER_DOMAIN_ROLES_H_
#define JIJIAN_SERVER_DOMAIN_ROLES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jijian/v1/common.pb.h"

namespace jijian::server::domain {

using ::jijian::v1::Role;

// Every role a user can hold, in DOMAIN.md order.
const std::vector<Role>& AllRoles();

// "registrar", "case-manager", "inspector", "reviewer", "leader", "auditor", "admin".
std::string_view RoleName(Role role);

// Parses one role name; INVALID_ARGUMENT naming the allowed names otherwise.
absl::StatusOr<Role> ParseRole(std::string_view name);

// Parses "a,b,c" into distinct roles (at least one).
absl::StatusOr<std::vector<Role>> ParseRoleList(std::string_view names);

// "a,b,c".
std::string JoinRoleNames(const std::vector<Role>& roles);

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_ROLES_H_
