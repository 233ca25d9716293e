// Petitions (信访举报) end to end over real mutual TLS: intake, every handling mode to
// closure, deadlines in working days across the 2026 Spring Festival, duplicates,
// jurisdiction, receipt codes, bad input, and confidentiality of what is stored.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "jijian/v1/petition.grpc.pb.h"
#include "jijian/v1/unseal.grpc.pb.h"
#include "storage/audit.h"
#include "storage/store.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

constexpr char kIdNumber[] = "11010519491231002X";  // valid GB 11643 sample

class PetitionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    auto registrar = deploy_->Channel(deploy_->AddUser("reg", "registrar"));
    petitions_ = v1::PetitionService::NewStub(registrar);
    reporters_ = v1::ReporterService::NewStub(deploy_->ReporterChannel());
  }

  static v1::RegisterPetitionRequest RealName(const std::string& received,
                                              const std::string& subject, const std::string& unit) {
    v1::RegisterPetitionRequest req;
    req.set_request_id("reg-" + std::to_string(counter_++));
    req.set_channel(v1::CHANNEL_LETTER);
    req.set_category(v1::CATEGORY_ACCUSATION);
    req.set_received_date(received);
    req.mutable_reporter()->set_name("张三");
    req.mutable_reporter()->set_id_number(kIdNumber);
    req.mutable_reporter()->set_phone("138 0000 0000");
    v1::Subject* s = req.add_subjects();
    s->set_name(subject);
    s->set_unit(unit);
    s->set_rank("section");
    req.add_disciplines(v1::DISCIPLINE_INTEGRITY);
    req.set_summary("反映" + subject + "违规收受礼金");
    req.set_content("详细情况……");
    return req;
  }

  static v1::RegisterPetitionRequest Anonymous(const std::string& received,
                                               const std::string& subject,
                                               const std::string& unit) {
    v1::RegisterPetitionRequest req = RealName(received, subject, unit);
    req.set_anonymous(true);
    req.clear_reporter();
    req.set_channel(v1::CHANNEL_ONLINE);
    return req;
  }

  v1::RegisterPetitionResponse Register(const v1::RegisterPetitionRequest& req) {
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse resp;
    grpc::Status st = petitions_->RegisterPetition(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  v1::Petition Get(const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetPetitionRequest req;
    req.set_id(id);
    v1::GetPetitionResponse resp;
    grpc::Status st = petitions_->GetPetition(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.petition();
  }

  grpc::Status Decide(const std::string& id, v1::HandlingMode mode, v1::Petition* out,
                      const std::string& to = "", const std::string& due = "",
                      const std::string& duplicate_of = "") {
    v1::DecidePetitionRequest req;
    req.set_request_id("decide-" + std::to_string(counter_++));
    req.set_id(id);
    req.set_expected_version(Get(id).version());
    req.set_mode(mode);
    req.set_reason("依规处理");
    req.set_to_body(to);
    req.set_due_date(due);
    req.set_duplicate_of(duplicate_of);
    grpc::ClientContext ctx;
    v1::PetitionResponse resp;
    grpc::Status st = petitions_->DecidePetition(&ctx, req, &resp);
    if (out) *out = resp.petition();
    return st;
  }

  grpc::Status Close(const std::string& id, v1::Petition* out) {
    v1::ClosePetitionRequest req;
    req.set_request_id("close-" + std::to_string(counter_++));
    req.set_id(id);
    req.set_expected_version(Get(id).version());
    req.set_conclusion("已办结");
    req.set_date("2026-11-02");
    grpc::ClientContext ctx;
    v1::PetitionResponse resp;
    grpc::Status st = petitions_->ClosePetition(&ctx, req, &resp);
    if (out) *out = resp.petition();
    return st;
  }

  grpc::Status Feedback(const std::string& id, const std::string& means, v1::Petition* out) {
    v1::GiveFeedbackRequest req;
    req.set_request_id("feedback-" + std::to_string(counter_++));
    req.set_id(id);
    req.set_expected_version(Get(id).version());
    req.set_means(means);
    req.set_text("处理结果已告知");
    grpc::ClientContext ctx;
    v1::PetitionResponse resp;
    grpc::Status st = petitions_->GiveFeedback(&ctx, req, &resp);
    if (out) *out = resp.petition();
    return st;
  }

  grpc::Status RecordResult(const std::string& id) {
    v1::RecordResultRequest req;
    req.set_request_id("result-" + std::to_string(counter_++));
    req.set_id(id);
    req.set_expected_version(Get(id).version());
    req.set_text("下级已查结并报告");
    req.set_date("2026-10-30");
    grpc::ClientContext ctx;
    v1::PetitionResponse resp;
    return petitions_->RecordResult(&ctx, req, &resp);
  }

  int64_t AuditLogSize() { return deploy_->AuditLogSize(); }

  static inline int counter_ = 0;
  std::unique_ptr<TestDeployment> deploy_;
  std::unique_ptr<v1::PetitionService::Stub> petitions_;
  std::unique_ptr<v1::ReporterService::Stub> reporters_;
};

TEST_F(PetitionTest, DeadlinesCountWorkingDaysAcrossTheSpringFestival) {
  // Received Tue 2026-02-10. Working days after it: Feb 11, 12, 13, Sat 14 (调休上班) = 4;
  // Feb 15-23 holiday; Feb 24, 25, 26, 27 = 8; Sat 28 (调休上班) = 9; Mar 2-6 = 14; Mar 9 = 15.
  v1::RegisterPetitionResponse r = Register(RealName("2026-02-10", "李四", "某县财政局"));
  EXPECT_EQ(r.petition().id(), "XF-2026-000001");
  EXPECT_EQ(r.petition().state(), v1::PETITION_REGISTERED);
  const v1::Deadline* proposal = FindDeadline(r.petition(), "proposal");
  const v1::Deadline* notice = FindDeadline(r.petition(), "acceptance_notice");
  ASSERT_NE(proposal, nullptr);
  ASSERT_NE(notice, nullptr);
  EXPECT_EQ(proposal->due_date(), "2026-03-09");
  EXPECT_EQ(notice->due_date(), "2026-03-09");
  EXPECT_FALSE(proposal->provisional());
  EXPECT_GT(proposal->working_days_late(), 0);  // today is long after March 2026

  // Escalation (上报) is due 5 working days after receipt: Feb 11, 12, 13, 14, 24.
  v1::Petition escalated;
  ASSERT_TRUE(Decide(r.petition().id(), v1::HANDLING_ESCALATE, &escalated).ok());
  const v1::Deadline* escalation = FindDeadline(escalated, "escalation");
  ASSERT_NE(escalation, nullptr);
  EXPECT_EQ(escalation->due_date(), "2026-02-24");
  EXPECT_FALSE(escalation->met_date().empty());
  EXPECT_FALSE(FindDeadline(escalated, "proposal")->met_date().empty());

  // An anonymous petition has no acceptance notice deadline; received Fri 2026-02-13:
  // Sat 14 = 1, then Feb 24-27 = 5.
  v1::RegisterPetitionResponse a = Register(Anonymous("2026-02-13", "王五", "某镇政府"));
  EXPECT_EQ(a.petition().id(), "XF-2026-000002");
  EXPECT_EQ(FindDeadline(a.petition(), "acceptance_notice"), nullptr);
  v1::Petition transferred;
  ASSERT_TRUE(Decide(a.petition().id(), v1::HANDLING_TRANSFER_DOWN, &transferred, "某县纪委").ok());
  EXPECT_EQ(FindDeadline(transferred, "transfer")->due_date(), "2026-02-27");
}

TEST_F(PetitionTest, EveryHandlingModeToClosure) {
  struct Flow {
    v1::HandlingMode mode;
    v1::PetitionState decided;
    bool real_name;
  };
  const Flow flows[] = {
      {v1::HANDLING_ACCEPT, v1::PETITION_ACCEPTED, true},
      {v1::HANDLING_ESCALATE, v1::PETITION_ESCALATED, false},
      {v1::HANDLING_TRANSFER_DOWN, v1::PETITION_TRANSFERRED_DOWN, true},
      {v1::HANDLING_ASSIGN_DOWN, v1::PETITION_ASSIGNED_DOWN, false},
      {v1::HANDLING_REFER_OUT, v1::PETITION_REFERRED_OUT, true},
      {v1::HANDLING_ARCHIVE, v1::PETITION_ARCHIVED, true},
  };
  int n = 0;
  for (const Flow& f : flows) {
    SCOPED_TRACE(v1::HandlingMode_Name(f.mode));
    const std::string subject = "对象" + std::to_string(++n);
    v1::RegisterPetitionResponse r =
        Register(f.real_name ? RealName("2026-09-01", subject, "某单位")
                             : Anonymous("2026-09-01", subject, "某单位"));
    const std::string id = r.petition().id();
    const bool needs_body = f.mode == v1::HANDLING_TRANSFER_DOWN ||
                            f.mode == v1::HANDLING_ASSIGN_DOWN || f.mode == v1::HANDLING_REFER_OUT;
    v1::Petition p;
    grpc::Status st = Decide(id, f.mode, &p, needs_body ? "某机关" : "",
                             f.mode == v1::HANDLING_ASSIGN_DOWN ? "2027-01-29" : "");
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(p.state(), f.decided);
    EXPECT_EQ(p.decision().mode(), f.mode);
    EXPECT_EQ(p.decision().reason(), "依规处理");
    if (f.mode == v1::HANDLING_ASSIGN_DOWN) {
      // Closing before the result report is refused, naming what is allowed.
      grpc::Status early = Close(id, nullptr);
      EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
      EXPECT_NE(early.error_message().find("record-result"), std::string::npos);
      EXPECT_EQ(FindDeadline(Get(id), "result_report")->due_date(), "2027-01-29");
      ASSERT_TRUE(RecordResult(id).ok());
    }
    if (f.mode != v1::HANDLING_ARCHIVE) {
      st = Close(id, &p);
      ASSERT_TRUE(st.ok()) << st.error_message();
      EXPECT_EQ(p.state(), v1::PETITION_CLOSED);
      EXPECT_EQ(p.closed_date(), "2026-11-02");
    }
    const v1::Petition concluded = Get(id);
    const v1::Deadline* feedback = FindDeadline(concluded, "result_feedback");
    if (f.real_name) {
      ASSERT_NE(feedback, nullptr);
      if (f.mode != v1::HANDLING_ARCHIVE) {
        // Closed Mon 2026-11-02: 15 working days later is Mon 2026-11-23.
        EXPECT_EQ(feedback->due_date(), "2026-11-23");
      }
      ASSERT_TRUE(Feedback(id, "letter", &p).ok());
      EXPECT_FALSE(FindDeadline(p, "result_feedback")->met_date().empty());
    } else {
      EXPECT_EQ(feedback, nullptr);
      // An anonymous reporter is answered through the receipt code only.
      if (f.mode != v1::HANDLING_ARCHIVE) {
        EXPECT_EQ(Feedback(id, "letter", nullptr).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
        ASSERT_TRUE(Feedback(id, "receipt", &p).ok());
      }
    }
    // Nothing more can be decided on a concluded petition.
    grpc::Status again = Decide(id, v1::HANDLING_ACCEPT, nullptr);
    EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  }

  // Duplicate (重复件): linked, counted on the original, closed, no acceptance notice due.
  v1::RegisterPetitionResponse original = Register(RealName("2026-09-01", "赵六", "某局"));
  v1::RegisterPetitionResponse repeat = Register(RealName("2026-09-02", "赵六", "某局"));
  ASSERT_EQ(repeat.petition().possible_duplicates_size(), 1);
  EXPECT_EQ(repeat.petition().possible_duplicates(0), original.petition().id());
  v1::Petition dup;
  grpc::Status st = Decide(repeat.petition().id(), v1::HANDLING_DUPLICATE, &dup, "", "",
                           original.petition().id());
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(dup.state(), v1::PETITION_DUPLICATE);
  EXPECT_EQ(dup.duplicate_of(), original.petition().id());
  EXPECT_EQ(FindDeadline(dup, "acceptance_notice"), nullptr);
  EXPECT_EQ(Get(original.petition().id()).duplicate_count(), 1);
  EXPECT_EQ(Close(repeat.petition().id(), nullptr).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(PetitionTest, ObjectionIsRecordedAndAnsweredAndTheReporterSeesTheAnswer) {
  v1::RegisterPetitionResponse r = Register(Anonymous("2026-09-01", "异议甲", "某单位"));
  const std::string id = r.petition().id();
  ASSERT_TRUE(Decide(id, v1::HANDLING_ARCHIVE, nullptr).ok());
  auto feedback = [&](const std::string& text, const std::string& objection,
                      const std::string& answer) {
    v1::GiveFeedbackRequest req;
    req.set_request_id("fb-" + std::to_string(counter_++));
    req.set_id(id);
    req.set_expected_version(Get(id).version());
    req.set_means("receipt");
    req.set_text(text);
    req.set_objection(objection);
    req.set_objection_answer(answer);
    grpc::ClientContext ctx;
    v1::PetitionResponse resp;
    return petitions_->GiveFeedback(&ctx, req, &resp);
  };
  EXPECT_EQ(feedback("", "", "").error_code(), grpc::StatusCode::INVALID_ARGUMENT);  // no text
  ASSERT_TRUE(feedback("经核无实质内容，予以存档", "", "").ok());
  // No objection yet: nothing to answer.
  EXPECT_EQ(feedback("", "", "答复").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(feedback("", "举报人认为处理不当", "").ok());
  const int64_t events = AuditLogSize();
  ASSERT_TRUE(feedback("", "", "经复核，维持原处理意见").ok());
  EXPECT_EQ(AuditLogSize(), events + 1);
  EXPECT_EQ(feedback("", "", "再次答复").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  grpc::ClientContext ctx;
  v1::GetRepliesRequest replies;
  replies.set_receipt_code(r.receipt_code());
  v1::GetRepliesResponse seen;
  ASSERT_TRUE(reporters_->GetReplies(&ctx, replies, &seen).ok());
  ASSERT_EQ(seen.replies_size(), 2);
  EXPECT_EQ(seen.replies(1).kind(), "objection_answer");
  EXPECT_EQ(seen.replies(1).text(), "经复核，维持原处理意见");
}

TEST_F(PetitionTest, SubjectsAboveJurisdictionMustBeEscalated) {
  v1::RegisterPetitionRequest head = RealName("2026-09-01", "钱七", "本级纪委");
  head.mutable_subjects(0)->set_commission_head(true);
  std::string id = Register(head).petition().id();
  grpc::Status st = Decide(id, v1::HANDLING_ACCEPT, nullptr);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("allowed: escalate"), std::string::npos) << st.error_message();
  EXPECT_TRUE(Decide(id, v1::HANDLING_ESCALATE, nullptr).ok());

  v1::RegisterPetitionRequest high = RealName("2026-09-01", "孙八", "某省厅");
  high.mutable_subjects(0)->set_rank("department");  // above the default jurisdiction (division)
  id = Register(high).petition().id();
  EXPECT_EQ(Decide(id, v1::HANDLING_TRANSFER_DOWN, nullptr, "某县纪委").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(Decide(id, v1::HANDLING_ESCALATE, nullptr).ok());
}

// The registration answer is built from what was written, without reading it back: it
// must equal the stored petition as GetPetition shows it, less the full text the registrar
// just sent. A retry (same request id) gets the same id and receipt code, nothing new.
TEST_F(PetitionTest, RegistrationAnswersTheStoredPetitionAndARetryTheSameReceipt) {
  const std::string earlier = Register(RealName("2026-09-01", "钱七", "某县水利局")).petition().id();
  v1::RegisterPetitionRequest req = RealName("2026-09-02", "钱七", "某县水利局");
  v1::Subject* second = req.add_subjects();
  second->set_name("孙八");
  second->set_unit("某县水利局");
  req.add_disciplines(v1::DISCIPLINE_WORK);
  v1::RegisterPetitionResponse first = Register(req);
  ASSERT_FALSE(first.receipt_code().empty());
  v1::Petition stored = Get(first.petition().id());
  EXPECT_EQ(stored.content(), "详细情况……");
  EXPECT_EQ(first.petition().content(), "") << "the full text is not echoed back";
  EXPECT_EQ(first.petition().summary(), "反映钱七违规收受礼金");
  ASSERT_EQ(first.petition().possible_duplicates_size(), 1);
  EXPECT_EQ(first.petition().possible_duplicates(0), earlier);
  EXPECT_EQ(first.petition().deadlines_size(), 2);
  stored.clear_content();
  EXPECT_EQ(first.petition().SerializeAsString(), stored.SerializeAsString())
      << "answer: " << first.petition().DebugString() << "\nstored: " << stored.DebugString();

  v1::RegisterPetitionResponse retry = Register(req);
  EXPECT_EQ(retry.petition().id(), first.petition().id());
  EXPECT_EQ(retry.receipt_code(), first.receipt_code());
  EXPECT_EQ(retry.petition().SerializeAsString(), first.petition().SerializeAsString());
  // Nothing was registered twice: the next one takes the next number.
  const std::string next = Register(RealName("2026-09-03", "李九", "甲单位")).petition().id();
  EXPECT_EQ(next.substr(next.size() - 6), "000003");
}

TEST_F(PetitionTest, DuplicatesAreFoundBySubjectOnly) {
  std::string first = Register(RealName("2026-09-01", "周九", "某县交通局")).petition().id();
  // Same name and unit (whitespace and full-width differences normalised away).
  v1::RegisterPetitionResponse same = Register(Anonymous("2026-09-03", " 周九 ", "某县交通局"));
  ASSERT_EQ(same.petition().possible_duplicates_size(), 1);
  EXPECT_EQ(same.petition().possible_duplicates(0), first);
  // Same name and ID number, another unit: still the same person.
  v1::RegisterPetitionRequest with_id = RealName("2026-09-04", "吴十", "甲单位");
  with_id.mutable_subjects(0)->set_id_number(kIdNumber);
  std::string wu = Register(with_id).petition().id();
  v1::RegisterPetitionRequest moved = RealName("2026-09-05", "吴十", "乙单位");
  moved.mutable_subjects(0)->set_id_number(kIdNumber);
  v1::RegisterPetitionResponse moved_resp = Register(moved);
  ASSERT_EQ(moved_resp.petition().possible_duplicates_size(), 1);
  EXPECT_EQ(moved_resp.petition().possible_duplicates(0), wu);
  // A different subject finds nothing.
  v1::RegisterPetitionResponse other = Register(RealName("2026-09-06", "郑十一", "某县交通局"));
  EXPECT_EQ(other.petition().possible_duplicates_size(), 0);

  grpc::ClientContext ctx;
  v1::FindDuplicatesRequest req;
  req.set_id(first);
  v1::FindDuplicatesResponse resp;
  ASSERT_TRUE(petitions_->FindDuplicates(&ctx, req, &resp).ok());
  ASSERT_EQ(resp.petitions_size(), 1);
  EXPECT_EQ(resp.petitions(0).id(), same.petition().id());
  EXPECT_EQ(resp.petitions(0).channel(), v1::CHANNEL_ONLINE);
}

TEST_F(PetitionTest, InvalidRequestsAreRefusedAndWriteNothing) {
  std::string closed = Register(RealName("2026-09-01", "甲", "乙")).petition().id();
  ASSERT_TRUE(Decide(closed, v1::HANDLING_ARCHIVE, nullptr).ok());
  const std::string open = Register(RealName("2026-09-01", "丙", "丁")).petition().id();
  const int64_t events = AuditLogSize();

  struct Case {
    std::string name;
    v1::RegisterPetitionRequest req;
    std::string field;
  };
  std::vector<Case> cases;
  v1::RegisterPetitionRequest base = RealName("2026-09-01", "戊", "己");
  cases.push_back({"missing subject", base, "subjects"});
  cases.back().req.clear_subjects();
  cases.push_back({"unknown channel", base, "channel"});
  cases.back().req.set_channel(static_cast<v1::Channel>(99));
  cases.push_back({"future date", base, "received_date"});
  cases.back().req.set_received_date("2099-01-01");
  cases.push_back({"bad date", base, "received_date"});
  cases.back().req.set_received_date("2026-02-30");
  cases.push_back({"oversized content", base, "content"});
  cases.back().req.set_content(std::string(100001, 'x'));
  cases.push_back({"bad ID number", base, "reporter.id_number"});
  cases.back().req.mutable_reporter()->set_id_number("110105194912310021");
  cases.push_back({"subject without unit", base, "subjects[1].unit"});
  cases.back().req.mutable_subjects(0)->clear_unit();
  cases.push_back({"unknown rank", base, "subjects[1].rank"});
  cases.back().req.mutable_subjects(0)->set_rank("emperor");
  cases.push_back({"control character", base, "summary"});
  cases.back().req.set_summary(
      "a\x07"
      "b");
  for (const Case& c : cases) {
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse resp;
    grpc::Status st = petitions_->RegisterPetition(&ctx, c.req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.name;
    EXPECT_EQ(st.error_message().rfind(c.field, 0), 0u) << c.name << ": " << st.error_message();
    EXPECT_EQ(st.error_message().find(kIdNumber), std::string::npos);
    EXPECT_EQ(st.error_message().find("110105194912310021"), std::string::npos);
  }
  {
    // Bad UTF-8 never reaches a handler: protobuf refuses the string.
    v1::RegisterPetitionRequest bad = base;
    bad.set_content("\xff\xfe");
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse resp;
    EXPECT_FALSE(petitions_->RegisterPetition(&ctx, bad, &resp).ok());
  }
  // Decide on a concluded petition: the state and the allowed actions are named.
  grpc::Status st = Decide(closed, v1::HANDLING_ACCEPT, nullptr);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("ARCHIVED"), std::string::npos);
  EXPECT_NE(st.error_message().find("allowed: feedback"), std::string::npos);
  // A stale version is ABORTED.
  v1::DecidePetitionRequest stale;
  stale.set_request_id("stale-1");
  stale.set_id(open);
  stale.set_expected_version(99);
  stale.set_mode(v1::HANDLING_ACCEPT);
  stale.set_reason("x");
  grpc::ClientContext ctx;
  v1::PetitionResponse resp;
  EXPECT_EQ(petitions_->DecidePetition(&ctx, stale, &resp).error_code(), grpc::StatusCode::ABORTED);
  // Mode-specific fields.
  EXPECT_EQ(Decide(open, v1::HANDLING_REFER_OUT, nullptr).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // no --to
  EXPECT_EQ(Decide(open, v1::HANDLING_DUPLICATE, nullptr, "", "", open).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);  // a duplicate of itself
  EXPECT_EQ(Decide(open, v1::HANDLING_DUPLICATE, nullptr, "", "", "XF-2026-000999").error_code(),
            grpc::StatusCode::NOT_FOUND);

  EXPECT_EQ(AuditLogSize(), events);
  EXPECT_EQ(Get(open).state(), v1::PETITION_REGISTERED);
  // The numbering stayed gap-free: the next petition takes the next number.
  EXPECT_EQ(Register(base).petition().id(), "XF-2026-000003");
}

TEST_F(PetitionTest, ReceiptCodeShowsStatusAndRepliesAndThrottlesGuessing) {
  v1::RegisterPetitionResponse r = Register(Anonymous("2026-09-01", "某甲", "某乙"));
  const std::string code = r.receipt_code();
  ASSERT_EQ(code.size(), 23u);
  v1::NotifyReporterRequest notify;
  notify.set_request_id("notify-1");
  notify.set_id(r.petition().id());
  notify.set_expected_version(r.petition().version());
  notify.set_means("receipt");
  notify.set_text("您的举报已收到并受理");
  {
    grpc::ClientContext ctx;
    v1::PetitionResponse resp;
    ASSERT_TRUE(petitions_->NotifyReporter(&ctx, notify, &resp).ok());
  }
  {
    grpc::ClientContext ctx;
    v1::CheckStatusRequest req;
    req.set_receipt_code(code);
    v1::CheckStatusResponse resp;
    ASSERT_TRUE(reporters_->CheckStatus(&ctx, req, &resp).ok());
    EXPECT_EQ(resp.status(), "received");
    grpc::ClientContext ctx2;
    v1::GetRepliesRequest replies_req;
    replies_req.set_receipt_code(code);
    v1::GetRepliesResponse replies;
    ASSERT_TRUE(reporters_->GetReplies(&ctx2, replies_req, &replies).ok());
    ASSERT_EQ(replies.replies_size(), 1);
    EXPECT_EQ(replies.replies(0).text(), "您的举报已收到并受理");
    EXPECT_TRUE(replies.replies(0).author().empty());  // never the staff member
  }
  {
    // Lower case and without dashes is the same code; material is added and evented.
    std::string loose;
    for (char c : code) {
      if (c != '-') loose.push_back(static_cast<char>(std::tolower(c)));
    }
    const int64_t before = AuditLogSize();
    grpc::ClientContext ctx;
    v1::AddMaterialRequest req;
    req.set_request_id("material-1-0123456789abcdef0123456789abcdef");
    req.set_receipt_code(loose);
    req.set_text("补充材料：转账记录");
    v1::AddMaterialResponse resp;
    ASSERT_TRUE(reporters_->AddMaterial(&ctx, req, &resp).ok());
    EXPECT_EQ(AuditLogSize(), before + 1);
  }
  // Wrong codes reveal nothing; the fifth failure in a row locks this caller out.
  std::string wrong = code;
  wrong[0] = wrong[0] == '2' ? '3' : '2';
  for (int i = 0; i < 5; ++i) {
    grpc::ClientContext ctx;
    v1::CheckStatusRequest req;
    req.set_receipt_code(wrong);
    v1::CheckStatusResponse resp;
    grpc::Status st = reporters_->CheckStatus(&ctx, req, &resp);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_EQ(st.error_message(), "no petition matches this receipt code");
    EXPECT_TRUE(resp.status().empty());
  }
  grpc::ClientContext ctx;
  v1::CheckStatusRequest req;
  req.set_receipt_code(code);  // even the right code, until the window passes
  v1::CheckStatusResponse resp;
  EXPECT_EQ(reporters_->CheckStatus(&ctx, req, &resp).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(PetitionTest, IdentityIsRedactedUnlessRevealedAndRevealingIsAudited) {
  std::string id = Register(RealName("2026-09-01", "冯十二", "某处")).petition().id();
  v1::Petition plain = Get(id);
  EXPECT_TRUE(plain.identity_redacted());
  EXPECT_TRUE(plain.reporter().name().empty());
  grpc::ClientContext ctx;
  v1::GetPetitionRequest req;
  req.set_id(id);
  req.set_reveal_identity(true);
  v1::GetPetitionResponse resp;
  // Sealed even for its registrar until a leader approves an unseal request (unseal_test).
  EXPECT_EQ(petitions_->GetPetition(&ctx, req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  auto ask = v1::IdentityService::NewStub(deploy_->Channel(deploy_->data_dir() + "/profiles/reg.toml"));
  auto ldr = v1::IdentityService::NewStub(deploy_->Channel(deploy_->AddUser("ldr", "leader")));
  v1::RequestUnsealRequest u;
  u.set_request_id("unseal-1");
  u.set_petition_id(id);
  u.set_reason("核实身份");
  grpc::ClientContext uctx;
  v1::UnsealResponse asked;
  ASSERT_TRUE(ask->RequestUnseal(&uctx, u, &asked).ok());
  v1::DecideUnsealRequest d;
  d.set_request_id("unseal-2");
  d.set_id(asked.unseal().id());
  grpc::ClientContext dctx;
  v1::UnsealResponse decided;
  ASSERT_TRUE(ldr->ApproveUnseal(&dctx, d, &decided).ok());
  const int64_t before = AuditLogSize();
  grpc::ClientContext ctx1;
  ASSERT_TRUE(petitions_->GetPetition(&ctx1, req, &resp).ok());
  EXPECT_EQ(resp.petition().reporter().name(), "张三");
  EXPECT_EQ(resp.petition().reporter().id_number(), kIdNumber);
  ASSERT_EQ(AuditLogSize(), before + 1);
  std::vector<storage::AuditEvent> events =
      *deploy_->server().store().Read<std::vector<storage::AuditEvent>>(
          [&](storage::Db& db) { return storage::ReadAuditEvents(db, before, before + 1); });
  EXPECT_EQ(events[0].action, "petition.reveal_identity");
  EXPECT_EQ(events[0].object_id, id);
  EXPECT_EQ(events[0].actor, "reg");

  // A case manager reads petitions but may not reveal identities.
  auto cm = v1::PetitionService::NewStub(deploy_->Channel(deploy_->AddUser("cm", "case-manager")));
  grpc::ClientContext ctx2;
  EXPECT_EQ(cm->GetPetition(&ctx2, req, &resp).error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(PetitionTest, ReporterIdentityAndContentNeverReachTheDiskInPlain) {
  const std::string markers[] = {
      "举报人MARKERNAME",  "MARKERPHONE-13912345678", "MARKERADDR北京",   "MARKERCONTENT详情",
      "MARKERSUMMARY摘要", "被反映人MARKERSUBJ",      "MARKERREASON理由", "MARKERNOTICE告知"};
  v1::RegisterPetitionRequest req = RealName("2026-09-01", markers[5], "MARKERUNIT-plain");
  req.mutable_reporter()->set_name(markers[0]);
  req.mutable_reporter()->set_phone("13912345678");
  req.mutable_reporter()->set_address(markers[2]);
  req.set_content(markers[3]);
  req.set_summary(markers[4]);
  req.mutable_subjects(0)->set_id_number(kIdNumber);
  v1::RegisterPetitionResponse r = Register(req);
  v1::DecidePetitionRequest decide;
  decide.set_request_id("d-marker");
  decide.set_id(r.petition().id());
  decide.set_expected_version(1);
  decide.set_mode(v1::HANDLING_ACCEPT);
  decide.set_reason(markers[6]);
  {
    grpc::ClientContext ctx;
    v1::PetitionResponse resp;
    ASSERT_TRUE(petitions_->DecidePetition(&ctx, decide, &resp).ok());
  }
  v1::NotifyReporterRequest notify;
  notify.set_request_id("n-marker");
  notify.set_id(r.petition().id());
  notify.set_expected_version(2);
  notify.set_means("phone");
  notify.set_text(markers[7]);
  {
    grpc::ClientContext ctx;
    v1::PetitionResponse resp;
    ASSERT_TRUE(petitions_->NotifyReporter(&ctx, notify, &resp).ok());
  }
  const std::string db = deploy_->data_dir() + "/db/jijian.db";
  const std::string bytes = ReadFile(db) + ReadFile(db + "-wal");
  // Controls: plain fields are found, so the search sees what was written.
  EXPECT_NE(bytes.find("MARKERUNIT-plain"), std::string::npos);
  EXPECT_NE(bytes.find(r.petition().id()), std::string::npos);
  for (const std::string& m : markers) EXPECT_EQ(bytes.find(m), std::string::npos) << m;
  EXPECT_EQ(bytes.find("13912345678"), std::string::npos);
  EXPECT_EQ(bytes.find(kIdNumber), std::string::npos);
  EXPECT_EQ(bytes.find(r.receipt_code()), std::string::npos);
  std::string compact;
  for (char c : r.receipt_code()) {
    if (c != '-') compact.push_back(c);
  }
  EXPECT_EQ(bytes.find(compact), std::string::npos);
}

// From the 1 000 000th petition of a year ids have 7 digits: they are valid wherever an id
// is taken, and lists page through them in number order (XF-2026-999999 before
// XF-2026-1000000), not in text order.
TEST_F(PetitionTest, IdsPastTheMillionthOfAYearWorkAndListInNumberOrder) {
  const std::string first = Register(RealName("2026-11-02", "甲一", "某县财政局")).petition().id();
  EXPECT_EQ(first, "XF-2026-000001");
  // The year's counter as the 999 998th petition left it.
  absl::StatusOr<std::string> set = deploy_->server().store().Apply(
      {"system", "system", ""}, "", [](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
        absl::Status st =
            txn.db().Exec("UPDATE id_counters SET last = 999998 WHERE kind = 'XF' AND year = 2026");
        if (!st.ok()) return st;
        return std::string();
      });
  ASSERT_TRUE(set.ok()) << set.status();
  std::vector<std::string> ids;
  for (const char* subject : {"乙二", "丙三", "丁四"}) {
    ids.push_back(Register(RealName("2026-11-02", subject, "某县财政局")).petition().id());
  }
  EXPECT_EQ(ids,
            (std::vector<std::string>{"XF-2026-999999", "XF-2026-1000000", "XF-2026-1000001"}));
  // Shown and decided by its 7-digit id, over the API and through the CLI.
  EXPECT_EQ(Get("XF-2026-1000000").id(), "XF-2026-1000000");
  v1::Petition accepted;
  EXPECT_TRUE(Decide("XF-2026-1000000", v1::HANDLING_ACCEPT, &accepted).ok());
  EXPECT_EQ(accepted.state(), v1::PETITION_ACCEPTED);
  CommandResult shown =
      RunBinary("jijian", {"--profile", deploy_->data_dir() + "/profiles/reg.toml", "--json",
                           "petition", "show", "XF-2026-1000001"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("\"XF-2026-1000001\""), std::string::npos) << shown.out;
  // Pages of 2: number order across the page boundary, each page after the last id of the one
  // before, nothing missed or repeated.
  std::vector<std::vector<std::string>> pages;
  v1::ListPetitionsRequest list;
  list.set_page_size(2);
  while (pages.size() < 10) {
    grpc::ClientContext ctx;
    v1::ListPetitionsResponse resp;
    grpc::Status st = petitions_->ListPetitions(&ctx, list, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (!st.ok()) break;
    pages.emplace_back();
    for (const v1::PetitionListItem& p : resp.petitions()) pages.back().push_back(p.id());
    if (resp.next_page_token().empty()) break;
    EXPECT_EQ(resp.next_page_token(), pages.back().back());
    list.set_page_token(resp.next_page_token());
  }
  ASSERT_GE(pages.size(), 1u);
  EXPECT_EQ(pages[0], (std::vector<std::string>{first, "XF-2026-999999"}));
  ASSERT_GE(pages.size(), 2u);
  EXPECT_EQ(pages[1], (std::vector<std::string>{"XF-2026-1000000", "XF-2026-1000001"}));
  for (size_t i = 2; i < pages.size(); ++i) EXPECT_TRUE(pages[i].empty()) << i;
}

}  // namespace
}  // namespace jijian::testing
