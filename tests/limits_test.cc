// Limits and hostile input on both ports, against a live server: the staff port's message
// size, list and string limits naming the field, invalid UTF-8, the material cap of the
// reporter port, deadlines (a write whose caller gave up is whole or absent, and its retry
// tells which), and a client that opens a call without finishing it does not hold the
// writer. Every refusal writes nothing (the audit log does not grow).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>

#include "jijian/v1/disposition.grpc.pb.h"
#include "jijian/v1/lead.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "server/domain/petition_validate.h"
#include "storage/audit.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

constexpr char kIdNumber[] = "11010519491231002X";
constexpr int kStaffMaxMessageBytes = 4 * 1024 * 1024;

int64_t AuditLogSize(TestDeployment& d) {
  return *d.server().store().Read<int64_t>(
      [](storage::Db& db) { return storage::AuditLogSize(db); });
}

v1::RegisterPetitionRequest Petition(const std::string& request_id) {
  v1::RegisterPetitionRequest req;
  req.set_request_id(request_id);
  req.set_channel(v1::CHANNEL_LETTER);
  req.set_category(v1::CATEGORY_ACCUSATION);
  req.set_anonymous(true);
  v1::Subject* s = req.add_subjects();
  s->set_name("张三");
  s->set_unit("某县财政局");
  req.set_summary("反映问题");
  req.set_content("详情");
  return req;
}

v1::SubmitPetitionRequest Submission(const std::string& request_id) {
  v1::SubmitPetitionRequest req;
  req.set_request_id(request_id);
  req.set_category(v1::CATEGORY_ACCUSATION);
  req.set_anonymous(true);
  v1::Subject* s = req.add_subjects();
  s->set_name("王五");
  s->set_unit("某县交通局");
  req.set_summary("反映问题");
  req.set_content("门户举报正文");
  return req;
}

// A portal request id: at least 32 characters.
std::string PortalId(int n) { return "limits-test-portal-request-" + std::to_string(100000 + n); }

// Sends raw bytes as the request of method and returns the status.
grpc::Status CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                     const std::string& bytes) {
  grpc::GenericStub stub(channel);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1), response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status st) { done.set_value(st); });
  return done.get_future().get();
}

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    registrar_ = deploy_->Channel(deploy_->AddUser("reg", "registrar"));
  }

  grpc::Status Register(const v1::RegisterPetitionRequest& req,
                        v1::RegisterPetitionResponse* resp = nullptr) {
    auto stub = v1::PetitionService::NewStub(registrar_);
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse ignored;
    return stub->RegisterPetition(&ctx, req, resp ? resp : &ignored);
  }

  grpc::Status Submit(const v1::SubmitPetitionRequest& req,
                      v1::SubmitPetitionResponse* resp = nullptr) {
    auto stub = v1::ReporterService::NewStub(deploy_->ReporterChannel());
    grpc::ClientContext ctx;
    v1::SubmitPetitionResponse ignored;
    return stub->SubmitPetition(&ctx, req, resp ? resp : &ignored);
  }

  std::unique_ptr<TestDeployment> deploy_;
  std::shared_ptr<grpc::Channel> registrar_;
};

TEST_F(LimitsTest, StaffPortRefusesMessagesOverFourMebibytesAndWritesNothing) {
  const int64_t before = AuditLogSize(*deploy_);
  // Over 4 MiB: gRPC refuses it before any handler runs.
  v1::RegisterPetitionRequest huge = Petition("huge");
  huge.set_content(std::string(kStaffMaxMessageBytes + 1, 'a'));
  grpc::Status st = Register(huge);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  // Under 4 MiB the message arrives, and the field's own limit names it.
  v1::RegisterPetitionRequest big = Petition("big");
  big.set_content(std::string(kStaffMaxMessageBytes - 1024, 'a'));
  st = Register(big);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "content: at most 100000 characters");
  EXPECT_EQ(AuditLogSize(*deploy_), before);
  // The limit counts characters, not bytes: 100 000 Chinese characters (300 000 bytes) pass.
  v1::RegisterPetitionRequest widest = Petition("widest");
  std::string content;
  for (size_t i = 0; i < server::domain::kMaxContentChars; ++i) content += "字";
  widest.set_content(content);
  st = Register(widest);
  EXPECT_TRUE(st.ok()) << st.error_message();
}

