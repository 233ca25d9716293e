// Dispositions (四种形态) end to end over real mutual TLS: a first-form disposition ending a
// lead after an inquiry, sanctions in a case with refused combinations, approval by a
// leader who did not propose, execution, periods, appeals, integrity opinions and
// statistics, through the RPCs and through the real `jijian` binary.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fstream>

#include "absl/time/civil_time.h"
#include "jijian/v1/audit.grpc.pb.h"
#include "jijian/v1/case.grpc.pb.h"
#include "jijian/v1/disposition.grpc.pb.h"
#include "jijian/v1/lead.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "server/domain/measures.h"
#include "storage/audit.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

constexpr char kIdA[] = "11010519491231002X";
constexpr char kIdB[] = "110105199001011232";  // same name as A's person, another person
constexpr char kIdC[] = "44030519851203456X";

std::string AddMonths(const std::string& day, int months) {
  absl::CivilDay d;
  EXPECT_TRUE(absl::ParseCivilTime(day, &d));
  return absl::FormatCivilTime(server::domain::PeriodEnd(d, months));
}

class DispositionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    for (const auto& [user, roles] :
         std::vector<std::pair<std::string, std::string>>{{"reg", "registrar"},
                                                          {"cm", "case-manager"},
                                                          {"insp", "inspector"},
                                                          {"insp2", "inspector"},
                                                          {"rev", "reviewer"},
                                                          {"ldr", "leader"},
                                                          {"revldr", "reviewer,leader"},
                                                          {"aud", "auditor"}}) {
      profiles_[user] = deploy_->AddUser(user, roles);
    }
    today_ = TodayText();
  }

  std::shared_ptr<grpc::Channel> Ch(const std::string& user) {
    return deploy_->Channel(profiles_.at(user));
  }
  std::unique_ptr<v1::LeadService::Stub> Leads(const std::string& u) {
    return v1::LeadService::NewStub(Ch(u));
  }
  std::unique_ptr<v1::CaseService::Stub> Cases(const std::string& u) {
    return v1::CaseService::NewStub(Ch(u));
  }
  std::unique_ptr<v1::DispositionService::Stub> Disp(const std::string& u) {
    return v1::DispositionService::NewStub(Ch(u));
  }
  std::string Rid() { return "t-" + std::to_string(n_++); }

  std::string Petition(const std::string& name, const std::string& id_number,
                       v1::Category category = v1::CATEGORY_ACCUSATION, bool accept = true) {
    auto reg = v1::PetitionService::NewStub(Ch("reg"));
    v1::RegisterPetitionRequest req;
    req.set_request_id(Rid());
    req.set_channel(v1::CHANNEL_LETTER);
    req.set_category(category);
    req.set_anonymous(true);
    v1::Subject* s = req.add_subjects();
    s->set_name(name);
    s->set_id_number(id_number);
    s->set_unit("某县财政局");
    req.set_summary("反映问题");
    req.set_content("详情");
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse resp;
    grpc::Status st = reg->RegisterPetition(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    if (!accept) return resp.petition().id();
    EXPECT_TRUE(AcceptPetition(*reg, resp.petition().id(), Rid()).ok());
    return resp.petition().id();
  }

  int64_t LeadVersion(const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetLeadRequest req;
    req.set_id(id);
    v1::LeadResponse resp;
    EXPECT_TRUE(Leads("cm")->GetLead(&ctx, req, &resp).ok());
    return resp.lead().version();
  }
  int64_t CaseVersion(const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetCaseRequest req;
    req.set_id(id);
    v1::CaseResponse resp;
    EXPECT_TRUE(Cases("cm")->GetCase(&ctx, req, &resp).ok());
    return resp.case_().version();
  }

  // Sets request id, id and the current version, then calls.
  template <typename Req, typename Resp, typename Fn>
  grpc::Status Step(Req req, const std::string& id, int64_t version, Fn fn, Resp* out) {
    req.set_request_id(Rid());
    req.set_id(id);
    req.set_expected_version(version);
    grpc::ClientContext ctx;
    return fn(&ctx, req, out);
  }
  template <typename Req, typename Fn>
  void LeadStep(const std::string& user, Req req, const std::string& id, Fn fn) {
    auto stub = Leads(user);
    v1::LeadResponse out;
    grpc::Status st = Step(
        req, id, LeadVersion(id),
        [&](auto* c, const auto& r, auto* o) { return fn(*stub, c, r, o); }, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  template <typename Req, typename Fn>
  void CaseStep(const std::string& user, Req req, const std::string& id, Fn fn) {
    auto stub = Cases(user);
    v1::CaseResponse out;
    grpc::Status st = Step(
        req, id, CaseVersion(id),
        [&](auto* c, const auto& r, auto* o) { return fn(*stub, c, r, o); }, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
  }

  void Propose(const std::string& id, v1::DisposalMethod method) {
    v1::ProposeDisposalRequest p;
    p.set_method(method);
    p.set_reason("集体排查意见");
    LeadStep("insp", p, id,
             [](auto& s, auto* c, const auto& r, auto* o) { return s.ProposeDisposal(c, r, o); });
    v1::DecideProposalRequest a;
    a.set_reason("同意");
    LeadStep("ldr", a, id,
             [](auto& s, auto* c, const auto& r, auto* o) { return s.ApproveProposal(c, r, o); });
  }

  // A lead registered from an accepted petition about one person, assigned to insp.
  std::string AssignedLead(const std::string& name, const std::string& id_number) {
    v1::RegisterLeadRequest reg;
    reg.set_request_id(Rid());
    reg.set_petition_id(Petition(name, id_number));
    grpc::ClientContext ctx;
    v1::LeadResponse lead;
    EXPECT_TRUE(Leads("cm")->RegisterLead(&ctx, reg, &lead).ok());
    const std::string id = lead.lead().id();
    v1::AssignLeadRequest assign;
    assign.set_inspector("insp");
    LeadStep("cm", assign, id,
             [](auto& s, auto* c, const auto& r, auto* o) { return s.AssignLead(c, r, o); });
    return id;
  }

  // A lead about one person, assigned to insp, taken through a talk inquiry to
  // INQUIRY_REPLIED.
  std::string LeadAfterInquiry(const std::string& name, const std::string& id_number) {
    const std::string id = AssignedLead(name, id_number);
    Propose(id, v1::DISPOSAL_TALK_INQUIRY);
    v1::LeadNoteRequest note;
    note.set_text("函询");
    LeadStep("insp", note, id,
             [](auto& s, auto* c, const auto& r, auto* o) { return s.RecordInquirySent(c, r, o); });
    note.set_text("本人说明情况");
    LeadStep("insp", note, id, [](auto& s, auto* c, const auto& r, auto* o) {
      return s.RecordInquiryReply(c, r, o);
    });
    return id;
  }

  // A case about one person through investigation and transfer to review; with opinion,
  // the reviewer's opinion too (REVIEWED).
  std::string CaseInReview(const std::string& name, const std::string& id_number,
                           bool opinion = true) {
    const std::string lead_id = AssignedLead(name, id_number);
    Propose(lead_id, v1::DISPOSAL_VERIFICATION);
    v1::VerificationReportRequest report;
    report.set_proposal(v1::REPORT_FILE_CASE);
    report.set_text("问题属实");
    LeadStep("insp", report, lead_id, [](auto& s, auto* c, const auto& r, auto* o) {
      return s.SubmitVerificationReport(c, r, o);
    });
    v1::DecideProposalRequest a;
    a.set_reason("同意立案");
    LeadStep("ldr", a, lead_id,
             [](auto& s, auto* c, const auto& r, auto* o) { return s.ApproveProposal(c, r, o); });
    v1::FileCaseRequest file;
    file.set_request_id(Rid());
    file.set_lead_id(lead_id);
    file.set_reason("拟立案");
    grpc::ClientContext fctx;
    v1::CaseResponse filed;
    EXPECT_TRUE(Cases("cm")->FileCase(&fctx, file, &filed).ok());
    const std::string id = filed.case_().id();
    v1::ApproveFilingRequest approve;
    approve.set_external_approver("县委书记");
    approve.set_external_approval_date(today_);
    CaseStep("ldr", approve, id,
             [](auto& s, auto* c, const auto& r, auto* o) { return s.ApproveFiling(c, r, o); });
    v1::CaseNoteRequest note;
    note.set_text("审查调查报告");
    CaseStep("insp", note, id, [](auto& s, auto* c, const auto& r, auto* o) {
      return s.SubmitInvestigationReport(c, r, o);
    });
    CaseStep("insp", v1::CaseStepRequest(), id,
             [](auto& s, auto* c, const auto& r, auto* o) { return s.TransferToReview(c, r, o); });
    if (opinion) {
      note.set_text("审理意见");
      CaseStep("rev", note, id, [](auto& s, auto* c, const auto& r, auto* o) {
        return s.SubmitReviewOpinion(c, r, o);
      });
    }
    return id;
  }

  grpc::Status Record(const std::string& user, const std::string& object,
                      std::vector<std::string> measures, v1::DispositionResponse* out,
                      int probation = 0, const std::string& decided = "") {
    v1::RecordDispositionRequest req;
    req.set_request_id(Rid());
    req.set_object_id(object);
    req.set_subject_index(1);
    for (const std::string& m : measures) req.add_measures(m);
    req.add_disciplines(v1::DISCIPLINE_INTEGRITY);
    req.set_decided_date(decided.empty() ? today_ : decided);
    req.set_probation_months(probation);
    req.set_reason("违反廉洁纪律");
    grpc::ClientContext ctx;
    return Disp(user)->RecordDisposition(&ctx, req, out);
  }

  v1::Disposition GetDisposition(const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetDispositionRequest req;
    req.set_id(id);
    v1::DispositionResponse resp;
    grpc::Status st = Disp("cm")->GetDisposition(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.disposition();
  }

  grpc::Status Approve(const std::string& user, const std::string& id,
                       v1::DispositionResponse* out) {
    auto stub = Disp(user);
    return Step(
        v1::DispositionStepRequest(), id, GetDisposition(id).version(),
        [&](auto* c, const auto& r, auto* o) { return stub->ApproveDisposition(c, r, o); }, out);
  }

  // Records and approves; returns the disposition id.
  std::string Decided(const std::string& object, std::vector<std::string> measures,
                      int probation = 0) {
    v1::DispositionResponse d;
    grpc::Status st =
        Record(object.rfind("LA-", 0) == 0 ? "rev" : "insp", object, measures, &d, probation);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_TRUE(Approve("ldr", d.disposition().id(), &d).ok());
    return d.disposition().id();
  }

  int64_t AuditLogSize() { return deploy_->AuditLogSize(); }

  v1::IntegrityCheckResponse Check(const std::string& name, const std::string& id_number) {
    v1::IntegrityCheckRequest req;
    req.set_request_id(Rid());
    req.set_name(name);
    req.set_id_number(id_number);
    req.set_purpose("拟提拔");
    grpc::ClientContext ctx;
    v1::IntegrityCheckResponse resp;
    grpc::Status st = Disp("cm")->IntegrityCheck(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp;
  }

  int n_ = 0;
  std::string today_;
  std::map<std::string, std::string> profiles_;
  std::unique_ptr<TestDeployment> deploy_;
};

TEST_F(DispositionTest, FirstFormEndsALeadAfterInquiryAndSanctionsNeedACase) {
  const std::string lead = LeadAfterInquiry("周一", kIdA);
  v1::DispositionResponse d;
  const int64_t before = AuditLogSize();
  // A form-2 measure on a lead: refused, nothing written.
  grpc::Status st = Record("insp", lead, {"party-warning"}, &d);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("case"), std::string::npos) << st.error_message();
  EXPECT_EQ(AuditLogSize(), before);
  // Another inspector does not see the lead at all.
  EXPECT_EQ(Record("insp2", lead, {"admonishment"}, &d).error_code(), grpc::StatusCode::NOT_FOUND);
  // An unknown measure names the field.
  st = Record("insp", lead, {"banishment"}, &d);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("banishment"), std::string::npos);
  EXPECT_EQ(AuditLogSize(), before);

  ASSERT_TRUE(Record("insp", lead, {"admonishment", "criticism-education"}, &d).ok());
  const v1::Disposition& p = d.disposition();
  EXPECT_EQ(p.id().substr(0, 8), "CZ-" + today_.substr(0, 4) + "-");
  EXPECT_EQ(p.state(), v1::DISPOSITION_PROPOSED);
  EXPECT_EQ(p.form(), 1);
  EXPECT_EQ(p.subject_name(), "周一");
  EXPECT_EQ(p.period_months(), 6);  // 诫勉: 6 months
  EXPECT_EQ(p.period_end(), AddMonths(today_, 6));
  EXPECT_FALSE(p.in_period());  // not before approval
  // A second proposal for the same person is refused while this one stands.
  EXPECT_EQ(Record("insp", lead, {"reminder-talk"}, &d).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::DispositionResponse approved;
  ASSERT_TRUE(Approve("ldr", p.id(), &approved).ok());
  EXPECT_EQ(approved.disposition().state(), v1::DISPOSITION_APPROVED);
  EXPECT_EQ(approved.disposition().approved_by(), "ldr");
  EXPECT_TRUE(approved.disposition().in_period());
  ASSERT_EQ(approved.disposition().history_size(), 2);
  EXPECT_EQ(approved.disposition().history(1).kind(), "approved");
}

TEST_F(DispositionTest, NoLeaderApprovesTheirOwnProposal) {
  const std::string c = CaseInReview("吴二", kIdA);
  v1::DispositionResponse d;
  ASSERT_TRUE(Record("revldr", c, {"party-warning"}, &d).ok());
  v1::DispositionResponse out;
  grpc::Status own = Approve("revldr", d.disposition().id(), &out);
  EXPECT_EQ(own.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(GetDisposition(d.disposition().id()).state(), v1::DISPOSITION_PROPOSED);
  // An inspector cannot approve at all (policy).
  EXPECT_EQ(Approve("insp", d.disposition().id(), &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A rejection needs a reason, then leaves room for a new proposal.
  auto leader = Disp("ldr");
  v1::DispositionStepRequest reject;
  grpc::Status no_reason = Step(
      reject, d.disposition().id(), GetDisposition(d.disposition().id()).version(),
      [&](auto* x, const auto& r, auto* o) { return leader->RejectDisposition(x, r, o); }, &out);
  EXPECT_EQ(no_reason.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  reject.set_reason("量纪偏轻");
  ASSERT_TRUE(
      Step(
          reject, d.disposition().id(), GetDisposition(d.disposition().id()).version(),
          [&](auto* x, const auto& r, auto* o) { return leader->RejectDisposition(x, r, o); }, &out)
          .ok());
  EXPECT_EQ(out.disposition().state(), v1::DISPOSITION_REJECTED);
  EXPECT_TRUE(Record("rev", c, {"party-serious-warning"}, &d).ok());
}

TEST_F(DispositionTest, ImpossibleCombinationsAreRefusedAndWriteNothing) {
  const std::string c = CaseInReview("郑三", kIdA);
  const int64_t before = AuditLogSize();
  v1::DispositionResponse d;
  struct Bad {
    std::vector<std::string> measures;
    int probation;
    const char* says;
  };
  for (const Bad& bad : std::vector<Bad>{
           {{"party-warning", "party-serious-warning"}, 0, "party"},
           {{"party-expulsion", "party-warning"}, 0, "开除党籍"},
           {{"gov-warning", "gov-demerit"}, 0, "government"},
           {{"party-probation"}, 0, "probation"},
           {{"party-probation"}, 18, "probation"},
           {{"party-warning"}, 12, "probation"},
           {{"party-warning", "party-warning"}, 0, "party-warning"},
       }) {
    grpc::Status st = Record("rev", c, bad.measures, &d, bad.probation);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.says;
    EXPECT_NE(st.error_message().find(bad.says), std::string::npos) << st.error_message();
  }
  // A decision dated in the future names its field.
  grpc::Status future = Record("rev", c, {"party-warning"}, &d, 0, "2999-01-01");
  EXPECT_EQ(future.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(future.error_message().find("decided"), std::string::npos);
  EXPECT_EQ(AuditLogSize(), before);

  // Probation of 24 months is the period; the form is the heaviest measure's.
  ASSERT_TRUE(Record("rev", c, {"party-probation", "gov-dismissal", "org-removal"}, &d, 24).ok());
  EXPECT_EQ(d.disposition().form(), 3);
  EXPECT_EQ(d.disposition().period_months(), 24);
  EXPECT_EQ(d.disposition().period_end(), AddMonths(today_, 24));
}

TEST_F(DispositionTest, ThePersonIsGivenByNumberOrByIdNumber) {
  const std::string c = CaseInReview("秦十三", kIdC);
  v1::RecordDispositionRequest req;
  req.set_request_id(Rid());
  req.set_object_id(c);
  req.set_subject_id_number(kIdB);  // valid, but nobody in this case
  req.add_measures("party-warning");
  req.add_disciplines(v1::DISCIPLINE_WORK);
  req.set_decided_date(today_);
  req.set_reason("失职");
  grpc::ClientContext ctx;
  v1::DispositionResponse d;
  grpc::Status st = Disp("rev")->RecordDisposition(&ctx, req, &d);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(st.error_message().find("subject_id_number"), std::string::npos);
  EXPECT_EQ(st.error_message().find(kIdB), std::string::npos) << "never echo an ID number";
  req.set_subject_index(1);  // both at once: refused
  req.set_request_id(Rid());
  grpc::ClientContext ctx2;
  EXPECT_EQ(Disp("rev")->RecordDisposition(&ctx2, req, &d).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  req.set_subject_index(0);
  req.set_subject_id_number(kIdC);
  req.set_request_id(Rid());
  grpc::ClientContext ctx3;
  st = Disp("rev")->RecordDisposition(&ctx3, req, &d);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(d.disposition().subject_index(), 1);
  EXPECT_EQ(d.disposition().subject_name(), "秦十三");
}

TEST_F(DispositionTest, ApprovalDecidesTheCasePersonAndExecutionClosesIt) {
  const std::string c = CaseInReview("王四", kIdA, /*opinion=*/false);
  v1::DispositionResponse d;
  ASSERT_TRUE(
      Record("rev", c, {"prosecution-transfer", "party-expulsion", "gov-expulsion"}, &d).ok());
  EXPECT_EQ(d.disposition().form(), 4);
  EXPECT_TRUE(d.disposition().permanent());
  const std::string id = d.disposition().id();
  // Approval waits for the review opinion.
  v1::DispositionResponse out;
  grpc::Status early = Approve("ldr", id, &out);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(early.error_message().find("REVIEWED"), std::string::npos);
  v1::CaseNoteRequest note;
  note.set_text("审理意见");
  CaseStep("rev", note, c,
           [](auto& s, auto* x, const auto& r, auto* o) { return s.SubmitReviewOpinion(x, r, o); });
  ASSERT_TRUE(Approve("ldr", id, &out).ok());
  grpc::ClientContext ctx;
  v1::GetCaseRequest get;
  get.set_id(c);
  v1::CaseResponse cr;
  ASSERT_TRUE(Cases("cm")->GetCase(&ctx, get, &cr).ok());
  EXPECT_EQ(cr.case_().state(), v1::CASE_DECIDED);
  EXPECT_TRUE(cr.case_().persons(0).to_procuratorate());
  EXPECT_EQ(cr.case_().persons(0).form(), 4);
}

TEST_F(DispositionTest, PeriodListsAndAppealsKeepHistory) {
  const std::string c1 = CaseInReview("冯五", kIdA);
  const std::string c2 = CaseInReview("陈六", kIdC);
  const std::string short_one = Decided(c1, {"gov-warning"});           // 6 months
  const std::string long_one = Decided(c2, {"party-serious-warning"});  // 18 months
  auto list = [&](bool in_period, int within) {
    v1::ListDispositionsRequest req;
    req.set_in_period(in_period);
    req.set_ending_within_days(within);
    grpc::ClientContext ctx;
    v1::ListDispositionsResponse resp;
    EXPECT_TRUE(Disp("ldr")->ListDispositions(&ctx, req, &resp).ok());
    std::vector<std::string> ids;
    for (const auto& x : resp.dispositions()) ids.push_back(x.id());
    return ids;
  };
  EXPECT_EQ(list(true, 0), (std::vector<std::string>{short_one, long_one}));
  EXPECT_EQ(list(false, 200), (std::vector<std::string>{short_one}));
  EXPECT_EQ(list(false, 30), std::vector<std::string>{});
  EXPECT_EQ(list(false, 600), (std::vector<std::string>{short_one, long_one}));

  // An appeal must be a petition of category appeal.
  auto cm = Disp("cm");
  v1::RegisterAppealRequest appeal;
  appeal.set_petition_id(Petition("冯五", kIdA, v1::CATEGORY_ACCUSATION, false));
  v1::DispositionResponse out;
  auto register_appeal = [&](const std::string& id) {
    return Step(
        appeal, id, GetDisposition(id).version(),
        [&](auto* x, const auto& r, auto* o) { return cm->RegisterAppeal(x, r, o); }, &out);
  };
  EXPECT_EQ(register_appeal(short_one).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  appeal.set_petition_id(Petition("冯五", kIdA, v1::CATEGORY_APPEAL, false));
  ASSERT_TRUE(register_appeal(short_one).ok());
  EXPECT_EQ(out.disposition().appeal_petition_id(), appeal.petition_id());

  // Changed on appeal: new measures, form re-derived, history keeps the old ones.
  auto leader = Disp("ldr");
  v1::DecideAppealRequest decide;
  decide.set_outcome(v1::APPEAL_CHANGED);
  decide.add_measures("gov-demerit");
  decide.set_reason("原处分偏轻");
  ASSERT_TRUE(Step(
                  decide, short_one, GetDisposition(short_one).version(),
                  [&](auto* x, const auto& r, auto* o) { return leader->DecideAppeal(x, r, o); },
                  &out)
                  .ok());
  const v1::Disposition& changed = out.disposition();
  ASSERT_EQ(changed.measures_size(), 1);
  EXPECT_EQ(changed.measures(0).code(), "gov-demerit");
  EXPECT_EQ(changed.period_end(), AddMonths(today_, 12));
  EXPECT_EQ(changed.appeal_outcome(), v1::APPEAL_CHANGED);
  bool saw_old = false;
  for (const auto& h : changed.history()) {
    if (h.kind() == "approved") saw_old = h.measures_size() == 1 && h.measures(0) == "gov-warning";
  }
  EXPECT_TRUE(saw_old);
  EXPECT_EQ(changed.history(changed.history_size() - 1).kind(), "appeal_changed");

  // Revoked on appeal: out of every period list.
  appeal.set_petition_id(Petition("陈六", kIdC, v1::CATEGORY_APPEAL, false));
  ASSERT_TRUE(register_appeal(long_one).ok());
  decide.clear_measures();
  decide.set_outcome(v1::APPEAL_REVOKED);
  ASSERT_TRUE(Step(
                  decide, long_one, GetDisposition(long_one).version(),
                  [&](auto* x, const auto& r, auto* o) { return leader->DecideAppeal(x, r, o); },
                  &out)
                  .ok());
  EXPECT_EQ(out.disposition().state(), v1::DISPOSITION_REVOKED);
  EXPECT_EQ(list(true, 0), (std::vector<std::string>{short_one}));
}

TEST_F(DispositionTest, IntegrityCheckFindsThePersonAndNotANamesake) {
  const std::string lead = LeadAfterInquiry("褚七", kIdA);
  const std::string c = CaseInReview("褚七", kIdA);
  const std::string sanction = Decided(c, {"party-warning", "gov-demerit"});
  const int64_t before = AuditLogSize();

  v1::IntegrityCheckResponse r = Check("褚七", kIdA);
  EXPECT_EQ(r.reference().substr(0, 3), "LZ-");
  EXPECT_EQ(r.opinion(), "in_sanction_period");
  EXPECT_NE(r.opinion_text().find(AddMonths(today_, 12)), std::string::npos) << r.opinion_text();
  std::set<std::string> open;
  for (const auto& m : r.open_matters()) open.insert(m.id());
  EXPECT_TRUE(open.count(lead)) << "the open lead";
  EXPECT_TRUE(open.count(c)) << "the open case";
  ASSERT_EQ(r.sanctions_size(), 1);
  EXPECT_EQ(r.sanctions(0).disposition_id(), sanction);
  EXPECT_EQ(r.sanctions(0).period_end(), AddMonths(today_, 12));
  // One audit event naming who asked, and never the person.
  EXPECT_EQ(AuditLogSize(), before + 1);
  auto audit = v1::AuditService::NewStub(Ch("aud"));
  v1::GetEventsRequest ev;
  ev.set_from_seq(before);
  ev.set_to_seq(before);
  grpc::ClientContext ctx;
  v1::GetEventsResponse events;
  ASSERT_TRUE(audit->GetEvents(&ctx, ev, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).action(), "integrity.check");
  EXPECT_EQ(events.events(0).actor(), "cm");
  EXPECT_EQ(events.events(0).object_id(), r.reference());
  EXPECT_EQ(events.events(0).SerializeAsString().find("褚七"), std::string::npos);

  // Same name, another ID number: nothing.
  v1::IntegrityCheckResponse other = Check("褚七", kIdB);
  EXPECT_EQ(other.opinion(), "no_objection");
  EXPECT_EQ(other.open_matters_size(), 0);
  EXPECT_EQ(other.sanctions_size(), 0);
  // A bad ID number names the field and writes nothing.
  v1::IntegrityCheckRequest bad;
  bad.set_request_id(Rid());
  bad.set_name("褚七");
  bad.set_id_number("110105194912310021");
  grpc::ClientContext bctx;
  v1::IntegrityCheckResponse ignored;
  grpc::Status st = Disp("cm")->IntegrityCheck(&bctx, bad, &ignored);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("id_number"), std::string::npos);
  EXPECT_EQ(AuditLogSize(), before + 2);
}

TEST_F(DispositionTest, StatisticsMatchTheDecisionsThroughTheCli) {
  const std::string lead = LeadAfterInquiry("蒋八", kIdA);
  Decided(lead, {"reminder-talk"});
  const std::string c1 = CaseInReview("沈九", kIdC);
  Decided(c1, {"party-serious-warning", "gov-major-demerit"});
  const std::string c2 = CaseInReview("韩十", kIdB);
  Decided(c2, {"party-probation"}, 12);
  // A proposal that is not approved does not count.
  const std::string c3 = CaseInReview("杨十一", kIdA);
  v1::DispositionResponse d;
  ASSERT_TRUE(Record("rev", c3, {"party-warning"}, &d).ok());

  const std::string profile = profiles_.at("aud");
  CommandResult csv = RunBinary("jijian", {"--profile", profile, "stats", "four-forms", "--from",
                                           today_, "--to", today_, "--csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_NE(csv.out.find("four_forms,person_times,,3,"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("forms,1,第一种形态,1,33.3"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("forms,2,第二种形态,1,33.3"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("forms,3,第三种形态,1,33.3"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("sanctions,party_sanctioned,,2,"), std::string::npos) << csv.out;
  EXPECT_NE(csv.out.find("sanctions,government_sanctioned,,1,"), std::string::npos) << csv.out;
  CommandResult table = RunBinary(
      "jijian", {"--profile", profile, "stats", "four-forms", "--from", today_, "--to", today_});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("运用\"四种形态\"批评教育帮助和处理 3 人次，其中第一种形态 1 人次，"
                           "占 33.3%"),
            std::string::npos)
      << table.out;
  // Another unit has none; a reversed period is refused naming the field.
  CommandResult unit =
      RunBinary("jijian", {"--profile", profile, "--json", "stats", "four-forms", "--from", today_,
                           "--to", today_, "--unit", "别的单位"});
  ASSERT_EQ(unit.exit_code, 0) << unit.err;
  EXPECT_EQ(unit.out.find("personTimes"), std::string::npos) << unit.out;  // 0 is omitted
  CommandResult bad = RunBinary(
      "jijian", {"--profile", profile, "stats", "all", "--from", today_, "--to", "2000-01-01"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("to: must not be before from"), std::string::npos) << bad.err;

  // The CLI's record/approve/list/integrity-check.
  const std::string c4 = CaseInReview("朱十二", kIdA);
  CommandResult rec =
      RunBinary("jijian", {"--profile", profiles_.at("rev"), "disposition", "record", c4,
                           "--subject-id", kIdA, "--measure", "gov-demotion", "--discipline",
                           "work,integrity", "--decided", today_, "--reason", "失职失责"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_NE(rec.out.find("form:        2"), std::string::npos) << rec.out;
  const size_t at = rec.out.find("CZ-");
  ASSERT_NE(at, std::string::npos);
  const std::string id = rec.out.substr(at, 14);
  CommandResult ok =
      RunBinary("jijian", {"--profile", profiles_.at("ldr"), "disposition", "approve", id});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  CommandResult ending = RunBinary("jijian", {"--profile", profiles_.at("ldr"), "disposition",
                                              "list", "--ending-within", "800d"});
  ASSERT_EQ(ending.exit_code, 0) << ending.err;
  EXPECT_NE(ending.out.find(id), std::string::npos) << ending.out;
  CommandResult check = RunBinary("jijian", {"--profile", profiles_.at("ldr"), "integrity-check",
                                             "--name", "朱十二", "--id-number", kIdA});
  ASSERT_EQ(check.exit_code, 0) << check.err;
  EXPECT_NE(check.out.find("in_sanction_period"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find(c4), std::string::npos) << check.out;
}

}  // namespace
}  // namespace jijian::testing

namespace jijian::testing {
namespace {

// A rules file that replaces the measure table is checked at start-up: a bad one stops the
// server with a message naming the file, the entry and the key.
TEST(MeasureRules, ABadRulesFileStopsStartUp) {
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start();
  ASSERT_NE(deploy, nullptr);
  const std::string dir = deploy->data_dir();
  deploy->Stop();
  absl::StatusOr<server::ServerConfig> config = server::LoadConfig(server::ConfigPath(dir));
  ASSERT_TRUE(config.ok()) << config.status();
  config->listen = "127.0.0.1:0";
  const std::string rules = dir + "/measures.toml";
  {
    std::ofstream out(rules);
    out << "[[measure]]\ncode = \"party-warning\"\nname_zh = \"党内警告\"\nname_en = \"w\"\n"
           "form = 7\nkind = \"party\"\nrank = 1\n";
  }
  config->measures_path = rules;
  absl::StatusOr<std::unique_ptr<server::JijianServer>> bad = server::JijianServer::Start(*config);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("measures.toml"), std::string::npos) << bad.status();
  EXPECT_NE(bad.status().message().find("form"), std::string::npos) << bad.status();
  // A good file (here the shipped table) starts.
  {
    std::ofstream out(rules, std::ios::trunc);
    out << server::domain::BuiltInMeasureText();
  }
  absl::StatusOr<std::unique_ptr<server::JijianServer>> good = server::JijianServer::Start(*config);
  ASSERT_TRUE(good.ok()) << good.status();
  (*good)->Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace jijian::testing
