#include "server/domain/policy.h"

#include <set>

#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "jijian/v1/admin.pb.h"
#include "jijian/v1/audit.pb.h"
#include "jijian/v1/case.pb.h"
#include "jijian/v1/lead.pb.h"
#include "jijian/v1/disposition.pb.h"
#include "jijian/v1/petition.pb.h"
#include "jijian/v1/unseal.pb.h"

namespace jijian::server::domain {
namespace {

TEST(RolesTest, EveryRoleNameRoundTrips) {
  for (Role role : AllRoles()) {
    absl::StatusOr<Role> parsed = ParseRole(RoleName(role));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, role);
  }
  EXPECT_EQ(AllRoles().size(), 7u);
}

TEST(RolesTest, UnknownRoleNamesTheAllowedOnes) {
  absl::Status st = ParseRole("boss").status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("case-manager"), std::string::npos);
  EXPECT_FALSE(ParseRoleList("").ok());
  absl::StatusOr<std::vector<Role>> list = ParseRoleList("leader, auditor,leader");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, (std::vector<Role>{v1::ROLE_LEADER, v1::ROLE_AUDITOR}));
}

TEST(PolicyTest, EveryServiceMethodHasExactlyOneRow) {
  std::set<std::string> rows;
  for (const PolicyRow& row : PolicyTable()) {
    EXPECT_TRUE(rows.insert(std::string(row.rpc)).second) << "duplicate row " << row.rpc;
    EXPECT_FALSE(row.roles.empty()) << row.rpc;
  }
  const google::protobuf::ServiceDescriptor* services[] = {
      v1::WhoAmIRequest::descriptor()->file()->FindServiceByName("AdminService"),
      v1::GetTreeHeadRequest::descriptor()->file()->FindServiceByName("AuditService"),
      v1::Petition::descriptor()->file()->FindServiceByName("PetitionService"),
      v1::Lead::descriptor()->file()->FindServiceByName("LeadService"),
      v1::Case::descriptor()->file()->FindServiceByName("CaseService"),
      v1::Disposition::descriptor()->file()->FindServiceByName("DispositionService"),
      v1::Disposition::descriptor()->file()->FindServiceByName("StatsService"),
      v1::UnsealRequest::descriptor()->file()->FindServiceByName("IdentityService"),
  };
  std::set<std::string> methods;
  for (const auto* service : services) {
    ASSERT_NE(service, nullptr);
    for (int i = 0; i < service->method_count(); ++i) {
      methods.insert("/" + service->full_name() + "/" + service->method(i)->name());
    }
  }
  EXPECT_EQ(rows, methods);
}

// ReporterService lives on the reporter port only; a staff role must never reach it.
TEST(PolicyTest, TheReporterServiceIsNotAStaffRpc) {
  const auto* reporter = v1::Petition::descriptor()->file()->FindServiceByName("ReporterService");
  ASSERT_NE(reporter, nullptr);
  for (const PolicyRow& row : PolicyTable()) {
    EXPECT_EQ(row.rpc.find("/jijian.v1.ReporterService/"), std::string_view::npos) << row.rpc;
  }
  for (int i = 0; i < reporter->method_count(); ++i) {
    const std::string rpc = "/jijian.v1.ReporterService/" + reporter->method(i)->name();
    for (Role role : AllRoles()) EXPECT_FALSE(AuthorizeRpc(rpc, {role}).ok()) << rpc;
  }
}

TEST(PolicyTest, AuthorizeWalksTheTable) {
  for (const PolicyRow& row : PolicyTable()) {
    for (Role role : AllRoles()) {
      bool allowed = std::find(row.roles.begin(), row.roles.end(), role) != row.roles.end();
      absl::StatusOr<Role> got = AuthorizeRpc(row.rpc, {role});
      EXPECT_EQ(got.ok(), allowed) << row.rpc << " " << RoleName(role);
      if (!allowed) {
        EXPECT_EQ(got.status().code(), absl::StatusCode::kPermissionDenied);
      }
    }
  }
}

TEST(PolicyTest, ActingRoleIsTheFirstAllowedOfTheCaller) {
  absl::StatusOr<Role> r =
      AuthorizeRpc("/jijian.v1.AdminService/AddUser", {v1::ROLE_AUDITOR, v1::ROLE_ADMIN});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, v1::ROLE_ADMIN);
  absl::Status denied =
      AuthorizeRpc("/jijian.v1.AdminService/AddUser", {v1::ROLE_AUDITOR}).status();
  EXPECT_NE(denied.message().find("admin"), std::string::npos);
  EXPECT_NE(denied.message().find("auditor"), std::string::npos);
  EXPECT_EQ(AuthorizeRpc("/jijian.v1.Nope/Nothing", {v1::ROLE_ADMIN}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(AuthorizeRpc("/jijian.v1.AdminService/WhoAmI", {}).ok());
}

}  // namespace
}  // namespace jijian::server::domain