// One bad field at a time on each port; the error names the field and the rule.
TEST_F(LimitsTest, StringAndListLimitsNameTheFieldOnBothPorts) {
  struct Case {
    const char* what;
    std::function<void(v1::RegisterPetitionRequest&)> staff;
    std::function<void(v1::SubmitPetitionRequest&)> portal;
    const char* says;
  };
  auto subjects = [](auto& r) {
    for (int i = 0; i < 20; ++i) *r.add_subjects() = r.subjects(0);  // 21 in all
  };
  auto disciplines = [](auto& r) {
    r.add_disciplines(v1::DISCIPLINE_INTEGRITY);
    r.add_disciplines(v1::DISCIPLINE_INTEGRITY);
  };
  auto summary = [](auto& r) { r.set_summary(std::string(501, 'x')); };
  auto content = [](auto& r) { r.set_content(std::string(100001, 'x')); };
  auto control = [](auto& r) { r.set_summary("a\x01z"); };
  auto name = [](auto& r) { r.mutable_subjects(0)->set_name(std::string(51, 'x')); };
  auto reporter = [](auto& r) {
    r.set_anonymous(false);
    r.mutable_reporter()->set_name("举报人");
    r.mutable_reporter()->set_id_number(kIdNumber);
    r.mutable_reporter()->set_address(std::string(201, 'x'));
  };
  const std::vector<Case> cases = {
      {"21 subjects", subjects, subjects, "subjects: at most 20"},
      {"a discipline twice", disciplines, disciplines, "disciplines: listed twice"},
      {"long summary", summary, summary, "summary: at most 500 characters"},
      {"long content", content, content, "content: at most 100000 characters"},
      {"control character", control, control, "summary: must not contain control characters"},
      {"long subject name", name, name, "subjects[1].name: at most 50 characters"},
      {"long address", reporter, reporter, "reporter.address: at most 200 characters"},
  };
  const int64_t before = AuditLogSize(*deploy_);
  int n = 0;
  for (const Case& c : cases) {
    v1::RegisterPetitionRequest staff = Petition("bad-" + std::to_string(n));
    c.staff(staff);
    grpc::Status st = Register(staff);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.what;
    EXPECT_EQ(st.error_message(), c.says) << c.what;
    v1::SubmitPetitionRequest portal = Submission(PortalId(n++));
    c.portal(portal);
    st = Submit(portal);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.what;
    EXPECT_EQ(st.error_message(), c.says) << c.what;
  }
  EXPECT_EQ(AuditLogSize(*deploy_), before);
}

// A lead's subjects, a verification team and a decision's measures have their own bounds.
TEST_F(LimitsTest, LeadAndDispositionListsAreBounded) {
  auto cm = deploy_->Channel(deploy_->AddUser("cm", "case-manager"));
  auto insp = deploy_->Channel(deploy_->AddUser("insp", "inspector"));
  auto rev = deploy_->Channel(deploy_->AddUser("rev", "reviewer"));
  const int64_t before = AuditLogSize(*deploy_);
  v1::RegisterLeadRequest lead;
  lead.set_request_id("lead");
  lead.set_source(v1::LEAD_SOURCE_AUDIT);
  lead.set_summary("审计移交");
  for (int i = 0; i < 21; ++i) {
    v1::Subject* s = lead.add_subjects();
    s->set_name("张三");
    s->set_unit("某县财政局");
  }
  grpc::ClientContext c1;
  v1::LeadResponse lead_resp;
  grpc::Status st = v1::LeadService::NewStub(cm)->RegisterLead(&c1, lead, &lead_resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "subjects: at most 20");

  // The team is checked before the lead is looked up: 21 members are refused outright.
  v1::LeadNoteRequest plan;
  plan.set_request_id("plan");
  plan.set_id("XS-2026-000001");
  plan.set_expected_version(1);
  plan.set_text("核查方案");
  for (int i = 0; i < 21; ++i) plan.add_team("member" + std::to_string(i));
  grpc::ClientContext c2;
  st = v1::LeadService::NewStub(insp)->RecordVerificationPlan(&c2, plan, &lead_resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "team: 1 to 20 user ids (核查组)");

  v1::RecordDispositionRequest record;
  record.set_request_id("disp");
  record.set_object_id("LA-2026-000001");
  record.set_subject_index(1);
  for (int i = 0; i < 9; ++i) record.add_measures("party-warning");
  record.add_disciplines(v1::DISCIPLINE_INTEGRITY);
  record.set_reason("理由");
  grpc::ClientContext c3;
  v1::DispositionResponse disp;
  st = v1::DispositionService::NewStub(rev)->RecordDisposition(&c3, record, &disp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "measure: at most 8 measures in one decision");
  EXPECT_EQ(AuditLogSize(*deploy_), before);
}

