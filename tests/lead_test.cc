// Problem leads (问题线索) end to end over real mutual TLS, each step by a user of the
// right role: petition → lead → inquiry → verification, approvals by a leader who did not
// propose, recusal, need to know, the 第二十二条 report, deadlines in working days.
#include "server/domain/calendar.h"
#include "tests/lead_fixture.h"

namespace jijian::testing {
namespace {

TEST_F(LeadTest, PetitionToLeadToInquiryToVerificationToCaseFiling) {
  const std::string petition = AcceptedPetition("李四");
  v1::Lead lead = Register(petition);
  const std::string id = lead.id();
  EXPECT_EQ(id.substr(0, 8), "XS-" + TodayText().substr(0, 4) + "-");
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
  // Sent today (where the commission works): the reply is due 15 working days later. The
  // calendar's arithmetic is checked in calendar_test; this checks that the service counts
  // 15 of them from the day of sending (on 2026-11-30, that was Mon 2026-12-21).
  const server::domain::WorkCalendar& calendar = server::domain::WorkCalendar::BuiltIn();
  const absl::CivilDay today = *server::domain::ParseDate("today", TodayText());
  ASSERT_NE(FindDeadline(sent, "inquiry_reply"), nullptr);
  EXPECT_EQ(FindDeadline(sent, "inquiry_reply")->due_date(),
            server::domain::FormatDate(calendar.AddWorkingDays(today, 15).due));
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
  // 60 working days from today; from 2026-11-30 they ran into 2027, whose holidays are not
  // loaded yet, so the date was provisional.
  const server::domain::WorkCalendar::Deadline expected = calendar.AddWorkingDays(today, 60);
  EXPECT_EQ(report_due->due_date(), server::domain::FormatDate(expected.due));
  EXPECT_EQ(report_due->provisional(), expected.provisional);
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
  EXPECT_EQ(id.substr(0, 8), "LA-" + TodayText().substr(0, 4) + "-");
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

}  // namespace
}  // namespace jijian::testing
