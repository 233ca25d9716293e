// The fixture of the lead and queue tests (lead_test.cc, queue_test.cc): a real server over
// mutual TLS, users of each role, and the steps that bring a petition to a lead, a lead to
// an approved proposal or a filed case, each by a user of the right role.
#ifndef JIJIAN_TESTS_LEAD_FIXTURE_H_
#define JIJIAN_TESTS_LEAD_FIXTURE_H_

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

inline constexpr char kIdNumber[] = "11010519491231002X";

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
    EXPECT_TRUE(
        AcceptPetition(*registrar_, resp.petition().id(), "d-" + std::to_string(n_++)).ok());
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

  int64_t AuditLogSize() { return deploy_->AuditLogSize(); }

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

}  // namespace jijian::testing

#endif  // JIJIAN_TESTS_LEAD_FIXTURE_H_
