#include "server/domain/policy.h"

#include <algorithm>

namespace jijian::server::domain {
namespace {

constexpr Role kRegistrar = v1::ROLE_REGISTRAR;
constexpr Role kCaseManager = v1::ROLE_CASE_MANAGER;
constexpr Role kInspector = v1::ROLE_INSPECTOR;
constexpr Role kReviewer = v1::ROLE_REVIEWER;
constexpr Role kLeader = v1::ROLE_LEADER;
constexpr Role kAuditor = v1::ROLE_AUDITOR;
constexpr Role kAdmin = v1::ROLE_ADMIN;

}  // namespace

const std::vector<PolicyRow>& PolicyTable() {
  // clang-format off
  static const std::vector<PolicyRow> kTable = {
    // rpc                                           roles allowed
    {"/jijian.v1.AdminService/WhoAmI",              {kRegistrar, kCaseManager, kInspector, kReviewer, kLeader, kAuditor, kAdmin}},
    {"/jijian.v1.AdminService/AddUser",             {kAdmin}},
    {"/jijian.v1.AdminService/GetUser",             {kAdmin}},
    {"/jijian.v1.AdminService/ListUsers",           {kAdmin}},
    {"/jijian.v1.AdminService/DisableUser",         {kAdmin}},
    {"/jijian.v1.AdminService/IssueCertificate",    {kAdmin}},
    {"/jijian.v1.AdminService/RevokeCertificate",   {kAdmin}},
  };
  // clang-format on
  return kTable;
}

absl::StatusOr<Role> AuthorizeRpc(std::string_view rpc, const std::vector<Role>& caller_roles) {
  const auto& table = PolicyTable();
  auto row = std::find_if(table.begin(), table.end(),
                          [&](const PolicyRow& r) { return r.rpc == rpc; });
  if (row == table.end()) {
    return absl::PermissionDeniedError(std::string(rpc) + " is not in the policy table");
  }
  for (Role role : caller_roles) {
    if (std::find(row->roles.begin(), row->roles.end(), role) != row->roles.end()) return role;
  }
  return absl::PermissionDeniedError(std::string(rpc) + " needs one of the roles " +
                                     JoinRoleNames(row->roles) + "; the caller has " +
                                     (caller_roles.empty() ? "none" : JoinRoleNames(caller_roles)));
}

}  // namespace jijian::server::domain
