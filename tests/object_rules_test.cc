// Object rules (DESIGN.md "Security model"), in one place, against a live server over
// mutual TLS: what the policy table cannot say because it depends on the object.
//  - An inspector sees only what is assigned to them: other cases and dispositions are
//    NOT_FOUND, lists leave them out (leads: LeadTest.InspectorsSeeOnlyWhatIsAssignedToThem).
//  - Auditors never see content or identity: every RPC the policy table gives auditors is
//    called with realistic requests over a workload full of marker strings, and no marker
//    appears in any response or error.
// Self-approval and recusal are tested where the rules live (LeadTest.NobodyApprovesTheir
// OwnProposal, LeadTest.FilingIsApprovedByAnotherLeaderAndOnlyOnce, DispositionTest.NoLeader
// ApprovesTheirOwnProposal, UnsealTest.DualControlOpensTheIdentityToTheRequesterOnly,
// LeadTest.AssignmentsThatBreakRecusalAreRefused); docs/security.md lists them together.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "jijian/v1/admin.grpc.pb.h"
#include "jijian/v1/audit.grpc.pb.h"
#include "jijian/v1/case.grpc.pb.h"
#include "jijian/v1/disposition.grpc.pb.h"
#include "jijian/v1/lead.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "jijian/v1/unseal.grpc.pb.h"
#include "server/domain/policy.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

// Valid Chinese ID numbers (checksums correct), one per person.
constexpr char kReporterIdNumber[] = "44030519851203456X";
constexpr char kSubjectIdNumber[] = "11010519491231002X";

// Every piece of content or identity the workload writes carries one of these. None may
// reach an auditor. ASCII with digits so that no hash or signature byte string can contain
// one by chance.
const std::vector<std::string>& Markers() {
  static const std::vector<std::string> kMarkers = {
      "MkReporterName71",  "MkReporterAddr72", "MkSubjectName73", "MkSubjectPost74",
      "MkSummary75",       "MkContent76",      "MkDecideWhy77",   "MkLeadInquiry78",
      "MkLeadReply79",     "MkVerifyReport80", "MkProposeWhy81",  "MkInvestigate82",
      "MkReviewOpinion83", "MkDisposeWhy84",   "MkUnsealWhy85",   "MkRefuseWhy86",
      "MkPortalSummary87", "MkPortalText88",   "MkMaterial89",    "MkFilingWhy90",
      kReporterIdNumber,   kSubjectIdNumber,
  };
  return kMarkers;
}

class ObjectRulesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    for (const auto& [user, roles] :
         std::vector<std::pair<std::string, std::string>>{{"reg", "registrar"},
                                                          {"cm", "case-manager"},
                                                          {"insp1", "inspector"},
                                                          {"insp2", "inspector"},
                                                          {"rev", "reviewer"},
                                                          {"ldr", "leader"},
                                                          {"ldr2", "leader"},
                                                          {"aud", "auditor"}}) {
      channels_[user] = deploy_->Channel(deploy_->AddUser(user, roles));
    }
    today_ = TodayText();
  }

  std::string Rid() { return "or-" + std::to_string(n_++); }
  std::shared_ptr<grpc::Channel> Ch(const std::string& user) { return channels_.at(user); }

  // Calls fn(stub, ctx, req, resp) with a fresh context; fails the test unless OK.
  template <typename Stub, typename Req, typename Resp, typename Fn>
  Resp Ok(const std::string& user, const Req& req, Fn fn) {
    auto stub = Stub::NewStub(Ch(user));
    grpc::ClientContext ctx;
    Resp resp;
    grpc::Status st = fn(*stub, &ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << user << ": " << st.error_message();
    return resp;
  }

  int64_t LeadVersion(const std::string& id) {
    v1::GetLeadRequest req;
    req.set_id(id);
    return Ok<v1::LeadService, v1::GetLeadRequest, v1::LeadResponse>(
               "cm", req,
               [](auto& s, auto* c, const auto& r, auto* o) { return s.GetLead(c, r, o); })
        .lead()
        .version();
  }
  int64_t CaseVersion(const std::string& id) {
    v1::GetCaseRequest req;
    req.set_id(id);
    return Ok<v1::CaseService, v1::GetCaseRequest, v1::CaseResponse>(
               "cm", req,
               [](auto& s, auto* c, const auto& r, auto* o) { return s.GetCase(c, r, o); })
        .case_()
        .version();
  }

  // A real-name petition, accepted, every identity and content field carrying a marker.
  std::string MarkedPetition() {
    v1::RegisterPetitionRequest req;
    req.set_request_id(Rid());
    req.set_channel(v1::CHANNEL_LETTER);
    req.set_category(v1::CATEGORY_ACCUSATION);
    req.mutable_reporter()->set_name("MkReporterName71");
    req.mutable_reporter()->set_id_number(kReporterIdNumber);
    req.mutable_reporter()->set_address("MkReporterAddr72");
    v1::Subject* s = req.add_subjects();
    s->set_name("MkSubjectName73");
    s->set_position("MkSubjectPost74");
    s->set_unit("某县财政局");
    s->set_id_number(kSubjectIdNumber);
    req.set_summary("MkSummary75");
    req.set_content("MkContent76");
    const std::string id =
        Ok<v1::PetitionService, v1::RegisterPetitionRequest, v1::RegisterPetitionResponse>(
            "reg", req,
            [](auto& st, auto* c, const auto& r, auto* o) { return st.RegisterPetition(c, r, o); })
            .petition()
            .id();
    auto petitions = v1::PetitionService::NewStub(Ch("reg"));
    const grpc::Status accepted = AcceptPetition(*petitions, id, Rid(), "MkDecideWhy77");
    EXPECT_TRUE(accepted.ok()) << accepted.error_message();
    return id;
  }

  // A lead from the petition, assigned to inspector, approved for verification.
  std::string LeadInVerification(const std::string& petition, const std::string& inspector) {
    v1::RegisterLeadRequest reg;
    reg.set_request_id(Rid());
    reg.set_petition_id(petition);
    const std::string id =
        Ok<v1::LeadService, v1::RegisterLeadRequest, v1::LeadResponse>(
            "cm", reg,
            [](auto& s, auto* c, const auto& r, auto* o) { return s.RegisterLead(c, r, o); })
            .lead()
            .id();
    v1::AssignLeadRequest assign;
    assign.set_request_id(Rid());
    assign.set_id(id);
    assign.set_expected_version(LeadVersion(id));
    assign.set_inspector(inspector);
    Ok<v1::LeadService, v1::AssignLeadRequest, v1::LeadResponse>(
        "cm", assign,
        [](auto& s, auto* c, const auto& r, auto* o) { return s.AssignLead(c, r, o); });
    v1::ProposeDisposalRequest propose;
    propose.set_request_id(Rid());
    propose.set_id(id);
    propose.set_expected_version(LeadVersion(id));
    propose.set_method(v1::DISPOSAL_VERIFICATION);
    propose.set_reason("MkProposeWhy81");
    Ok<v1::LeadService, v1::ProposeDisposalRequest, v1::LeadResponse>(
        inspector, propose,
        [](auto& s, auto* c, const auto& r, auto* o) { return s.ProposeDisposal(c, r, o); });
    ApproveLead(id);
    return id;
  }

  void ApproveLead(const std::string& id) {
    v1::DecideProposalRequest approve;
    approve.set_request_id(Rid());
    approve.set_id(id);
    approve.set_expected_version(LeadVersion(id));
    approve.set_reason("同意");
    Ok<v1::LeadService, v1::DecideProposalRequest, v1::LeadResponse>(
        "ldr", approve,
        [](auto& s, auto* c, const auto& r, auto* o) { return s.ApproveProposal(c, r, o); });
  }

  // The lead's verification report proposes a case; filed, approved, investigated and
  // reviewed. Returns the case id (REVIEWED).
  std::string ReviewedCase(const std::string& lead, const std::string& inspector) {
    v1::VerificationReportRequest report;
    report.set_request_id(Rid());
    report.set_id(lead);
    report.set_expected_version(LeadVersion(lead));
    report.set_proposal(v1::REPORT_FILE_CASE);
    report.set_text("MkVerifyReport80");
    Ok<v1::LeadService, v1::VerificationReportRequest, v1::LeadResponse>(
        inspector, report, [](auto& s, auto* c, const auto& r, auto* o) {
          return s.SubmitVerificationReport(c, r, o);
        });
    ApproveLead(lead);
    v1::FileCaseRequest file;
    file.set_request_id(Rid());
    file.set_lead_id(lead);
    file.set_reason("MkFilingWhy90");
    const std::string id =
        Ok<v1::CaseService, v1::FileCaseRequest, v1::CaseResponse>(
            "cm", file,
            [](auto& s, auto* c, const auto& r, auto* o) { return s.FileCase(c, r, o); })
            .case_()
            .id();
    v1::ApproveFilingRequest approve;
    approve.set_request_id(Rid());
    approve.set_id(id);
    approve.set_expected_version(CaseVersion(id));
    approve.set_external_approver("县委书记");
    approve.set_external_approval_date(today_);
    Ok<v1::CaseService, v1::ApproveFilingRequest, v1::CaseResponse>(
        "ldr", approve,
        [](auto& s, auto* c, const auto& r, auto* o) { return s.ApproveFiling(c, r, o); });
    v1::CaseNoteRequest note;
    note.set_request_id(Rid());
    note.set_id(id);
    note.set_expected_version(CaseVersion(id));
    note.set_text("MkInvestigate82");
    Ok<v1::CaseService, v1::CaseNoteRequest, v1::CaseResponse>(
        inspector, note, [](auto& s, auto* c, const auto& r, auto* o) {
          return s.SubmitInvestigationReport(c, r, o);
        });
    v1::CaseStepRequest transfer;
    transfer.set_request_id(Rid());
    transfer.set_id(id);
    transfer.set_expected_version(CaseVersion(id));
    Ok<v1::CaseService, v1::CaseStepRequest, v1::CaseResponse>(
        inspector, transfer,
        [](auto& s, auto* c, const auto& r, auto* o) { return s.TransferToReview(c, r, o); });
    note.set_request_id(Rid());
    note.set_expected_version(CaseVersion(id));
    note.set_text("MkReviewOpinion83");
    Ok<v1::CaseService, v1::CaseNoteRequest, v1::CaseResponse>(
        "rev", note,
        [](auto& s, auto* c, const auto& r, auto* o) { return s.SubmitReviewOpinion(c, r, o); });
    return id;
  }

  // A disposition proposed by the reviewer for the case's first person; returns its id.
  std::string ProposedDisposition(const std::string& case_id) {
    v1::RecordDispositionRequest req;
    req.set_request_id(Rid());
    req.set_object_id(case_id);
    req.set_subject_index(1);
    req.add_measures("party-warning");
    req.add_disciplines(v1::DISCIPLINE_INTEGRITY);
    req.set_decided_date(today_);
    req.set_reason("MkDisposeWhy84");
    return Ok<v1::DispositionService, v1::RecordDispositionRequest, v1::DispositionResponse>(
               "rev", req,
               [](auto& s, auto* c, const auto& r, auto* o) {
                 return s.RecordDisposition(c, r, o);
               })
        .disposition()
        .id();
  }

  int n_ = 0;
  std::string today_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  std::unique_ptr<TestDeployment> deploy_;
};