// Page sizes of lists and the length of a message (here: reporter material).
TEST_F(LimitsTest, PageSizesAndMessageLengthsAreBounded) {
  auto stub = v1::PetitionService::NewStub(registrar_);
  v1::ListPetitionsRequest list;
  list.set_page_size(501);
  grpc::ClientContext c1;
  v1::ListPetitionsResponse petitions;
  grpc::Status st = stub->ListPetitions(&c1, list, &petitions);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "page_size: from 1 to 500 (0 for the default of 50)");
  list.set_page_size(500);
  grpc::ClientContext c2;
  EXPECT_TRUE(stub->ListPetitions(&c2, list, &petitions).ok());

  v1::SubmitPetitionResponse submitted;
  ASSERT_TRUE(Submit(Submission(PortalId(0)), &submitted).ok());
  const int64_t before = AuditLogSize(*deploy_);
  auto portal = v1::ReporterService::NewStub(deploy_->ReporterChannel());
  v1::AddMaterialRequest material;
  material.set_request_id(PortalId(1));
  material.set_receipt_code(submitted.receipt_code());
  material.set_text(std::string(server::domain::kMaxMessageChars + 1, 'x'));
  grpc::ClientContext c3;
  v1::AddMaterialResponse added;
  st = portal->AddMaterial(&c3, material, &added);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "text: at most 20000 characters");
  EXPECT_EQ(AuditLogSize(*deploy_), before);
}

// Invalid UTF-8 in a string field never reaches a handler: protobuf refuses to parse the
// request (gRPC answers INTERNAL, without the field's name), on both ports.
TEST_F(LimitsTest, InvalidUtf8IsRefusedBeforeAnyHandlerOnBothPorts) {
  const int64_t before = AuditLogSize(*deploy_);
  // Serialise a valid request, then break the summary's bytes in place: the serialiser
  // itself would complain about invalid UTF-8.
  v1::RegisterPetitionRequest staff = Petition("utf8");
  staff.set_summary("AAAA");
  std::string bytes = staff.SerializeAsString();
  bytes.replace(bytes.find("AAAA"), 4,
                "A\xC3\x28"
                "A");
  grpc::Status st = CallRaw(registrar_, "/jijian.v1.PetitionService/RegisterPetition", bytes);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INTERNAL) << st.error_message();
  v1::SubmitPetitionRequest portal = Submission(PortalId(1));
  portal.set_content("BBBB");
  bytes = portal.SerializeAsString();
  bytes.replace(bytes.find("BBBB"), 4, "B\xED\xA0\x80");  // a UTF-16 surrogate
  st = CallRaw(deploy_->ReporterChannel(), "/jijian.v1.ReporterService/SubmitPetition", bytes);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INTERNAL) << st.error_message();
  EXPECT_EQ(AuditLogSize(*deploy_), before);
}

// One receipt code can add at most kMaxMaterialsPerPetition pieces of material.
TEST_F(LimitsTest, MaterialPerPetitionIsCapped) {
  v1::SubmitPetitionResponse submitted;
  ASSERT_TRUE(Submit(Submission(PortalId(0)), &submitted).ok());
  auto portal = v1::ReporterService::NewStub(deploy_->ReporterChannel());
  auto add = [&](int n) {
    v1::AddMaterialRequest req;
    req.set_request_id(PortalId(1000 + n));
    req.set_receipt_code(submitted.receipt_code());
    req.set_text("补充材料 " + std::to_string(n));
    grpc::ClientContext ctx;
    v1::AddMaterialResponse resp;
    return portal->AddMaterial(&ctx, req, &resp);
  };
  for (int i = 0; i < server::domain::kMaxMaterialsPerPetition; ++i) {
    grpc::Status st = add(i);
    ASSERT_TRUE(st.ok()) << i << ": " << st.error_message();
  }
  const int64_t before = AuditLogSize(*deploy_);
  grpc::Status st = add(server::domain::kMaxMaterialsPerPetition);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(st.error_message(),
            "material: at most 20 additions per petition, and this petition has 20");
  EXPECT_EQ(AuditLogSize(*deploy_), before);
  // The petition itself still answers its code.
  v1::CheckStatusRequest check;
  check.set_receipt_code(submitted.receipt_code());
  grpc::ClientContext ctx;
  v1::CheckStatusResponse status;
  EXPECT_TRUE(portal->CheckStatus(&ctx, check, &status).ok());
}

// Holds the writer thread busy inside a mutation until released: what a slow batch looks
// like to every caller. Uses the store directly (the test owns the in-process server).
class WriterHold {
 public:
  explicit WriterHold(storage::Store& store) {
    std::promise<void> entered;
    std::future<void> entered_f = entered.get_future();
    std::shared_future<void> release = release_.get_future().share();
    done_ = std::async(std::launch::async, [&store, release, p = std::move(entered)]() mutable {
      return store
          .Apply({"system", "test", ""}, "",
                 [&](storage::WriteTxn&) -> absl::StatusOr<std::string> {
                   p.set_value();
                   release.wait();
                   return std::string();
                 })
          .status();
    });
    entered_f.wait();
  }
  ~WriterHold() { Release(); }
  void Release() {
    if (released_) return;
    released_ = true;
    release_.set_value();
    EXPECT_TRUE(done_.get().ok());
  }

