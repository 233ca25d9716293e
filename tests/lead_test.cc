// Problem leads (问题线索) end to end over real mutual TLS, each step by a user of the
// right role: petition → lead → inquiry → verification, approvals by a leader who did not
// propose, recusal, need to know, the 第二十二条 report, deadlines in working days.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <thread>
#include <vector>

#include "jijian/v1/case.grpc.pb.h"
#include "jijian/v1/disposition.grpc.pb.h"
#include "jijian/v1/lead.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "server/domain/lead_rules.h"
#include "storage/audit.h"
#include "storage/cases.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

constexpr char kIdNumber[] = "11010519491231002X";

class LeadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    registrar_ =
        v1::PetitionService::NewStub(deploy_->Channel(deploy_->AddUser("reg", "registrar")));
    cm_ = Stub("cm", "case-manager");
    insp1_ = Stub("insp1", "inspector");
    insp2_ = Stub("insp2", "inspector");
    leader_ = Stub("ldr", "leader");
    leader2_ = Stub("ldr2", "leader");
    boss_ = Stub("boss", "case-manager,leader");  // proposes and would approve
    reviewer_ = v1::CaseService::NewStub(deploy_->Channel(deploy_->AddUser("rev", "reviewer")));
    c_cm_ = v1::CaseService::NewStub(deploy_->Channel(deploy_->data_dir() + "/profiles/cm.toml"));
    c_insp1_ =
        v1::CaseService::NewStub(deploy_->Channel(deploy_->data_dir() + "/profiles/insp1.toml"));
    c_insp2_ =
        v1::CaseService::NewStub(deploy_->Channel(deploy_->data_dir() + "/profiles/insp2.toml"));
    c_leader_ =
        v1::CaseService::NewStub(deploy_->Channel(deploy_->data_dir() + "/profiles/ldr.toml"));
    c_boss_ =
        v1::CaseService::NewStub(deploy_->Channel(deploy_->data_dir() + "/profiles/boss.toml"));
  }

  // A lead registered from an accepted petition about name and assigned to insp1; its id.
  std::string AssignedLead(const std::string& name) {
    std::string id = Register(AcceptedPetition(name)).id();
    EXPECT_TRUE(Assign(id, "insp1").ok());
    return id;
  }

  // An assigned lead whose disposal by method m the case manager proposed and a leader
  // approved; its id.
  std::string ApprovedLead(const std::string& name, v1::DisposalMethod m) {
    std::string id = AssignedLead(name);
    EXPECT_TRUE(Propose(*cm_, id, m).ok());
    EXPECT_TRUE(Decide(*leader_, id, true).ok());
    return id;
  }

  // A lead taken to CASE_PENDING by the usual path; returns its id.
  std::string LeadReadyForFiling(const std::string& subject) {
    std::string id = Register(AcceptedPetition(subject)).id();
    EXPECT_TRUE(Assign(id, "insp1").ok());
    EXPECT_TRUE(Propose(*insp1_, id, v1::DISPOSAL_VERIFICATION).ok());
    EXPECT_TRUE(Decide(*leader_, id, true).ok());
    EXPECT_TRUE(Report(id, v1::REPORT_FILE_CASE).ok());
    EXPECT_TRUE(Decide(*leader_, id, true).ok());
    EXPECT_EQ(Get(*cm_, id).state(), v1::LEAD_CASE_PENDING);
    return id;
  }

  int64_t CaseVersion(const std::string& id) {
    grpc::ClientContext ctx;
    v1::GetCaseRequest req;
    req.set_id(id);
    v1::CaseResponse resp;
    EXPECT_TRUE(c_cm_->GetCase(&ctx, req, &resp).ok());
    return resp.case_().version();
  }

  template <typename Request, typename Call>
  grpc::Status CaseCall(Request req, const std::string& id, Call call, v1::Case* out = nullptr) {
    req.set_request_id("c-" + std::to_string(n_++));
    req.set_id(id);
    req.set_expected_version(CaseVersion(id));
    grpc::ClientContext ctx;
    v1::CaseResponse resp;
    grpc::Status st = call(&ctx, req, &resp);
    if (out) *out = resp.case_();
    return st;
  }

  std::unique_ptr<v1::LeadService::Stub> Stub(const std::string& user, const std::string& roles) {
    return v1::LeadService::NewStub(deploy_->Channel(deploy_->AddUser(user, roles)));
  }

  // An accepted petition about one subject; returns its id.
  std::string AcceptedPetition(const std::string& subject, bool top_leader = false) {
    v1::RegisterPetitionRequest req;
    req.set_request_id("p-" + std::to_string(n_++));
    req.set_channel(v1::CHANNEL_LETTER);
    req.set_category(v1::CATEGORY_ACCUSATION);
    req.set_received_date("2026-11-02");
    req.mutable_reporter()->set_name("举报人王");
    req.mutable_reporter()->set_id_number(kIdNumber);
    v1::Subject* s = req.add_subjects();
    s->set_name(subject);
    s->set_unit("某县财政局");
    s->set_id_number(kIdNumber);
    s->set_top_leader(top_leader);
    req.set_summary("反映" + subject + "问题");
    req.set_content("详情");
    grpc::ClientContext ctx;
    v1::RegisterPetitionResponse resp;
    EXPECT_TRUE(registrar_->RegisterPetition(&ctx, req, &resp).ok());
    v1::DecidePetitionRequest decide;
    decide.set_request_id("d-" + std::to_string(n_++));
    decide.set_id(resp.petition().id());
    decide.set_expected_version(1);
    decide.set_mode(v1::HANDLING_ACCEPT);
    decide.set_reason("本级受理");
    grpc::ClientContext ctx2;
    v1::PetitionResponse out;
    EXPECT_TRUE(registrar_->DecidePetition(&ctx2, decide, &out).ok());
    return resp.petition().id();
  }

  v1::Lead Register(const std::string& petition_id) {
    v1::RegisterLeadRequest req;
    req.set_request_id("l-" + std::to_string(n_++));
    req.set_petition_id(petition_id);
    grpc::ClientContext ctx;
    v1::LeadResponse resp;
    grpc::Status st = cm_->RegisterLead(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return resp.lead();
  }

  v1::Lead Get(v1::LeadService::Stub& stub, const std::string& id, grpc::Status* st = nullptr) {
    grpc::ClientContext ctx;
    v1::GetLeadRequest req;
    req.set_id(id);
    v1::LeadResponse resp;
    grpc::Status s = stub.GetLead(&ctx, req, &resp);
    if (st) *st = s;
    return resp.lead();
  }

  int64_t Version(const std::string& id) { return Get(*cm_, id).version(); }

  grpc::Status Assign(const std::string& id, const std::string& inspector) {
    v1::AssignLeadRequest req;
    req.set_request_id("a-" + std::to_string(n_++));
    req.set_id(id);
    req.set_expected_version(Version(id));
    req.set_inspector(inspector);
    grpc::ClientContext ctx;
    v1::LeadResponse resp;
    return cm_->AssignLead(&ctx, req, &resp);
  }

  grpc::Status Propose(v1::LeadService::Stub& stub, const std::string& id,
                       v1::DisposalMethod method) {
    v1::ProposeDisposalRequest req;
    req.set_request_id("pr-" + std::to_string(n_++));
    req.set_id(id);
    req.set_expected_version(Version(id));
    req.set_method(method);
    req.set_reason("集体排查意见");
    grpc::ClientContext ctx;
    v1::LeadResponse resp;
    return stub.ProposeDisposal(&ctx, req, &resp);
  }

  grpc::Status Decide(v1::LeadService::Stub& stub, const std::string& id, bool approve,
                      v1::Lead* out = nullptr) {
    v1::DecideProposalRequest req;
    req.set_request_id("ap-" + std::to_string(n_++));
    req.set_id(id);
    req.set_expected_version(Version(id));
    req.set_reason(approve ? "同意" : "依据不足，退回");
    grpc::ClientContext ctx;
    v1::LeadResponse resp;
    grpc::Status st =
        approve ? stub.ApproveProposal(&ctx, req, &resp) : stub.RejectProposal(&ctx, req, &resp);
    if (out) *out = resp.lead();
    return st;
  }

  grpc::Status NoteCall(v1::LeadService::Stub& stub, const std::string& id,
                        const std::string& which, v1::Lead* out = nullptr) {
    v1::LeadNoteRequest req;
    req.set_request_id("n-" + std::to_string(n_++));
    req.set_id(id);
    req.set_expected_version(Version(id));
    req.set_text("记录");
    grpc::ClientContext ctx;
    v1::LeadResponse resp;
    grpc::Status st = which == "sent"    ? stub.RecordInquirySent(&ctx, req, &resp)
                      : which == "reply" ? stub.RecordInquiryReply(&ctx, req, &resp)
                                         : stub.RecordHigherReport(&ctx, req, &resp);
    if (out) *out = resp.lead();
    return st;
  }

  grpc::Status Report(const std::string& id, v1::ReportProposal proposal) {
    v1::VerificationReportRequest req;
    req.set_request_id("r-" + std::to_string(n_++));
    req.set_id(id);
    req.set_expected_version(Version(id));
    req.set_proposal(proposal);
    req.set_text("初步核实报告：问题基本属实");
    grpc::ClientContext ctx;
    v1::LeadResponse resp;
    return insp1_->SubmitVerificationReport(&ctx, req, &resp);
  }

  int64_t AuditLogSize() {
    return *deploy_->server().store().Read<int64_t>(
        [](storage::Db& db) { return storage::AuditLogSize(db); });
  }

  static const v1::Deadline* FindDeadline(const v1::Lead& l, const std::string& name) {
    for (const auto& d : l.deadlines()) {
      if (d.name() == name) return &d;
    }
    return nullptr;
  }

  std::unique_ptr<v1::DispositionService::Stub> Dispositions(const std::string& user) {
    return v1::DispositionService::NewStub(
        deploy_->Channel(deploy_->data_dir() + "/profiles/" + user + ".toml"));
  }

  // The disposition of person 1 of object with one measure, decided today.
  static v1::RecordDispositionRequest DispositionOf(const std::string& request_id,
                                                    const std::string& object,
                                                    const std::string& measure,
                                                    const std::string& reason) {
    v1::RecordDispositionRequest record;
    record.set_request_id(request_id);
    record.set_object_id(object);
    record.set_subject_index(1);
    record.add_measures(measure);
    record.add_disciplines(v1::DISCIPLINE_INTEGRITY);
    record.set_decided_date(TodayText());
    record.set_reason(reason);
    return record;
  }

  // Every item of stub's queue, page after page of page_size; checks each page's size and
  // token on the way.
  std::vector<v1::LeadQueueItem> WholeQueue(v1::LeadService::Stub& stub, int page_size,
                                            int* pages = nullptr) {
    std::vector<v1::LeadQueueItem> items;
    v1::MyQueueRequest req;
    req.set_page_size(page_size);
    for (int page = 1; page <= 1000; ++page) {
      grpc::ClientContext ctx;
      v1::MyQueueResponse resp;
      grpc::Status st = stub.MyQueue(&ctx, req, &resp);
      EXPECT_TRUE(st.ok()) << st.error_message();
      EXPECT_LE(resp.items_size(), page_size);
      items.insert(items.end(), resp.items().begin(), resp.items().end());
      if (pages) *pages = page;
      if (!st.ok() || resp.next_page_token().empty()) break;
      EXPECT_EQ(resp.items_size(), page_size);
      EXPECT_EQ(resp.next_page_token(), resp.items(resp.items_size() - 1).id());
      req.set_page_token(resp.next_page_token());
    }
    return items;
  }

  // The queue of stub as id -> next action.
  std::map<std::string, std::string> QueueOf(v1::LeadService::Stub& stub) {
    std::map<std::string, std::string> out;
    for (const v1::LeadQueueItem& i : WholeQueue(stub, 3)) {
      EXPECT_TRUE(out.emplace(i.id(), i.next_action()).second) << i.id() << " listed twice";
    }
    return out;
  }

  std::unique_ptr<v1::LeadService::Stub> LeadStub(const std::string& user) {
    return v1::LeadService::NewStub(
        deploy_->Channel(deploy_->data_dir() + "/profiles/" + user + ".toml"));
  }

  int n_ = 0;
  std::unique_ptr<TestDeployment> deploy_;
  std::unique_ptr<v1::PetitionService::Stub> registrar_;
  std::unique_ptr<v1::LeadService::Stub> cm_, insp1_, insp2_, leader_, leader2_, boss_;
  std::unique_ptr<v1::CaseService::Stub> reviewer_, c_cm_, c_insp1_, c_insp2_, c_leader_, c_boss_;
};