TEST_F(ObjectRulesTest, InspectorsSeeOnlyTheirOwnCasesAndDispositions) {
  const std::string lead = LeadInVerification(MarkedPetition(), "insp1");
  const std::string case_id = ReviewedCase(lead, "insp1");
  const std::string disposition = ProposedDisposition(case_id);

  auto cases1 = v1::CaseService::NewStub(Ch("insp1"));
  auto cases2 = v1::CaseService::NewStub(Ch("insp2"));
  auto disp1 = v1::DispositionService::NewStub(Ch("insp1"));
  auto disp2 = v1::DispositionService::NewStub(Ch("insp2"));

  // The assigned inspector reads the case and its disposition.
  v1::GetCaseRequest get_case;
  get_case.set_id(case_id);
  v1::CaseResponse c;
  grpc::ClientContext c1;
  ASSERT_TRUE(cases1->GetCase(&c1, get_case, &c).ok());
  EXPECT_EQ(c.case_().id(), case_id);
  v1::GetDispositionRequest get_disp;
  get_disp.set_id(disposition);
  v1::DispositionResponse d;
  grpc::ClientContext c2;
  ASSERT_TRUE(disp1->GetDisposition(&c2, get_disp, &d).ok());
  EXPECT_EQ(d.disposition().id(), disposition);

  // Another inspector: the disposition does not exist, with the message an unknown id
  // gets, so that the answer does not reveal that it exists.
  grpc::ClientContext c3;
  grpc::Status st = disp2->GetDisposition(&c3, get_disp, &d);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(st.error_message().find("MkDisposeWhy84"), std::string::npos);
  v1::GetDispositionRequest unknown = get_disp;
  unknown.set_id(disposition.substr(0, disposition.size() - 6) + "999999");
  grpc::ClientContext c4;
  grpc::Status absent = disp2->GetDisposition(&c4, unknown, &d);
  EXPECT_EQ(absent.error_code(), grpc::StatusCode::NOT_FOUND);
  std::string hidden_message = st.error_message();
  hidden_message.replace(hidden_message.find(disposition), disposition.size(), unknown.id());
  EXPECT_EQ(hidden_message, absent.error_message());

  // Lists leave other inspectors' matters out; the assigned inspector's lists show them.
  v1::ListCasesResponse cases;
  grpc::ClientContext c5;
  ASSERT_TRUE(cases2->ListCases(&c5, v1::ListCasesRequest(), &cases).ok());
  EXPECT_EQ(cases.cases_size(), 0);
  grpc::ClientContext c6;
  ASSERT_TRUE(cases1->ListCases(&c6, v1::ListCasesRequest(), &cases).ok());
  ASSERT_EQ(cases.cases_size(), 1);
  EXPECT_EQ(cases.cases(0).id(), case_id);
  v1::ListDispositionsResponse disps;
  grpc::ClientContext c7;
  ASSERT_TRUE(disp2->ListDispositions(&c7, v1::ListDispositionsRequest(), &disps).ok());
  EXPECT_EQ(disps.dispositions_size(), 0);
  grpc::ClientContext c8;
  ASSERT_TRUE(disp1->ListDispositions(&c8, v1::ListDispositionsRequest(), &disps).ok());
  ASSERT_EQ(disps.dispositions_size(), 1);
  EXPECT_EQ(disps.dispositions(0).id(), disposition);

  // Acting on the case or proposing for it: refused, nothing written.
  const int64_t before = LeadVersion(lead);
  v1::RecordDispositionRequest record;
  record.set_request_id(Rid());
  record.set_object_id(case_id);
  record.set_subject_index(1);
  record.add_measures("party-warning");
  record.add_disciplines(v1::DISCIPLINE_INTEGRITY);
  record.set_decided_date(today_);
  record.set_reason("越权");
  grpc::ClientContext c9;
  EXPECT_EQ(disp2->RecordDisposition(&c9, record, &d).error_code(), grpc::StatusCode::NOT_FOUND);
  v1::CaseNoteRequest note;
  note.set_request_id(Rid());
  note.set_id(case_id);
  note.set_expected_version(CaseVersion(case_id));
  note.set_text("越权");
  const int64_t case_version = note.expected_version();
  grpc::ClientContext c10;
  grpc::Status act = cases2->SubmitInvestigationReport(&c10, note, &c);
  EXPECT_EQ(act.error_code(), grpc::StatusCode::NOT_FOUND) << act.error_message();
  EXPECT_EQ(act.error_message(), "case " + case_id + " does not exist");
  EXPECT_EQ(CaseVersion(case_id), case_version);
  EXPECT_EQ(LeadVersion(lead), before);
}

