// Work queues (server/queue.cc) over real mutual TLS: each lane waits for its role and no one
// else's, and a queue lists every pending item, page after page, past the first thousand rows.
#include "tests/lead_fixture.h"

namespace jijian::testing {
namespace {

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