 private:
  std::promise<void> release_;
  std::future<absl::Status> done_;
  bool released_ = false;
};

// A client whose deadline passes while its write waits gets DEADLINE_EXCEEDED; the write
// is then either not done or done whole, never half, and a retry with the same request id
// says which (here: done, once, with the first answer). A deadline that has already passed
// when the call starts writes nothing, and the retry does the write once.
TEST_F(LimitsTest, DeadlinesAreHonouredAndARetryWithTheRequestIdSettlesTheWrite) {
  const int64_t before = AuditLogSize(*deploy_);
  auto stub = v1::PetitionService::NewStub(registrar_);
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
    v1::RegisterPetitionResponse resp;
    EXPECT_EQ(stub->RegisterPetition(&ctx, Petition("expired"), &resp).error_code(),
              grpc::StatusCode::DEADLINE_EXCEEDED);
  }
  EXPECT_EQ(AuditLogSize(*deploy_), before);

  std::string queued_id;
  {
    WriterHold hold(deploy_->server().store());
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    v1::RegisterPetitionResponse resp;
    // The writer is held until after this returns, so the deadline passes first.
    EXPECT_EQ(stub->RegisterPetition(&ctx, Petition("queued"), &resp).error_code(),
              grpc::StatusCode::DEADLINE_EXCEEDED);
    EXPECT_EQ(AuditLogSize(*deploy_), before);
  }
  // Retries: each request id gives one petition, the same one every time.
  v1::RegisterPetitionResponse first, again, expired;
  ASSERT_TRUE(Register(Petition("queued"), &first).ok());
  ASSERT_TRUE(Register(Petition("queued"), &again).ok());
  EXPECT_EQ(first.petition().id(), again.petition().id());
  ASSERT_TRUE(Register(Petition("expired"), &expired).ok());
  EXPECT_NE(expired.petition().id(), first.petition().id());
  EXPECT_EQ(AuditLogSize(*deploy_), before + 2);  // two petition.register events, no more
}

// A client that opens a call and sends its headers but not its request holds nothing: the
// handler runs only once the whole message has arrived, and the writer never waits for a
// caller. Meanwhile other callers write on both ports; the slow call, finished later,
// succeeds too.
TEST_F(LimitsTest, ASlowClientDoesNotHoldTheWriter) {
  grpc::CompletionQueue cq;
  struct Slow {
    grpc::ClientContext ctx;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call;
  };
  auto pump = [&](void* want) {
    void* tag = nullptr;
    bool ok = false;
    const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(30);
    EXPECT_EQ(cq.AsyncNext(&tag, &ok, deadline), grpc::CompletionQueue::GOT_EVENT);
    EXPECT_EQ(tag, want);
    return ok;
  };
  grpc::GenericStub staff_stub(registrar_);
  grpc::GenericStub portal_stub(deploy_->ReporterChannel());
  Slow staff, portal;
  staff.call =
      staff_stub.PrepareCall(&staff.ctx, "/jijian.v1.PetitionService/RegisterPetition", &cq);
  portal.call =
      portal_stub.PrepareCall(&portal.ctx, "/jijian.v1.ReporterService/SubmitPetition", &cq);
  staff.call->StartCall(&staff);
  ASSERT_TRUE(pump(&staff));
  portal.call->StartCall(&portal);
  ASSERT_TRUE(pump(&portal));

  // Both calls are open and unfinished; others write on both ports.
  const int64_t before = AuditLogSize(*deploy_);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(Register(Petition("other-" + std::to_string(i))).ok());
    ASSERT_TRUE(Submit(Submission(PortalId(200 + i))).ok());
  }
  EXPECT_EQ(AuditLogSize(*deploy_), before + 6);

  // The slow clients finish; their writes go through as well.
  auto finish = [&](Slow& s, const std::string& bytes, grpc::ByteBuffer* out) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    s.call->Write(request, &s);
    EXPECT_TRUE(pump(&s));
    s.call->WritesDone(&s);
    EXPECT_TRUE(pump(&s));
    s.call->Read(out, &s);
    EXPECT_TRUE(pump(&s));
    grpc::Status st;
    s.call->Finish(&st, &s);
    EXPECT_TRUE(pump(&s));
    return st;
  };
  grpc::ByteBuffer staff_out, portal_out;
  grpc::Status st = finish(staff, Petition("slow").SerializeAsString(), &staff_out);
  EXPECT_TRUE(st.ok()) << st.error_message();
  st = finish(portal, Submission(PortalId(300)).SerializeAsString(), &portal_out);
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(AuditLogSize(*deploy_), before + 8);
  cq.Shutdown();
  void* tag;
  bool ok;
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace
}  // namespace jijian::testing
