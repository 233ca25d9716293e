// Identity unsealing under dual control, over real mutual TLS: sealed by default for
// everyone; a registrar's request with a reason; a leader who is not the requester decides;
// the identity opens to the requester only, until it expires and is sealed again by the
// server; every step and view is an audit event; auditors list the unsealings without
// reasons (also through the real CLI).
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <thread>

#include "jijian/v1/petition.grpc.pb.h"
#include "jijian/v1/unseal.grpc.pb.h"
#include "storage/audit.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

constexpr char kIdNumber[] = "11010519491231002X";

class UnsealTest : public ::testing::Test {
 protected:
  void StartWith(absl::Duration ttl) {
    deploy_ = TestDeployment::Start([ttl](server::ServerConfig& c) { c.unseal_ttl = ttl; });
    ASSERT_NE(deploy_, nullptr);
    for (const auto& [user, roles] :
         std::vector<std::pair<std::string, std::string>>{{"reg", "registrar"},
                                                          {"reg2", "registrar"},
                                                          {"ldr", "leader"},
                                                          {"regldr", "registrar,leader"},
                                                          {"aud", "auditor"}}) {
      profiles_[user] = deploy_->AddUser(user, roles);
    }
    auto reg = v1::PetitionService::NewStub(deploy_->Channel(profiles_["reg"]));
    v1::RegisterPetitionRequest req;
    req.set_request_id("p-1");
    req.set_channel(v1::CHANNEL_VISIT);
    req.set_category(v1::CATEGORY_ACCUSATION);
    req.mutable_reporter()->set_name("举报人赵");
    req.mutable_reporter()->set_id_number(kIdNumber);
    v1::Subject* s = req.add_subjects();
    s->set_name("被反映人钱");
    s->set_unit("某局");
    req.set_summary("反映问题");
    req.set_content("详情");
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse resp;
    ASSERT_TRUE(reg->RegisterPetition(&ctx, req, &resp).ok());
    petition_ = resp.petition().id();
  }

  std::unique_ptr<v1::IdentityService::Stub> Identity(const std::string& user) {
    return v1::IdentityService::NewStub(deploy_->Channel(profiles_.at(user)));
  }

  // Shows the petition with reveal_identity as user.
  grpc::Status Reveal(const std::string& user, v1::Petition* out = nullptr) {
    auto stub = v1::PetitionService::NewStub(deploy_->Channel(profiles_.at(user)));
    grpc::ClientContext ctx;
    v1::GetPetitionRequest req;
    req.set_id(petition_);
    req.set_reveal_identity(true);
    v1::GetPetitionResponse resp;
    grpc::Status st = stub->GetPetition(&ctx, req, &resp);
    if (out) *out = resp.petition();
    return st;
  }

  grpc::Status Ask(const std::string& user, v1::UnsealRequest* out) {
    v1::RequestUnsealRequest req;
    req.set_request_id("u-" + std::to_string(n_++));
    req.set_petition_id(petition_);
    req.set_reason("需核实举报人身份以便当面反馈");
    grpc::ClientContext ctx;
    v1::UnsealResponse resp;
    grpc::Status st = Identity(user)->RequestUnseal(&ctx, req, &resp);
    *out = resp.unseal();
    return st;
  }

  grpc::Status Decide(const std::string& user, const std::string& id, bool approve,
                      const std::string& reason = "") {
    v1::DecideUnsealRequest req;
    req.set_request_id("d-" + std::to_string(n_++));
    req.set_id(id);
    req.set_reason(reason);
    grpc::ClientContext ctx;
    v1::UnsealResponse resp;
    auto stub = Identity(user);
    return approve ? stub->ApproveUnseal(&ctx, req, &resp) : stub->RefuseUnseal(&ctx, req, &resp);
  }

  std::vector<storage::AuditEvent> Events() {
    return *deploy_->server().store().Read<std::vector<storage::AuditEvent>>(
        [](storage::Db& db) -> absl::StatusOr<std::vector<storage::AuditEvent>> {
          absl::StatusOr<int64_t> n = storage::AuditLogSize(db);
          if (!n.ok()) return n.status();
          return storage::ReadAuditEvents(db, 0, *n);
        });
  }

  int Count(const std::string& action) {
    int n = 0;
    for (const auto& e : Events()) n += e.action == action;
    return n;
  }

  int n_ = 0;
  std::string petition_;
  std::map<std::string, std::string> profiles_;
  std::unique_ptr<TestDeployment> deploy_;
};

