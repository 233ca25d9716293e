// Walks the whole policy table (RPC × role) against a live server: a user holding only
// one role calls every RPC; the server must refuse exactly the calls the table forbids.
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>

#include "server/domain/policy.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

grpc::Status CallEmpty(const std::shared_ptr<grpc::Channel>& channel, const std::string& method) {
  grpc::GenericStub stub(channel);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status st) { done.set_value(st); });
  return done.get_future().get();
}

TEST(PolicyMatrixTest, EveryRpcRefusesExactlyTheRolesTheTableForbids) {
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start();
  ASSERT_NE(deploy, nullptr);
  std::map<server::domain::Role, std::shared_ptr<grpc::Channel>> channels;
  for (server::domain::Role role : server::domain::AllRoles()) {
    std::string name(server::domain::RoleName(role));
    std::string user = "only-" + name;
    channels[role] = deploy->Channel(deploy->AddUser(user, name));
  }
  int checked = 0;
  for (const server::domain::PolicyRow& row : server::domain::PolicyTable()) {
    for (server::domain::Role role : server::domain::AllRoles()) {
      bool allowed = std::find(row.roles.begin(), row.roles.end(), role) != row.roles.end();
      grpc::Status st = CallEmpty(channels[role], std::string(row.rpc));
      if (allowed) {
        EXPECT_NE(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << row.rpc << " as " << server::domain::RoleName(role) << ": " << st.error_message();
        EXPECT_NE(st.error_code(), grpc::StatusCode::UNIMPLEMENTED) << row.rpc;
      } else {
        EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED)
            << row.rpc << " as " << server::domain::RoleName(role);
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(server::domain::PolicyTable().size() *
                                      server::domain::AllRoles().size()));
}

}  // namespace
}  // namespace jijian::testing
