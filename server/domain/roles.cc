#include "server/domain/roles.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace jijian::server::domain {
namespace {

struct RoleEntry {
  Role role;
  std::string_view name;
};

// Role table: enum value and its stable name (DOMAIN.md §1).
constexpr RoleEntry kRoles[] = {
    {v1::ROLE_REGISTRAR, "registrar"},        // 信访举报部门 / 信访室
    {v1::ROLE_CASE_MANAGER, "case-manager"},  // 案件监督管理部门 / 案管室
    {v1::ROLE_INSPECTOR, "inspector"},        // 监督检查室 / 审查调查室
    {v1::ROLE_REVIEWER, "reviewer"},          // 案件审理室
    {v1::ROLE_LEADER, "leader"},              // 分管领导 / 主要负责人
    {v1::ROLE_AUDITOR, "auditor"},            // 审计 / 监督
    {v1::ROLE_ADMIN, "admin"},                // 系统管理员
};

std::string AllowedNames() {
  std::string out;
  for (const RoleEntry& e : kRoles) {
    if (!out.empty()) out += ", ";
    out += e.name;
  }
  return out;
}

}  // namespace

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> kAll = [] {
    std::vector<Role> all;
    for (const RoleEntry& e : kRoles) all.push_back(e.role);
    return all;
  }();
  return kAll;
}

std::string_view RoleName(Role role) {
  for (const RoleEntry& e : kRoles) {
    if (e.role == role) return e.name;
  }
  return "unspecified";
}

absl::StatusOr<Role> ParseRole(std::string_view name) {
  for (const RoleEntry& e : kRoles) {
    if (e.name == name) return e.role;
  }
  return absl::InvalidArgumentError("role \"" + std::string(name) + "\": must be one of " +
                                    AllowedNames());
}

absl::StatusOr<std::vector<Role>> ParseRoleList(std::string_view names) {
  std::vector<Role> roles;
  for (absl::string_view part :
       absl::StrSplit(absl::string_view(names.data(), names.size()), ',', absl::SkipWhitespace())) {
    part = absl::StripAsciiWhitespace(part);
    absl::StatusOr<Role> role = ParseRole(std::string_view(part.data(), part.size()));
    if (!role.ok()) return role.status();
    if (std::find(roles.begin(), roles.end(), *role) == roles.end()) roles.push_back(*role);
  }
  if (roles.empty()) {
    return absl::InvalidArgumentError("roles: at least one role is required (one of " +
                                      AllowedNames() + ")");
  }
  return roles;
}

std::string JoinRoleNames(const std::vector<Role>& roles) {
  std::string out;
  for (Role r : roles) {
    if (!out.empty()) out += ",";
    out += RoleName(r);
  }
  return out;
}

}  // namespace jijian::server::domain