// Serialized bytes of a response, plus its error message: where a marker must not be.
std::string Seen(const google::protobuf::Message& resp, const grpc::Status& st) {
  return resp.SerializeAsString() + "\n" + st.error_message() + "\n" + st.error_details();
}

TEST_F(ObjectRulesTest, AuditorsNeverSeeContentOrIdentity) {
  // The workload: a real-name petition through lead, case and disposition; a portal
  // submission with material; one unsealing approved and viewed, one refused.
  const std::string petition = MarkedPetition();
  const std::string lead = LeadInVerification(petition, "insp1");
  const std::string case_id = ReviewedCase(lead, "insp1");
  const std::string disposition = ProposedDisposition(case_id);

  auto portal = v1::ReporterService::NewStub(deploy_->ReporterChannel());
  v1::SubmitPetitionRequest submit;
  submit.set_request_id("object-rules-portal-submission-0000000001");
  submit.set_category(v1::CATEGORY_ACCUSATION);
  submit.set_anonymous(true);
  v1::Subject* s = submit.add_subjects();
  s->set_name("MkSubjectName73");
  s->set_unit("某县交通局");
  submit.set_summary("MkPortalSummary87");
  submit.set_content("MkPortalText88");
  v1::SubmitPetitionResponse submitted;
  grpc::ClientContext p1;
  ASSERT_TRUE(portal->SubmitPetition(&p1, submit, &submitted).ok());
  v1::AddMaterialRequest material;
  material.set_request_id("object-rules-portal-material-00000000000001");
  material.set_receipt_code(submitted.receipt_code());
  material.set_text("MkMaterial89");
  v1::AddMaterialResponse added;
  grpc::ClientContext p2;
  ASSERT_TRUE(portal->AddMaterial(&p2, material, &added).ok());

  std::vector<std::string> unseal_ids;
  for (bool approve : {true, false}) {
    v1::RequestUnsealRequest ask;
    ask.set_request_id(Rid());
    ask.set_petition_id(petition);
    ask.set_reason("MkUnsealWhy85");
    const std::string id =
        Ok<v1::IdentityService, v1::RequestUnsealRequest, v1::UnsealResponse>(
            "reg", ask,
            [](auto& st, auto* c, const auto& r, auto* o) { return st.RequestUnseal(c, r, o); })
            .unseal()
            .id();
    unseal_ids.push_back(id);
    v1::DecideUnsealRequest decide;
    decide.set_request_id(Rid());
    decide.set_id(id);
    if (approve) {
      Ok<v1::IdentityService, v1::DecideUnsealRequest, v1::UnsealResponse>(
          "ldr", decide,
          [](auto& st, auto* c, const auto& r, auto* o) { return st.ApproveUnseal(c, r, o); });
      v1::GetPetitionRequest reveal;
      reveal.set_id(petition);
      reveal.set_reveal_identity(true);
      const v1::GetPetitionResponse seen =
          Ok<v1::PetitionService, v1::GetPetitionRequest, v1::GetPetitionResponse>(
              "reg", reveal,
              [](auto& st, auto* c, const auto& r, auto* o) { return st.GetPetition(c, r, o); });
      // The workload really holds the markers where a permitted reader finds them.
      ASSERT_EQ(seen.petition().reporter().name(), "MkReporterName71");
    } else {
      decide.set_reason("MkRefuseWhy86");
      Ok<v1::IdentityService, v1::DecideUnsealRequest, v1::UnsealResponse>(
          "ldr", decide,
          [](auto& st, auto* c, const auto& r, auto* o) { return st.RefuseUnseal(c, r, o); });
    }
  }

  // Realistic auditor calls, one entry per RPC the policy table gives auditors; each
  // returns everything it saw.
  auto audit = v1::AuditService::NewStub(Ch("aud"));
  const std::vector<std::string> objects = {petition,    submitted.id(), lead,          case_id,
                                            disposition, unseal_ids[0],  unseal_ids[1], "insp1"};
  int64_t tree_size = 0;
  std::map<std::string, std::function<std::string()>> calls = {
      {"/jijian.v1.AdminService/WhoAmI",
       [&] {
         auto stub = v1::AdminService::NewStub(Ch("aud"));
         grpc::ClientContext ctx;
         v1::WhoAmIResponse resp;
         grpc::Status st = stub->WhoAmI(&ctx, v1::WhoAmIRequest(), &resp);
         EXPECT_TRUE(st.ok());
         return Seen(resp, st);
       }},
      {"/jijian.v1.AuditService/GetTreeHead",
       [&] {
         grpc::ClientContext ctx;
         v1::GetTreeHeadResponse resp;
         grpc::Status st = audit->GetTreeHead(&ctx, v1::GetTreeHeadRequest(), &resp);
         EXPECT_TRUE(st.ok()) << st.error_message();
         tree_size = resp.head().tree_size();
         return Seen(resp, st);
       }},
      {"/jijian.v1.AuditService/GetEvents",
       [&] {
         std::string seen;
         for (int64_t from = 0; from < tree_size; from += 1000) {
           v1::GetEventsRequest req;
           req.set_from_seq(from);
           req.set_to_seq(std::min(tree_size, from + 1000) - 1);
           grpc::ClientContext ctx;
           v1::GetEventsResponse resp;
           grpc::Status st = audit->GetEvents(&ctx, req, &resp);
           EXPECT_TRUE(st.ok()) << st.error_message();
           EXPECT_EQ(resp.events_size(), req.to_seq() - req.from_seq() + 1);
           seen += Seen(resp, st);
         }
         return seen;
       }},
      {"/jijian.v1.AuditService/GetInclusionProof",
       [&] {
         std::string seen;
         for (int64_t seq = 0; seq < tree_size; ++seq) {
           v1::GetInclusionProofRequest req;
           req.set_seq(seq);
           grpc::ClientContext ctx;
           v1::GetInclusionProofResponse resp;
           grpc::Status st = audit->GetInclusionProof(&ctx, req, &resp);
           EXPECT_TRUE(st.ok()) << st.error_message();
           seen += Seen(resp, st);
         }
         return seen;
       }},
      {"/jijian.v1.AuditService/GetConsistencyProof",
       [&] {
         v1::GetConsistencyProofRequest req;
         req.set_from_size(1);
         grpc::ClientContext ctx;
         v1::GetConsistencyProofResponse resp;
         grpc::Status st = audit->GetConsistencyProof(&ctx, req, &resp);
         EXPECT_TRUE(st.ok()) << st.error_message();
         return Seen(resp, st);
       }},
      {"/jijian.v1.AuditService/Timeline",
       [&] {
         std::string seen;
         int entries = 0;
         for (const std::string& id : objects) {
           v1::TimelineRequest req;
           req.set_object_id(id);
           grpc::ClientContext ctx;
           v1::TimelineResponse resp;
           grpc::Status st = audit->Timeline(&ctx, req, &resp);
           entries += resp.entries_size();
           seen += Seen(resp, st);
         }
         EXPECT_GT(entries, 0);
         return seen;
       }},
      {"/jijian.v1.StatsService/GetStatistics",
       [&] {
         auto stub = v1::StatsService::NewStub(Ch("aud"));
         v1::GetStatisticsRequest req;
         req.set_from(today_.substr(0, 4) + "-01-01");
         req.set_to(today_);
         grpc::ClientContext ctx;
         v1::Statistics resp;
         grpc::Status st = stub->GetStatistics(&ctx, req, &resp);
         EXPECT_TRUE(st.ok()) << st.error_message();
         return Seen(resp, st);
       }},
      {"/jijian.v1.DispositionService/ListMeasures",
       [&] {
         auto stub = v1::DispositionService::NewStub(Ch("aud"));
         grpc::ClientContext ctx;
         v1::ListMeasuresResponse resp;
         grpc::Status st = stub->ListMeasures(&ctx, v1::ListMeasuresRequest(), &resp);
         EXPECT_TRUE(st.ok()) << st.error_message();
         return Seen(resp, st);
       }},
      {"/jijian.v1.IdentityService/ListUnsealings",
       [&] {
         auto stub = v1::IdentityService::NewStub(Ch("aud"));
         std::string seen;
         for (const std::string& filter : {std::string(), petition}) {
           v1::ListUnsealingsRequest req;
           req.set_petition_id(filter);
           grpc::ClientContext ctx;
           v1::ListUnsealingsResponse resp;
           grpc::Status st = stub->ListUnsealings(&ctx, req, &resp);
           EXPECT_TRUE(st.ok()) << st.error_message();
           EXPECT_EQ(resp.unsealings_size(), 2);
           seen += Seen(resp, st);
         }
         return seen;
       }},
  };

  // Every auditor RPC of the table has its call here: a new one must be added above.
  std::vector<std::string> auditor_rpcs;
  for (const server::domain::PolicyRow& row : server::domain::PolicyTable()) {
    if (std::find(row.roles.begin(), row.roles.end(), v1::ROLE_AUDITOR) != row.roles.end()) {
      auditor_rpcs.emplace_back(row.rpc);
      EXPECT_EQ(calls.count(std::string(row.rpc)), 1u)
          << row.rpc << " is open to auditors: add a realistic call to this test";
    }
  }
  EXPECT_EQ(auditor_rpcs.size(), calls.size());

  // The head first: the other calls walk the whole log it covers.
  std::map<std::string, std::string> seen;
  seen["/jijian.v1.AuditService/GetTreeHead"] = calls["/jijian.v1.AuditService/GetTreeHead"]();
  ASSERT_GT(tree_size, 20);
  for (auto& [rpc, call] : calls) {
    if (!seen.count(rpc)) seen[rpc] = call();
  }
  for (const auto& [rpc, bytes] : seen) {
    for (const std::string& marker : Markers()) {
      EXPECT_EQ(bytes.find(marker), std::string::npos) << rpc << " shows " << marker;
    }
  }

  // The control: a leader (who may read the petition) does see the content marker, so the
  // search would find a marker where one is.
  v1::GetPetitionRequest get;
  get.set_id(petition);
  const v1::GetPetitionResponse leader_view =
      Ok<v1::PetitionService, v1::GetPetitionRequest, v1::GetPetitionResponse>(
          "ldr", get,
          [](auto& st, auto* c, const auto& r, auto* o) { return st.GetPetition(c, r, o); });
  EXPECT_NE(Seen(leader_view, grpc::Status::OK).find("MkSummary75"), std::string::npos);
}

}  // namespace
}  // namespace jijian::testing