TEST_F(LeadTest, PetitionToLeadToInquiryToVerificationToCaseFiling) {
  const std::string petition = AcceptedPetition("李四");
  v1::Lead lead = Register(petition);
  const std::string id = lead.id();
  EXPECT_EQ(id.substr(0, 8), "XS-2026-");
  EXPECT_EQ(lead.state(), v1::LEAD_REGISTERED);
  EXPECT_EQ(lead.petition_id(), petition);
  EXPECT_EQ(lead.source(), v1::LEAD_SOURCE_PETITION);
  ASSERT_EQ(lead.subjects_size(), 1);
  EXPECT_EQ(lead.subjects(0).name(), "李四");
  EXPECT_TRUE(lead.subjects(0).id_number().empty());  // identity stays sealed
  // A petition becomes one lead only.
  v1::RegisterLeadRequest again;
  again.set_request_id("again");
  again.set_petition_id(petition);
  grpc::ClientContext ctx;
  v1::LeadResponse resp;
  EXPECT_EQ(cm_->RegisterLead(&ctx, again, &resp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  ASSERT_TRUE(Assign(id, "insp1").ok());
  ASSERT_TRUE(Propose(*insp1_, id, v1::DISPOSAL_TALK_INQUIRY).ok());
  EXPECT_EQ(Get(*cm_, id).state(), v1::LEAD_PROPOSED);
  v1::Lead approved;
  ASSERT_TRUE(Decide(*leader_, id, true, &approved).ok());
  EXPECT_EQ(approved.state(), v1::LEAD_INQUIRY);
  v1::Lead sent;
  ASSERT_TRUE(NoteCall(*insp1_, id, "sent", &sent).ok());
  // Sent Mon 2026-11-30: 15 working days later is Mon 2026-12-21.
  ASSERT_NE(FindDeadline(sent, "inquiry_reply"), nullptr);
  EXPECT_EQ(FindDeadline(sent, "inquiry_reply")->due_date(), "2026-12-21");
  ASSERT_TRUE(NoteCall(*insp1_, id, "reply").ok());
  EXPECT_EQ(Get(*cm_, id).state(), v1::LEAD_INQUIRY_REPLIED);
  ASSERT_TRUE(Propose(*insp1_, id, v1::DISPOSAL_VERIFICATION).ok());
  v1::Lead verifying;
  ASSERT_TRUE(Decide(*leader_, id, true, &verifying).ok());
  EXPECT_EQ(verifying.state(), v1::LEAD_VERIFICATION);
  {
    // The plan and team: members must be free of conflicts; recorded once.
    v1::LeadNoteRequest plan;
    plan.set_request_id("plan-1");
    plan.set_id(id);
    plan.set_expected_version(Version(id));
    plan.set_text("初核方案：调取账目，约谈相关人员");
    plan.add_team("insp1");
    plan.add_team("nobody");
    grpc::ClientContext c1;
    v1::LeadResponse r1;
    EXPECT_EQ(insp1_->RecordVerificationPlan(&c1, plan, &r1).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
    plan.set_team(1, "insp2");
    grpc::ClientContext c2;
    ASSERT_TRUE(insp1_->RecordVerificationPlan(&c2, plan, &r1).ok());
    EXPECT_EQ(r1.lead().notes(r1.lead().notes_size() - 1).kind(), "verification_plan");
    EXPECT_NE(r1.lead().notes(r1.lead().notes_size() - 1).text().find("team: insp1, insp2"),
              std::string::npos);
  }
  const v1::Deadline* report_due = FindDeadline(verifying, "verification_report");
  ASSERT_NE(report_due, nullptr);
  // 60 working days from 2026-11-30 runs into 2027, whose holidays are not loaded yet.
  EXPECT_TRUE(report_due->provisional());
  ASSERT_TRUE(Report(id, v1::REPORT_FILE_CASE).ok());
  EXPECT_EQ(Get(*cm_, id).state(), v1::LEAD_VERIFICATION_REPORTED);
  // A rejected report goes back to verification with the reason.
  ASSERT_TRUE(Decide(*leader_, id, false).ok());
  EXPECT_EQ(Get(*cm_, id).state(), v1::LEAD_VERIFICATION);
  ASSERT_TRUE(Report(id, v1::REPORT_FILE_CASE).ok());
  v1::Lead pending;
  ASSERT_TRUE(Decide(*leader2_, id, true, &pending).ok());
  EXPECT_EQ(pending.state(), v1::LEAD_CASE_PENDING);
  ASSERT_EQ(pending.proposals_size(), 4);
  EXPECT_EQ(pending.proposals(2).outcome(), "rejected");
  EXPECT_EQ(pending.proposals(2).decision_reason(), "依据不足，退回");
  EXPECT_EQ(pending.proposals(3).decided_by(), "ldr2");

  // The petition's timeline reaches the lead through the link.
  std::vector<storage::AuditEvent> events =
      *deploy_->server().store().Read<std::vector<storage::AuditEvent>>(
          [](storage::Db& db) { return storage::ReadAuditEvents(db, 0, 1000); });
  int lead_events = 0;
  for (const auto& e : events) {
    if (e.object_id == id) ++lead_events;
    if (e.object_id == petition && e.action == "petition.handed_on") {
      EXPECT_EQ(e.reason, "lead=" + id);
    }
  }
  EXPECT_EQ(lead_events, 13);
}

TEST_F(LeadTest, FirstFormMeasureAfterAnInquiryReplyClosesTheLead) {
  std::string id = Register(AcceptedPetition("蒋十六")).id();
  ASSERT_TRUE(Assign(id, "insp1").ok());
  // Not before the inquiry.
  EXPECT_EQ(Propose(*insp1_, id, v1::DISPOSAL_FIRST_FORM).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Propose(*insp1_, id, v1::DISPOSAL_TALK_INQUIRY).ok());
  ASSERT_TRUE(Decide(*leader_, id, true).ok());
  ASSERT_TRUE(NoteCall(*insp1_, id, "sent").ok());
  ASSERT_TRUE(NoteCall(*insp1_, id, "reply").ok());
  ASSERT_TRUE(Propose(*insp1_, id, v1::DISPOSAL_FIRST_FORM).ok());
  // Approval waits for the measure itself: an approved first-form disposition.
  v1::Lead closed;
  grpc::Status early = Decide(*leader_, id, true, &closed);
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(early.error_message().find("disposition"), std::string::npos);
  auto d_insp = Dispositions("insp1");
  auto d_leader = Dispositions("ldr");
  const v1::RecordDispositionRequest record =
      DispositionOf("first-form-1", id, "reminder-talk", "谈话提醒");
  grpc::ClientContext rctx;
  v1::DispositionResponse disp;
  // The lead is PROPOSED now; a disposition is recorded while the inquiry stands, so this
  // is refused and the proposal must be withdrawn by rejection first.
  ASSERT_EQ(d_insp->RecordDisposition(&rctx, record, &disp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Decide(*leader_, id, false).ok());
  grpc::ClientContext rctx2;
  ASSERT_TRUE(d_insp->RecordDisposition(&rctx2, record, &disp).ok());
  v1::DispositionStepRequest approve;
  approve.set_request_id("first-form-2");
  approve.set_id(disp.disposition().id());
  approve.set_expected_version(disp.disposition().version());
  grpc::ClientContext actx;
  ASSERT_TRUE(d_leader->ApproveDisposition(&actx, approve, &disp).ok());
  ASSERT_TRUE(Propose(*insp1_, id, v1::DISPOSAL_FIRST_FORM).ok());
  ASSERT_TRUE(Decide(*leader_, id, true, &closed).ok());
  EXPECT_EQ(closed.state(), v1::LEAD_CLOSED);
  EXPECT_EQ(closed.proposals(closed.proposals_size() - 1).kind(), "first-form");
}

TEST_F(LeadTest, NobodyApprovesTheirOwnProposal) {
  std::string id = Register(AcceptedPetition("王五")).id();
  ASSERT_TRUE(Propose(*boss_, id, v1::DISPOSAL_CLOSE).ok());
  grpc::Status st = Decide(*boss_, id, true);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(st.error_message().find("own proposal"), std::string::npos);
  EXPECT_EQ(Get(*cm_, id).state(), v1::LEAD_PROPOSED);
  // A case manager cannot approve at all; another leader can.
  v1::DecideProposalRequest req;
  req.set_request_id("cm-approve");
  req.set_id(id);
  req.set_expected_version(Version(id));
  grpc::ClientContext ctx;
  v1::LeadResponse resp;
  EXPECT_EQ(cm_->ApproveProposal(&ctx, req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::Lead closed;
  ASSERT_TRUE(Decide(*leader_, id, true, &closed).ok());
  EXPECT_EQ(closed.state(), v1::LEAD_CLOSED);
}

TEST_F(LeadTest, AssignmentsThatBreakRecusalAreRefused) {
  std::string petition = AcceptedPetition("赵六");
  std::string id = Register(petition).id();
  // insp2 declares a conflict about the subject (by ID number): cannot be assigned.
  v1::DeclareRecusalRequest declare;
  declare.set_request_id("recuse-1");
  declare.set_subject_id_number(kIdNumber);
  declare.set_ground("relative");
  declare.set_reason("近亲属");
  grpc::ClientContext ctx;
  v1::DeclareRecusalResponse out;
  ASSERT_TRUE(insp2_->DeclareRecusal(&ctx, declare, &out).ok());
  const int64_t events = AuditLogSize();
  grpc::Status st = Assign(id, "insp2");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("回避"), std::string::npos);
  EXPECT_EQ(st.error_message().find(kIdNumber), std::string::npos);
  EXPECT_EQ(AuditLogSize(), events);
  EXPECT_TRUE(Assign(id, "insp1").ok());
  // A conflict about the reporter of a petition.
  std::string other = Register(AcceptedPetition("钱七")).id();
  v1::DeclareRecusalRequest about_reporter;
  about_reporter.set_request_id("recuse-2");
  about_reporter.set_reporter_of(Get(*cm_, other).petition_id());
  about_reporter.set_ground("interest");
  about_reporter.set_reason("利害关系");
  grpc::ClientContext ctx2;
  ASSERT_TRUE(insp1_->DeclareRecusal(&ctx2, about_reporter, &out).ok());
  EXPECT_EQ(Assign(other, "insp1").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // An inspector whose name is a subject's name may be the subject.
  auto same_name = deploy_->AddUser("li.er", "inspector");
  (void)same_name;
  v1::RegisterLeadRequest req;
  req.set_request_id("src-1");
  req.set_source(v1::LEAD_SOURCE_AUDIT);
  v1::Subject* s = req.add_subjects();
  s->set_name("Test li.er");  // TestDeployment names users "Test <id>"
  s->set_unit("某单位");
  req.set_summary("审计移交");
  grpc::ClientContext ctx3;
  v1::LeadResponse resp;
  ASSERT_TRUE(cm_->RegisterLead(&ctx3, req, &resp).ok());
  EXPECT_EQ(Assign(resp.lead().id(), "li.er").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Only enabled inspectors can be assigned.
  EXPECT_EQ(Assign(resp.lead().id(), "ldr").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(LeadTest, InspectorsSeeOnlyWhatIsAssignedToThem) {
  std::string mine = Register(AcceptedPetition("孙八")).id();
  std::string theirs = Register(AcceptedPetition("周九")).id();
  ASSERT_TRUE(Assign(mine, "insp1").ok());
  ASSERT_TRUE(Assign(theirs, "insp2").ok());
  grpc::Status st;
  Get(*insp1_, theirs, &st);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(st.error_message(), "lead " + theirs + " does not exist");
  EXPECT_EQ(Get(*insp1_, mine, &st).id(), mine);
  grpc::ClientContext ctx;
  v1::ListLeadsRequest list;
  v1::ListLeadsResponse leads;
  ASSERT_TRUE(insp1_->ListLeads(&ctx, list, &leads).ok());
  ASSERT_EQ(leads.leads_size(), 1);
  EXPECT_EQ(leads.leads(0).id(), mine);
  // Acting on someone else's lead: the same NOT_FOUND, nothing written.
  const int64_t events = AuditLogSize();
  v1::ProposeDisposalRequest req;
  req.set_request_id("x");
  req.set_id(theirs);
  req.set_expected_version(Version(theirs));
  req.set_method(v1::DISPOSAL_CLOSE);
  req.set_reason("x");
  grpc::ClientContext ctx2;
  v1::LeadResponse resp;
  EXPECT_EQ(insp1_->ProposeDisposal(&ctx2, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(AuditLogSize(), events);
  // Case managers and leaders see the whole ledger.
  grpc::ClientContext ctx3;
  ASSERT_TRUE(leader_->ListLeads(&ctx3, list, &leads).ok());
  EXPECT_EQ(leads.leads_size(), 2);
}

TEST_F(LeadTest, FlaggedLeadCannotCloseBeforeTheHigherReport) {
  v1::Lead lead = Register(AcceptedPetition("吴十", /*top_leader=*/true));
  EXPECT_TRUE(lead.report_to_higher_required());
  ASSERT_TRUE(Propose(*cm_, lead.id(), v1::DISPOSAL_CLOSE).ok());
  grpc::Status st = Decide(*leader_, lead.id(), true);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("report-higher"), std::string::npos);
  v1::Lead reported;
  ASSERT_TRUE(NoteCall(*cm_, lead.id(), "higher", &reported).ok());
  EXPECT_FALSE(reported.reported_to_higher_date().empty());
  v1::Lead closed;
  ASSERT_TRUE(Decide(*leader_, lead.id(), true, &closed).ok());
  EXPECT_EQ(closed.state(), v1::LEAD_CLOSED);
}

TEST_F(LeadTest, DisallowedTransitionsAreRefusedAndWriteNothing) {
  std::string id = Register(AcceptedPetition("郑十一")).id();
  ASSERT_TRUE(Assign(id, "insp1").ok());
  const int64_t events = AuditLogSize();
  // REGISTERED: no approval (nothing proposed), no inquiry, no report.
  grpc::Status st = Decide(*leader_, id, true);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("is in REGISTERED"), std::string::npos);
  EXPECT_NE(st.error_message().find("allowed: assign, propose, report-higher"), std::string::npos)
      << st.error_message();
  EXPECT_EQ(NoteCall(*insp1_, id, "sent").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(NoteCall(*insp1_, id, "reply").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Report(id, v1::REPORT_CLOSE).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(AuditLogSize(), events);
  // PROPOSED: no second proposal.
  ASSERT_TRUE(Propose(*cm_, id, v1::DISPOSAL_HOLD).ok());
  EXPECT_EQ(Propose(*cm_, id, v1::DISPOSAL_CLOSE).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::Lead held;
  ASSERT_TRUE(Decide(*leader_, id, true, &held).ok());
  EXPECT_EQ(held.state(), v1::LEAD_HOLD);
  EXPECT_FALSE(held.hold_review_date().empty());
  // A stale version is ABORTED.
  v1::AssignLeadRequest stale;
  stale.set_request_id("stale");
  stale.set_id(id);
  stale.set_expected_version(1);
  stale.set_inspector("insp2");
  grpc::ClientContext ctx;
  v1::LeadResponse resp;
  EXPECT_EQ(cm_->AssignLead(&ctx, stale, &resp).error_code(), grpc::StatusCode::ABORTED);
  // Unknown enum values and missing fields name the field.
  v1::ProposeDisposalRequest bad;
  bad.set_request_id("bad");
  bad.set_id(id);
  bad.set_expected_version(Version(id));
  bad.set_method(static_cast<v1::DisposalMethod>(42));
  bad.set_reason("x");
  grpc::ClientContext ctx2;
  grpc::Status b = cm_->ProposeDisposal(&ctx2, bad, &resp);
  EXPECT_EQ(b.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(b.error_message().rfind("method:", 0), 0u);
}

TEST_F(LeadTest, LeadsFromOtherSourcesAndOverdueLists) {
  v1::RegisterLeadRequest req;
  req.set_request_id("tour-1");
  req.set_source(v1::LEAD_SOURCE_INSPECTION_TOUR);
  v1::Subject* s = req.add_subjects();
  s->set_name("冯十二");
  s->set_unit("某局");
  s->set_committee_member(true);
  req.set_summary("巡察移交问题线索");
  grpc::ClientContext ctx;
  v1::LeadResponse resp;
  ASSERT_TRUE(cm_->RegisterLead(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.lead().source(), v1::LEAD_SOURCE_INSPECTION_TOUR);
  EXPECT_TRUE(resp.lead().report_to_higher_required());
  // Nothing is overdue on the day of registration.
  grpc::ClientContext ctx2;
  v1::ListLeadsRequest overdue;
  overdue.set_overdue(true);
  v1::ListLeadsResponse leads;
  ASSERT_TRUE(cm_->ListLeads(&ctx2, overdue, &leads).ok());
  EXPECT_EQ(leads.leads_size(), 0);
  // The case manager's queue asks for an inspector and the higher report.
  grpc::ClientContext ctx3;
  v1::MyQueueResponse queue;
  ASSERT_TRUE(cm_->MyQueue(&ctx3, v1::MyQueueRequest(), &queue).ok());
  ASSERT_EQ(queue.items_size(), 1);
  EXPECT_EQ(queue.items(0).next_action(), "assign an inspector");
  // A source lead without subjects is refused, naming the field.
  req.clear_subjects();
  req.set_request_id("tour-2");
  grpc::ClientContext ctx4;
  grpc::Status st = cm_->RegisterLead(&ctx4, req, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("subjects", 0), 0u);
}

TEST_F(LeadTest, EveryActionNotInTheTableIsRefusedOverTheWireAndWritesNothing) {
  using domain_action = server::domain::LeadAction;
  // Leads in each reachable state, all assigned to insp1.
  std::map<v1::LeadState, std::string> leads;
  leads[v1::LEAD_REGISTERED] = AssignedLead("甲一");
  leads[v1::LEAD_PROPOSED] = AssignedLead("甲二");
  EXPECT_TRUE(Propose(*cm_, leads[v1::LEAD_PROPOSED], v1::DISPOSAL_HOLD).ok());
  leads[v1::LEAD_INQUIRY] = ApprovedLead("甲三", v1::DISPOSAL_TALK_INQUIRY);
  leads[v1::LEAD_INQUIRY_REPLIED] = ApprovedLead("甲四", v1::DISPOSAL_TALK_INQUIRY);
  EXPECT_TRUE(NoteCall(*insp1_, leads[v1::LEAD_INQUIRY_REPLIED], "reply").ok());
  leads[v1::LEAD_VERIFICATION] = ApprovedLead("甲五", v1::DISPOSAL_VERIFICATION);
  leads[v1::LEAD_VERIFICATION_REPORTED] = ApprovedLead("甲六", v1::DISPOSAL_VERIFICATION);
  EXPECT_TRUE(Report(leads[v1::LEAD_VERIFICATION_REPORTED], v1::REPORT_CLOSE).ok());
  leads[v1::LEAD_HOLD] = ApprovedLead("甲七", v1::DISPOSAL_HOLD);
  leads[v1::LEAD_CLOSED] = ApprovedLead("甲八", v1::DISPOSAL_CLOSE);
  leads[v1::LEAD_CASE_PENDING] = LeadReadyForFiling("甲九");
  leads[v1::LEAD_TRANSFERRED] = ApprovedLead("甲十", v1::DISPOSAL_VERIFICATION);
  EXPECT_TRUE(Report(leads[v1::LEAD_TRANSFERRED], v1::REPORT_TRANSFER).ok());
  EXPECT_TRUE(Decide(*leader_, leads[v1::LEAD_TRANSFERRED], true).ok());

  // Each action with valid inputs from a user allowed to take it, so that only the state refuses.
  auto act = [&](domain_action a, const std::string& id) -> grpc::Status {
    switch (a) {
      case domain_action::kAssign:
        return Assign(id, "insp1");
      case domain_action::kPropose:
        return Propose(*cm_, id, v1::DISPOSAL_CLOSE);
      case domain_action::kApprove:
        return Decide(*leader2_, id, true);
      case domain_action::kReject:
        return Decide(*leader2_, id, false);
      case domain_action::kInquirySent:
        return NoteCall(*insp1_, id, "sent");
      case domain_action::kInquiryReply:
        return NoteCall(*insp1_, id, "reply");
      case domain_action::kReport:
        return Report(id, v1::REPORT_CLOSE);
      case domain_action::kReportHigher:
        return NoteCall(*cm_, id, "higher");
      case domain_action::kPlan: {
        v1::LeadNoteRequest req;
        req.set_request_id("plan-" + std::to_string(n_++));
        req.set_id(id);
        req.set_expected_version(Version(id));
        req.set_text("方案");
        req.add_team("insp1");
        grpc::ClientContext ctx;
        v1::LeadResponse resp;
        return insp1_->RecordVerificationPlan(&ctx, req, &resp);
      }
    }
    return grpc::Status::OK;
  };
  const domain_action kActions[] = {
      domain_action::kAssign, domain_action::kPropose,     domain_action::kApprove,
      domain_action::kReject, domain_action::kInquirySent, domain_action::kInquiryReply,
      domain_action::kPlan,   domain_action::kReport,      domain_action::kReportHigher};
  int refused = 0;
  for (const auto& [state, id] : leads) {
    ASSERT_EQ(Get(*cm_, id).state(), state) << id;
    for (domain_action a : kActions) {
      if (server::domain::NextLeadState(id, state, a).ok()) continue;  // allowed: not tried here
      const int64_t events = AuditLogSize();
      const int64_t version = Version(id);
      grpc::Status st = act(a, id);
      EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
          << server::domain::LeadStateName(state) << " " << server::domain::LeadActionName(a)
          << ": " << st.error_message();
      EXPECT_NE(st.error_message().find("allowed: "), std::string::npos);
      EXPECT_EQ(AuditLogSize(), events);
      EXPECT_EQ(Version(id), version);
      ++refused;
    }
  }
  EXPECT_GT(refused, 50);
}

TEST_F(LeadTest, WholePathFromPetitionToAClosedCase) {
  const std::string lead_id = LeadReadyForFiling("陈十三");
  // Filing request by the case manager; a leader approves with the external approval.
  v1::FileCaseRequest file;
  file.set_request_id("file-1");
  file.set_lead_id(lead_id);
  file.set_reason("初核认定问题属实，拟立案审查");
  grpc::ClientContext ctx;
  v1::CaseResponse filed;
  ASSERT_TRUE(c_cm_->FileCase(&ctx, file, &filed).ok());
  const std::string id = filed.case_().id();
  EXPECT_EQ(id.substr(0, 8), "LA-2026-");
  EXPECT_EQ(filed.case_().state(), v1::CASE_FILING_REQUESTED);
  ASSERT_EQ(filed.case_().persons_size(), 1);
  EXPECT_EQ(filed.case_().persons(0).name(), "陈十三");

  v1::ApproveFilingRequest approve;
  approve.set_external_approver("县委书记某某");
  approve.set_external_approval_date("2026-11-30");
  v1::Case c;
  ASSERT_TRUE(
      CaseCall(
          approve, id,
          [&](auto* x, const auto& r, auto* o) { return c_leader_->ApproveFiling(x, r, o); }, &c)
          .ok());
  EXPECT_EQ(c.state(), v1::CASE_INVESTIGATION);
  EXPECT_EQ(c.approved_by(), "ldr");
  EXPECT_EQ(c.external_approver(), "县委书记某某");
  v1::Lead lead = Get(*cm_, lead_id);
  EXPECT_EQ(lead.state(), v1::LEAD_CASE_FILED);
  EXPECT_EQ(lead.case_id(), id);

  // Another inspector cannot see it; the reviewer cannot write the investigation report.
  grpc::ClientContext ctx2;
  v1::GetCaseRequest get;
  get.set_id(id);
  v1::CaseResponse seen;
  EXPECT_EQ(c_insp2_->GetCase(&ctx2, get, &seen).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::CaseNoteRequest report;
  report.set_text("审查调查报告");
  EXPECT_EQ(CaseCall(report, id,
                     [&](auto* x, const auto& r, auto* o) {
                       return reviewer_->SubmitInvestigationReport(x, r, o);
                     })
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Review before transfer is not allowed; the message names the state.
  v1::CaseNoteRequest opinion;
  opinion.set_text("审理意见：给予党内严重警告处分");
  grpc::Status early = CaseCall(opinion, id, [&](auto* x, const auto& r, auto* o) {
    return reviewer_->SubmitReviewOpinion(x, r, o);
  });
  EXPECT_EQ(early.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(early.error_message().find("is in INVESTIGATION"), std::string::npos);

  ASSERT_TRUE(CaseCall(report, id, [&](auto* x, const auto& r, auto* o) {
                return c_insp1_->SubmitInvestigationReport(x, r, o);
              }).ok());
  ASSERT_TRUE(CaseCall(v1::CaseStepRequest(), id, [&](auto* x, const auto& r, auto* o) {
                return c_insp1_->TransferToReview(x, r, o);
              }).ok());
  ASSERT_TRUE(
      CaseCall(
          opinion, id,
          [&](auto* x, const auto& r, auto* o) { return reviewer_->SubmitReviewOpinion(x, r, o); },
          &c)
          .ok());
  EXPECT_EQ(c.state(), v1::CASE_REVIEWED);

  // Closing needs every decision and every execution step.
  grpc::Status close = CaseCall(v1::CaseStepRequest(), id, [&](auto* x, const auto& r, auto* o) {
    return c_cm_->CloseCase(x, r, o);
  });
  EXPECT_EQ(close.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // The person is decided by an approved disposition (四种形态): the reviewer proposes, a
  // leader approves, the case manager records execution.
  auto d_reviewer = Dispositions("rev");
  auto d_leader = Dispositions("ldr");
  auto d_cm = Dispositions("cm");
  v1::RecordDispositionRequest record =
      DispositionOf("disp-1", id, "party-serious-warning", "违规收受礼金");
  grpc::ClientContext rctx;
  v1::DispositionResponse disp;
  ASSERT_TRUE(d_reviewer->RecordDisposition(&rctx, record, &disp).ok());
  EXPECT_EQ(disp.disposition().form(), 2);
  const std::string disp_id = disp.disposition().id();
  auto step = [&](auto call, v1::DispositionStepRequest req) {
    req.set_request_id("ds-" + std::to_string(n_++));
    req.set_id(disp_id);
    grpc::ClientContext g;
    v1::GetDispositionRequest get;
    get.set_id(disp_id);
    v1::DispositionResponse cur;
    EXPECT_TRUE(d_cm->GetDisposition(&g, get, &cur).ok());
    req.set_expected_version(cur.disposition().version());
    grpc::ClientContext x;
    v1::DispositionResponse out;
    return call(&x, req, &out);
  };
  ASSERT_TRUE(
      step([&](auto* x, const auto& r, auto* o) { return d_leader->ApproveDisposition(x, r, o); },
           {})
          .ok());
  ASSERT_TRUE(CaseCall(v1::CaseStepRequest(), id, [&](auto* x, const auto& r, auto* o) {
                return c_cm_->CloseCase(x, r, o);
              }).error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  grpc::ClientContext gctx;
  v1::GetCaseRequest getc;
  getc.set_id(id);
  v1::CaseResponse now;
  ASSERT_TRUE(c_cm_->GetCase(&gctx, getc, &now).ok());
  EXPECT_EQ(now.case_().state(), v1::CASE_DECIDED);
  EXPECT_EQ(now.case_().persons(0).disposition_id(), disp_id);
  EXPECT_EQ(now.case_().persons(0).decision(), "party-serious-warning");
  close = CaseCall(v1::CaseStepRequest(), id,
                   [&](auto* x, const auto& r, auto* o) { return c_cm_->CloseCase(x, r, o); });
  EXPECT_EQ(close.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(close.error_message().find("宣布"), std::string::npos) << close.error_message();
  auto execute = [&](const char* name) {
    v1::DispositionExecutionRequest req;
    req.set_request_id("dx-" + std::to_string(n_++));
    req.set_id(disp_id);
    req.set_step(name);
    req.set_date(TodayText());
    grpc::ClientContext g;
    v1::GetDispositionRequest get;
    get.set_id(disp_id);
    v1::DispositionResponse cur;
    EXPECT_TRUE(d_cm->GetDisposition(&g, get, &cur).ok());
    req.set_expected_version(cur.disposition().version());
    grpc::ClientContext x;
    v1::DispositionResponse out;
    return d_cm->RecordExecution(&x, req, &out);
  };
  EXPECT_EQ(execute("delivered").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  for (const char* name : {"announced", "delivered", "filed"}) {
    ASSERT_TRUE(execute(name).ok()) << name;
  }
  ASSERT_TRUE(CaseCall(
                  v1::CaseStepRequest(), id,
                  [&](auto* x, const auto& r, auto* o) { return c_cm_->CloseCase(x, r, o); }, &c)
                  .ok());
  EXPECT_EQ(c.state(), v1::CASE_CLOSED);
  EXPECT_FALSE(c.closed_date().empty());
  EXPECT_EQ(c.persons(0).filed_date(), TodayText());
  // After closure no new disposition can be proposed.
  record.set_request_id("disp-2");
  grpc::ClientContext late;
  EXPECT_EQ(d_reviewer->RecordDisposition(&late, record, &disp).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(LeadTest, FilingIsApprovedByAnotherLeaderAndOnlyOnce) {
  const std::string lead_id = LeadReadyForFiling("褚十四");
  v1::FileCaseRequest file;
  file.set_request_id("file-boss");
  file.set_lead_id(lead_id);
  file.set_reason("拟立案");
  grpc::ClientContext ctx;
  v1::CaseResponse filed;
  ASSERT_TRUE(c_boss_->FileCase(&ctx, file, &filed).ok());
  v1::ApproveFilingRequest approve;
  approve.set_external_approver("县委书记");
  approve.set_external_approval_date("2026-11-30");
  grpc::Status own = CaseCall(approve, filed.case_().id(), [&](auto* x, const auto& r, auto* o) {
    return c_boss_->ApproveFiling(x, r, o);
  });
  EXPECT_EQ(own.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // The external approval is required.
  v1::ApproveFilingRequest missing;
  EXPECT_EQ(
      CaseCall(missing, filed.case_().id(),
               [&](auto* x, const auto& r, auto* o) { return c_leader_->ApproveFiling(x, r, o); })
          .error_code(),
      grpc::StatusCode::INVALID_ARGUMENT);
  // A second filing request for the same lead is refused.
  file.set_request_id("file-again");
  grpc::ClientContext ctx2;
  EXPECT_EQ(c_cm_->FileCase(&ctx2, file, &filed).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  // A lead that is not CASE_PENDING cannot be filed.
  std::string fresh = Register(AcceptedPetition("卫十五")).id();
  file.set_request_id("file-fresh");
  file.set_lead_id(fresh);
  grpc::ClientContext ctx3;
  grpc::Status st = c_cm_->FileCase(&ctx3, file, &filed);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(st.error_message().find("REGISTERED"), std::string::npos);
}

// Each lane of the queue table (server/queue.cc) waits for its role and no one else's: the
// inspector's own leads and cases, a leader's approvals (never of their own proposal or
// filing request), the case manager's assignments, filing requests, higher reports and held
// leads due, the reviewer's cases in review. A lead in two lanes shows the first one's action.
TEST_F(LeadTest, EachLaneOfTheQueueWaitsForItsRoleAndNoOneElse) {
  auto flagged = [&](const std::string& name) {  // 第二十二条: a committee member
    v1::RegisterLeadRequest req;
    req.set_request_id("flag-" + std::to_string(n_++));
    req.set_source(v1::LEAD_SOURCE_INSPECTION_TOUR);
    v1::Subject* s = req.add_subjects();
    s->set_name(name);
    s->set_unit("某局");
    s->set_committee_member(true);
    req.set_summary("巡察移交问题线索");
    grpc::ClientContext ctx;
    v1::LeadResponse resp;
    EXPECT_TRUE(cm_->RegisterLead(&ctx, req, &resp).ok());
    EXPECT_TRUE(resp.lead().report_to_higher_required());
    return resp.lead().id();
  };
  const std::string registered = AssignedLead("乙一");
  const std::string proposed = AssignedLead("乙二");
  ASSERT_TRUE(Propose(*cm_, proposed, v1::DISPOSAL_TALK_INQUIRY).ok());
  const std::string inquiry = ApprovedLead("乙三", v1::DISPOSAL_TALK_INQUIRY);
  const std::string replied = ApprovedLead("乙四", v1::DISPOSAL_TALK_INQUIRY);
  ASSERT_TRUE(NoteCall(*insp1_, replied, "reply").ok());
  const std::string verifying = ApprovedLead("乙五", v1::DISPOSAL_VERIFICATION);
  const std::string reported = ApprovedLead("乙六", v1::DISPOSAL_VERIFICATION);
  ASSERT_TRUE(Report(reported, v1::REPORT_CLOSE).ok());
  const std::string unassigned = Register(AcceptedPetition("乙七")).id();
  const std::string pending = LeadReadyForFiling("乙八");
  const std::string boss_proposed = AssignedLead("乙九");
  ASSERT_TRUE(Propose(*boss_, boss_proposed, v1::DISPOSAL_CLOSE).ok());
  const std::string flagged_assigned = flagged("委员甲");
  ASSERT_TRUE(Assign(flagged_assigned, "insp2").ok());
  const std::string flagged_unassigned = flagged("委员乙");
  // A held lead whose review date has come (set to today, as if the months had passed).
  const std::string held = ApprovedLead("乙十", v1::DISPOSAL_HOLD);
  ASSERT_TRUE(deploy_->server()
                  .store()
                  .Apply({"system", "system", ""}, "",
                         [&](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
                           absl::StatusOr<storage::Stmt> q = txn.db().Prepare(
                               "UPDATE leads SET hold_review_date = ? WHERE id = ?");
                           if (!q.ok()) return q.status();
                           q->Bind(TodayText(), held);
                           if (absl::Status st = q->Run(); !st.ok()) return st;
                           return std::string();
                         })
                  .ok());
  // A case filed by the boss (case manager and leader), approvable by another leader only.
  const std::string filed_lead = LeadReadyForFiling("乙十二");
  v1::FileCaseRequest file;
  file.set_request_id("file-q");
  file.set_lead_id(filed_lead);
  file.set_reason("拟立案");
  grpc::ClientContext fctx;
  v1::CaseResponse filed;
  ASSERT_TRUE(c_boss_->FileCase(&fctx, file, &filed).ok());
  const std::string case_id = filed.case_().id();

  using Queue = std::map<std::string, std::string>;
  const std::string report = "report to the higher commission (第二十二条)";
  EXPECT_EQ(QueueOf(*insp1_),
            (Queue{{registered, "propose a disposal method"},
                   {inquiry, "hold the talk or send the inquiry letter, record the reply"},
                   {replied, "propose: close, verification or hold"},
                   {verifying, "submit the verification report"}}));
  EXPECT_EQ(QueueOf(*insp2_), (Queue{{flagged_assigned, "propose a disposal method"}}));
  EXPECT_EQ(QueueOf(*leader_), (Queue{{proposed, "approve or reject: talk-inquiry"},
                                      {reported, "approve or reject: close"},
                                      {boss_proposed, "approve or reject: close"},
                                      {case_id, "approve filing"}}));
  const Queue case_manager = {{unassigned, "assign an inspector"},
                              {flagged_unassigned, "assign an inspector"},
                              {flagged_assigned, report},
                              {pending, "draft the filing request (case file)"},
                              {held, "review the held lead"}};
  EXPECT_EQ(QueueOf(*cm_), case_manager);
  // The boss: a leader's approvals but their own, and a case manager's work.
  Queue boss = case_manager;
  boss[proposed] = "approve or reject: talk-inquiry";
  boss[reported] = "approve or reject: close";
  EXPECT_EQ(QueueOf(*boss_), boss);
  std::unique_ptr<v1::LeadService::Stub> rev = LeadStub("rev");
  EXPECT_EQ(QueueOf(*rev), Queue{});

  // The case through investigation and review: each step waits for the next role.
  v1::ApproveFilingRequest approve;
  approve.set_external_approver("县委书记某某");
  approve.set_external_approval_date(TodayText());
  ASSERT_TRUE(CaseCall(approve, case_id, [&](auto* x, const auto& r, auto* o) {
                return c_leader_->ApproveFiling(x, r, o);
              }).ok());
  EXPECT_EQ(QueueOf(*insp1_).at(case_id), "write the investigation report");
  EXPECT_EQ(QueueOf(*leader_).count(case_id), 0u);
  v1::CaseNoteRequest note;
  note.set_text("审查调查报告");
  ASSERT_TRUE(CaseCall(note, case_id, [&](auto* x, const auto& r, auto* o) {
                return c_insp1_->SubmitInvestigationReport(x, r, o);
              }).ok());
  EXPECT_EQ(QueueOf(*insp1_).at(case_id), "transfer to review");
  ASSERT_TRUE(CaseCall(v1::CaseStepRequest(), case_id, [&](auto* x, const auto& r, auto* o) {
                return c_insp1_->TransferToReview(x, r, o);
              }).ok());
  EXPECT_EQ(QueueOf(*insp1_).count(case_id), 0u);
  EXPECT_EQ(QueueOf(*rev), (Queue{{case_id, "give the review opinion"}}));
  note.set_text("审理意见");
  ASSERT_TRUE(CaseCall(note, case_id, [&](auto* x, const auto& r, auto* o) {
                return reviewer_->SubmitReviewOpinion(x, r, o);
              }).ok());
  EXPECT_EQ(QueueOf(*rev), Queue{});
  EXPECT_EQ(QueueOf(*leader_).at(case_id), "decide on each person");
}

// At national volume the pending work of leaders, case managers and reviewers lies far past
// the first thousand rows of the ledger: with 1200 leads and 1100 cases, the last ones
// pending, every queue still lists all of its items, page after page, leads then cases,
// each in id order.
TEST_F(LeadTest, QueuesListEveryPendingItemPastTheFirstThousandRowsAcrossPages) {
  constexpr int kLeads = 1200, kProposed = 30, kCallers = 8;
  std::vector<std::string> leads(kLeads);
  std::atomic<int> failures{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t) {
    callers.emplace_back([&, t] {
      for (int i = t; i < kLeads; i += kCallers) {
        v1::RegisterLeadRequest req;
        req.set_request_id("bulk-" + std::to_string(i));
        req.set_source(v1::LEAD_SOURCE_AUDIT);
        v1::Subject* s = req.add_subjects();
        s->set_name("审计对象" + std::to_string(i));
        s->set_unit("某局");
        req.set_summary("审计移交问题线索");
        grpc::ClientContext ctx;
        v1::LeadResponse resp;
        if (!cm_->RegisterLead(&ctx, req, &resp).ok()) ++failures;
        leads[i] = resp.lead().id();
      }
    });
  }
  for (std::thread& t : callers) t.join();
  ASSERT_EQ(failures.load(), 0);
  std::sort(leads.begin(), leads.end());  // six digits: text order is number order
  // The last 30 leads are proposed by the case manager; the rest wait for an inspector.
  const std::vector<std::string> proposed(leads.end() - kProposed, leads.end());
  const std::vector<std::string> unassigned(leads.begin(), leads.end() - kProposed);
  for (const std::string& id : proposed) ASSERT_TRUE(Propose(*cm_, id, v1::DISPOSAL_HOLD).ok());
  // 1100 cases: 1000 closed, then 50 in review and 50 reviewed.
  std::vector<std::string> in_review, reviewed;
  ASSERT_TRUE(deploy_->server()
                  .store()
                  .Apply({"system", "system", ""}, "",
                         [&](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
                           for (int i = 1; i <= 1100; ++i) {
                             char id[32];
                             std::snprintf(id, sizeof id, "LA-2026-%06d", i);
                             storage::CaseRow row;
                             row.id = id;
                             row.state = i <= 1000   ? "CASE_CLOSED"
                                         : i <= 1050 ? "CASE_IN_REVIEW"
                                                     : "CASE_REVIEWED";
                             row.lead_id = leads[0];
                             row.inspector = "insp1";
                             row.requested_by = "cm";
                             if (i > 1000) (i <= 1050 ? in_review : reviewed).push_back(id);
                             if (absl::Status st = storage::InsertCase(txn, row); !st.ok()) {
                               return st;
                             }
                           }
                           return std::string();
                         })
                  .ok());

  auto ids = [](const std::vector<v1::LeadQueueItem>& items) {
    std::vector<std::string> out;
    for (const v1::LeadQueueItem& i : items) out.push_back(i.id());
    return out;
  };
  // The leader: 30 approvals, then 50 decisions; pages of 7, one of them both.
  int pages = 0;
  std::vector<v1::LeadQueueItem> items = WholeQueue(*leader_, 7, &pages);
  std::vector<std::string> want = proposed;
  want.insert(want.end(), reviewed.begin(), reviewed.end());
  EXPECT_EQ(ids(items), want);
  EXPECT_EQ(pages, 12);
  for (const v1::LeadQueueItem& i : items) {
    EXPECT_EQ(i.next_action(),
              i.kind() == "lead" ? "approve or reject: hold" : "decide on each person");
    if (i.kind() == "lead") {
      EXPECT_EQ(i.summary(), "审计移交问题线索");
    }
  }
  // The reviewer: the 50 cases in review, pages of 20.
  items = WholeQueue(*LeadStub("rev"), 20, &pages);
  EXPECT_EQ(ids(items), in_review);
  EXPECT_EQ(pages, 3);
  // The case manager: 1170 assignments, pages of at most 500.
  items = WholeQueue(*cm_, 500, &pages);
  EXPECT_EQ(ids(items), unassigned);
  EXPECT_EQ(pages, 3);
  // A page token that is not an id is refused, naming the field.
  v1::MyQueueRequest bad;
  bad.set_page_token("XS-2026-0001");
  grpc::ClientContext ctx;
  v1::MyQueueResponse resp;
  grpc::Status st = cm_->MyQueue(&ctx, bad, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message().rfind("page_token: ", 0), 0u) << st.error_message();
}

}  // namespace
}  // namespace jijian::testing