TEST_F(UnsealTest, DualControlOpensTheIdentityToTheRequesterOnly) {
  StartWith(absl::Hours(24));
  v1::Petition p;
  // Sealed for everyone by default, even the registrar and the leader; nothing is logged.
  const size_t before = Events().size();
  for (const char* user : {"reg", "ldr"}) {
    grpc::Status st = Reveal(user);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED) << user;
    EXPECT_NE(st.error_message().find("unseal-request"), std::string::npos);
  }
  EXPECT_EQ(Events().size(), before);

  // No self-approval: a registrar who is also a leader cannot approve their own request.
  v1::UnsealRequest own;
  ASSERT_TRUE(Ask("regldr", &own).ok());
  EXPECT_EQ(own.id().substr(0, 3), "JM-");
  EXPECT_EQ(Decide("regldr", own.id(), true).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // A refusal needs a reason; a refused request opens nothing.
  EXPECT_EQ(Decide("ldr", own.id(), false).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(Decide("ldr", own.id(), false, "理由不充分").ok());
  EXPECT_EQ(Reveal("regldr").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Decide("ldr", own.id(), true).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  v1::UnsealRequest mine;
  ASSERT_TRUE(Ask("reg", &mine).ok());
  EXPECT_EQ(mine.state(), v1::UNSEAL_PENDING);
  EXPECT_EQ(Reveal("reg").error_code(), grpc::StatusCode::PERMISSION_DENIED);  // not yet
  ASSERT_TRUE(Decide("ldr", mine.id(), true).ok());
  ASSERT_TRUE(Reveal("reg", &p).ok());
  EXPECT_EQ(p.reporter().name(), "举报人赵");
  EXPECT_EQ(p.reporter().id_number(), kIdNumber);
  // Only the requester: another registrar and the approving leader stay sealed out.
  EXPECT_EQ(Reveal("reg2").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Reveal("ldr").error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Reveal("reg", &p).ok());

  EXPECT_EQ(Count("petition.unseal_requested"), 2);
  EXPECT_EQ(Count("petition.unseal_refused"), 1);
  EXPECT_EQ(Count("petition.unseal_approved"), 1);
  EXPECT_EQ(Count("petition.reveal_identity"), 2);
  for (const auto& e : Events()) {
    EXPECT_EQ(e.reason.find("举报人赵"), std::string::npos);
    EXPECT_EQ(e.reason.find("需核实"), std::string::npos);  // the reason is content
  }

  // Auditors list every request, with views and without reasons.
  grpc::ClientContext ctx;
  v1::ListUnsealingsResponse list;
  ASSERT_TRUE(Identity("aud")->ListUnsealings(&ctx, v1::ListUnsealingsRequest(), &list).ok());
  ASSERT_EQ(list.unsealings_size(), 2);
  EXPECT_EQ(list.unsealings(1).id(), mine.id());
  EXPECT_EQ(list.unsealings(1).views(), 2);
  EXPECT_EQ(list.unsealings(1).decided_by(), "ldr");
  EXPECT_TRUE(list.unsealings(1).reason().empty());
  CommandResult cli = RunBinary("jijian", {"--profile", profiles_["aud"], "audit", "unsealings"});
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_NE(cli.out.find(mine.id()), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("approved"), std::string::npos) << cli.out;
  EXPECT_EQ(cli.out.find("需核实"), std::string::npos) << cli.out;
}

TEST_F(UnsealTest, AnApprovalExpiresAndTheServerSealsItAgain) {
  StartWith(absl::Milliseconds(1500));
  v1::UnsealRequest mine;
  ASSERT_TRUE(Ask("reg", &mine).ok());
  ASSERT_TRUE(Decide("ldr", mine.id(), true).ok());
  ASSERT_TRUE(Reveal("reg").ok());
  // Poll (bounded) until the server has written the expiry; no timing is asserted.
  bool expired = false;
  for (int i = 0; i < 100 && !expired; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    expired = Count("petition.unseal_expired") == 1;
  }
  ASSERT_TRUE(expired) << "no expiry event within 10 s";
  grpc::Status st = Reveal("reg");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext ctx;
  v1::ListUnsealingsRequest req;
  req.set_petition_id(petition_);
  v1::ListUnsealingsResponse list;
  ASSERT_TRUE(Identity("ldr")->ListUnsealings(&ctx, req, &list).ok());
  ASSERT_EQ(list.unsealings_size(), 1);
  EXPECT_EQ(list.unsealings(0).state(), v1::UNSEAL_EXPIRED);
  EXPECT_EQ(list.unsealings(0).views(), 1);
  EXPECT_FALSE(list.unsealings(0).reason().empty());  // a leader sees why
  // The CLI path of a registrar: request prints the id; show without approval is refused.
  CommandResult ask = RunBinary("jijian", {"--profile", profiles_["reg"], "petition",
                                           "unseal-request", petition_, "--reason", "再次核实"});
  ASSERT_EQ(ask.exit_code, 0) << ask.err;
  EXPECT_NE(ask.out.find("JM-"), std::string::npos) << ask.out;
  CommandResult show = RunBinary("jijian", {"--profile", profiles_["reg"], "petition", "show",
                                            petition_, "--reveal-identity"});
  EXPECT_EQ(show.exit_code, 1);
  EXPECT_NE(show.err.find("PERMISSION_DENIED"), std::string::npos) << show.err;
}

}  // namespace
}  // namespace jijian::testing
