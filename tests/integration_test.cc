// The staff port over real mutual TLS on loopback: authentication, authorization,
// idempotency, optimistic concurrency, validation, health checking and reflection.
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>

#include "jijian/v1/admin.grpc.pb.h"
#include "server/pki.h"
#include "storage/audit.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

class IntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    admin_ = v1::AdminService::NewStub(deploy_->Channel(deploy_->admin_profile()));
  }

  grpc::Status WhoAmI(const std::shared_ptr<grpc::Channel>& channel, v1::WhoAmIResponse* resp) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return v1::AdminService::NewStub(channel)->WhoAmI(&ctx, v1::WhoAmIRequest(), resp);
  }

  int64_t AuditLogSize() { return deploy_->AuditLogSize(); }

  client::Profile AdminProfile() { return *client::LoadProfile(deploy_->admin_profile()); }

  std::unique_ptr<TestDeployment> deploy_;
  std::unique_ptr<v1::AdminService::Stub> admin_;
};

TEST_F(IntegrationTest, AdminIsRecognisedByCertificate) {
  v1::WhoAmIResponse resp;
  grpc::Status st = WhoAmI(deploy_->Channel(deploy_->admin_profile()), &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(resp.user().user_id(), "admin");
  ASSERT_EQ(resp.user().roles_size(), 1);
  EXPECT_EQ(resp.user().roles(0), v1::ROLE_ADMIN);
  absl::StatusOr<server::CertInfo> info = server::InspectCert(AdminProfile().cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(resp.certificate_fingerprint_sha256(), info->fingerprint_sha256);
}

TEST_F(IntegrationTest, NoClientCertificateIsRefused) {
  client::Profile p = AdminProfile();
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = p.ca_pem;  // trusts the server, presents nothing
  auto channel = grpc::CreateChannel(p.server, grpc::SslCredentials(tls));
  v1::WhoAmIResponse resp;
  grpc::Status st = WhoAmI(channel, &resp);
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAVAILABLE) << st.error_message();
  EXPECT_TRUE(resp.user().user_id().empty());
}

TEST_F(IntegrationTest, CertificateFromAnotherCaIsRefused) {
  absl::StatusOr<server::KeyAndCert> other_ca =
      server::CreateCa("jijian deployment CA", absl::Hours(24));
  ASSERT_TRUE(other_ca.ok());
  absl::StatusOr<server::KeyAndCert> forged =
      server::IssueClientCert(*other_ca, "admin", absl::Hours(24));
  ASSERT_TRUE(forged.ok());
  client::Profile p = AdminProfile();
  p.cert_pem = forged->cert_pem;
  p.key_pem = forged->key_pem;
  v1::WhoAmIResponse resp;
  grpc::Status st = WhoAmI(TestDeployment::Channel(p), &resp);
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(resp.user().user_id().empty());
}

TEST_F(IntegrationTest, CertificateFromOurCaButNeverIssuedIsUnauthenticated) {
  // Someone with the CA key but not the database (e.g. a stolen backup of pki/) mints a cert.
  server::KeyAndCert ca{ReadFile(deploy_->data_dir() + "/pki/ca.key"),
                        ReadFile(deploy_->data_dir() + "/pki/ca.crt")};
  absl::StatusOr<server::KeyAndCert> minted = server::IssueClientCert(ca, "admin", absl::Hours(24));
  ASSERT_TRUE(minted.ok()) << minted.status();
  client::Profile p = AdminProfile();
  p.cert_pem = minted->cert_pem;
  p.key_pem = minted->key_pem;
  v1::WhoAmIResponse resp;
  grpc::Status st = WhoAmI(TestDeployment::Channel(p), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
}

TEST_F(IntegrationTest, DisabledUserIsRefused) {
  std::string profile = deploy_->AddUser("wang.wu", "registrar");
  v1::WhoAmIResponse resp;
  ASSERT_TRUE(WhoAmI(deploy_->Channel(profile), &resp).ok());
  EXPECT_EQ(resp.user().user_id(), "wang.wu");

  v1::DisableUserRequest req;
  req.set_request_id("disable-1");
  req.set_user_id("wang.wu");
  req.set_expected_version(resp.user().version());
  grpc::ClientContext ctx;
  v1::DisableUserResponse out;
  ASSERT_TRUE(admin_->DisableUser(&ctx, req, &out).ok());
  EXPECT_FALSE(out.user().enabled());

  grpc::Status st = WhoAmI(deploy_->Channel(profile), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(st.error_message().find("disabled"), std::string::npos);
}

TEST_F(IntegrationTest, RevokedCertificateIsRefusedOnTheNextCall) {
  std::string profile = deploy_->AddUser("zhao.liu", "auditor");
  v1::WhoAmIResponse resp;
  auto channel = deploy_->Channel(profile);
  ASSERT_TRUE(WhoAmI(channel, &resp).ok());
  v1::RevokeCertificateRequest req;
  req.set_request_id("revoke-1");
  req.set_serial_hex(resp.certificate_serial_hex());
  grpc::ClientContext ctx;
  v1::RevokeCertificateResponse out;
  ASSERT_TRUE(admin_->RevokeCertificate(&ctx, req, &out).ok());
  EXPECT_GT(out.certificate().revoked_unix(), 0);
  // Same open connection, no restart: refused.
  grpc::Status st = WhoAmI(channel, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(st.error_message().find("revoked"), std::string::npos);
}

TEST_F(IntegrationTest, UserWithoutTheRoleIsPermissionDenied) {
  std::string profile = deploy_->AddUser("qian.qi", "registrar,inspector");
  auto stub = v1::AdminService::NewStub(deploy_->Channel(profile));
  grpc::ClientContext ctx;
  v1::ListUsersResponse resp;
  grpc::Status st = stub->ListUsers(&ctx, v1::ListUsersRequest(), &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(st.error_message().find("admin"), std::string::npos);
  EXPECT_EQ(resp.users_size(), 0);
}

TEST_F(IntegrationTest, RetriedAddUserReturnsTheFirstResult) {
  v1::AddUserRequest req;
  req.set_request_id("same-request");
  req.set_user_id("sun.ba");
  req.set_display_name("孙八");
  req.add_roles(v1::ROLE_LEADER);
  v1::AddUserResponse first, second;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(admin_->AddUser(&ctx, req, &first).ok());
  }
  const int64_t events = AuditLogSize();
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(admin_->AddUser(&ctx, req, &second).ok());
  }
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(AuditLogSize(), events);  // nothing written twice
  // A new request id for the same user is a new attempt, refused as a duplicate.
  req.set_request_id("another-request");
  grpc::ClientContext ctx;
  grpc::Status st = admin_->AddUser(&ctx, req, &second);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(st.error_message().find("user_id"), std::string::npos);
}

TEST_F(IntegrationTest, StaleVersionIsAbortedAndChangesNothing) {
  deploy_->AddUser("zhou.jiu", "inspector");
  v1::DisableUserRequest req;
  req.set_request_id("stale");
  req.set_user_id("zhou.jiu");
  req.set_expected_version(7);
  grpc::ClientContext ctx;
  v1::DisableUserResponse out;
  grpc::Status st = admin_->DisableUser(&ctx, req, &out);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::ABORTED);
  v1::WhoAmIResponse resp;
  EXPECT_TRUE(
      WhoAmI(deploy_->Channel(deploy_->data_dir() + "/profiles/zhou.jiu.toml"), &resp).ok());
}

TEST_F(IntegrationTest, BadInputNamesTheFieldAndWritesNothing) {
  const int64_t events = AuditLogSize();
  struct Case {
    std::string user_id, name;
    std::vector<int> roles;
    std::string field;
  };
  std::vector<Case> cases = {
      {"Bad Id", "X", {v1::ROLE_ADMIN}, "user_id"},
      {"ok.id", "", {v1::ROLE_ADMIN}, "display_name"},
      // (Invalid UTF-8 in a proto3 string never reaches a handler: protobuf refuses it.)
      {"ok.id", "tab\there", {v1::ROLE_ADMIN}, "display_name"},
      {"ok.id", std::string(101, 'a'), {v1::ROLE_ADMIN}, "display_name"},
      {"ok.id", "X", {}, "roles"},
      {"ok.id", "X", {99}, "roles"},
      {"ok.id", "X", {v1::ROLE_LEADER, v1::ROLE_LEADER}, "roles"},
  };
  for (const Case& c : cases) {
    v1::AddUserRequest req;
    req.set_request_id("bad-" + c.field + std::to_string(&c - cases.data()));
    req.set_user_id(c.user_id);
    req.set_display_name(c.name);
    for (int r : c.roles) req.add_roles(static_cast<v1::Role>(r));
    grpc::ClientContext ctx;
    v1::AddUserResponse resp;
    grpc::Status st = admin_->AddUser(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(st.error_message().rfind(c.field, 0), 0u) << st.error_message();
  }
  v1::AddUserRequest no_id;
  no_id.set_user_id("ok.id");
  no_id.set_display_name("X");
  no_id.add_roles(v1::ROLE_ADMIN);
  grpc::ClientContext ctx;
  v1::AddUserResponse resp;
  EXPECT_EQ(admin_->AddUser(&ctx, no_id, &resp).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(AuditLogSize(), events);
}

TEST_F(IntegrationTest, EveryChangeIsAnAuditEventNamingActorRoleAndCertificate) {
  const int64_t before = AuditLogSize();
  deploy_->AddUser("wu.shi", "reviewer");
  std::vector<storage::AuditEvent> events =
      *deploy_->server().store().Read<std::vector<storage::AuditEvent>>(
          [&](storage::Db& db) { return storage::ReadAuditEvents(db, before, before + 10); });
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].action, "user.add");
  EXPECT_EQ(events[0].object_id, "wu.shi");
  EXPECT_EQ(events[1].action, "cert.issue");
  for (const auto& e : events) {
    EXPECT_EQ(e.actor, "admin");
    EXPECT_EQ(e.role, "admin");
    EXPECT_EQ(e.cert_fingerprint, server::InspectCert(AdminProfile().cert_pem)->fingerprint_sha256);
    EXPECT_FALSE(e.request_id.empty());
  }
}

TEST_F(IntegrationTest, HealthCheckingIsServing) {
  grpc::GenericStub stub(deploy_->Channel(deploy_->admin_profile()));
  grpc::ByteBuffer request, response;  // empty HealthCheckRequest: the whole server
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  grpc::ClientContext ctx;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status st) { done.set_value(st); });
  grpc::Status st = done.get_future().get();
  ASSERT_TRUE(st.ok()) << st.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
}

TEST_F(IntegrationTest, ReflectionListsTheServices) {
  grpc::GenericStub stub(deploy_->Channel(deploy_->admin_profile()));
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  auto call =
      stub.PrepareCall(&ctx, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag;
  bool ok;
  call->StartCall(reinterpret_cast<void*>(1));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::Slice list_services(std::string("\x3a\x00", 2));  // list_services: ""
  grpc::ByteBuffer req(&list_services, 1);
  call->Write(req, reinterpret_cast<void*>(2));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  grpc::ByteBuffer resp;
  call->Read(&resp, reinterpret_cast<void*>(3));
  ASSERT_TRUE(cq.Next(&tag, &ok) && ok);
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(resp.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_NE(bytes.find("jijian.v1.AdminService"), std::string::npos);
  EXPECT_NE(bytes.find("grpc.health.v1.Health"), std::string::npos);
  call->WritesDone(reinterpret_cast<void*>(4));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  grpc::Status st;
  call->Finish(&st, reinterpret_cast<void*>(5));
  ASSERT_TRUE(cq.Next(&tag, &ok));
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace jijian::testing
