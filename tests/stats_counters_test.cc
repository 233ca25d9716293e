// The statistics counters (storage/stats.h) against a recount of the rows, over real mutual
// TLS: petitions in every handling mode with their notices and feedback, leads from petitions
// and other sources with approved and rejected proposals, cases filed and closed, and
// dispositions proposed, rejected, approved and then changed or revoked on appeal. After each
// stage every counter row equals the count of the rows, and the statistics read from the
// counters equal those recounted from the rows for many periods, units and "today"s. Also:
// the schema-11 backfill, and the query plans of the statistics read.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <map>
#include <memory>
#include <set>

#include "absl/time/civil_time.h"
#include "jijian/v1/case.grpc.pb.h"
#include "jijian/v1/disposition.grpc.pb.h"
#include "jijian/v1/lead.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "server/domain/measures.h"
#include "server/stats_service.h"
#include "storage/schema.h"
#include "storage/stats.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

constexpr char kIdA[] = "11010519491231002X";
constexpr char kIdB[] = "110105199001011232";
constexpr char kIdC[] = "44030519851203456X";
constexpr char kUnit1[] = "甲县财政局";
constexpr char kUnit2[] = "乙县教育局";
constexpr char kUnit3[] = "丙县水利局";

struct Person {
  std::string name, unit, id_number;
};

class StatsCountersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    for (const auto& [user, roles] :
         std::vector<std::pair<std::string, std::string>>{{"reg", "registrar"},
                                                          {"cm", "case-manager"},
                                                          {"insp", "inspector"},
                                                          {"rev", "reviewer"},
                                                          {"ldr", "leader"},
                                                          {"aud", "auditor"}}) {
      profiles_[user] = deploy_->AddUser(user, roles);
    }
    Connect();
    ASSERT_TRUE(absl::ParseCivilTime(TodayText(), &today_));
  }

  // Channels of every user to the server's current address (it changes on a restart).
  void Connect() {
    for (const auto& [user, path] : profiles_) {
      absl::StatusOr<client::Profile> p = client::LoadProfile(path);
      ASSERT_TRUE(p.ok()) << p.status();
      p->server = deploy_->address();
      channels_[user] = TestDeployment::Channel(*p);
    }
  }

  // The day offset days from today, YYYY-MM-DD.
  std::string Day(int offset) const { return absl::FormatCivilTime(today_ + offset); }
  std::string Rid() { return "sc-" + std::to_string(n_++); }

  // Calls rpc as user; expects OK.
  template <typename Stub, typename Req, typename Resp>
  Resp Call(const std::string& user,
            grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*), const Req& req) {
    Stub stub(channels_.at(user));
    grpc::ClientContext ctx;
    Resp resp;
    grpc::Status st = (stub.*rpc)(&ctx, req, &resp);
    EXPECT_TRUE(st.ok()) << user << ": " << st.error_message();
    return resp;
  }

  // The version of a petition, lead, case or disposition, by its id's prefix.
  int64_t Version(const std::string& id) {
    const std::string kind = id.substr(0, 2);
    if (kind == "XF") {
      v1::GetPetitionRequest req;
      req.set_id(id);
      return Call("reg", &v1::PetitionService::Stub::GetPetition, req).petition().version();
    }
    if (kind == "XS") {
      v1::GetLeadRequest req;
      req.set_id(id);
      return Call("cm", &v1::LeadService::Stub::GetLead, req).lead().version();
    }
    if (kind == "LA") {
      v1::GetCaseRequest req;
      req.set_id(id);
      return Call("cm", &v1::CaseService::Stub::GetCase, req).case_().version();
    }
    v1::GetDispositionRequest req;
    req.set_id(id);
    return Call("cm", &v1::DispositionService::Stub::GetDisposition, req).disposition().version();
  }

  // A change of an existing object: request id, id and its current version, then the call.
  template <typename Stub, typename Req, typename Resp>
  Resp Step(const std::string& user,
            grpc::Status (Stub::*rpc)(grpc::ClientContext*, const Req&, Resp*),
            const std::string& id, Req req) {
    req.set_request_id(Rid());
    req.set_id(id);
    req.set_expected_version(Version(id));
    return Call(user, rpc, req);
  }

  std::string Petition(const std::string& received, v1::Channel channel, v1::Category category,
                       bool anonymous, const std::vector<Person>& subjects) {
    v1::RegisterPetitionRequest req;
    req.set_request_id(Rid());
    req.set_channel(channel);
    req.set_category(category);
    req.set_received_date(received);
    req.set_anonymous(anonymous);
    if (!anonymous) {
      req.mutable_reporter()->set_name("举报人");
      req.mutable_reporter()->set_id_number(kIdB);
      req.mutable_reporter()->set_phone("138 0000 0000");
    }
    for (const Person& p : subjects) {
      v1::Subject* s = req.add_subjects();
      s->set_name(p.name);
      s->set_unit(p.unit);
      s->set_id_number(p.id_number);
    }
    req.set_summary("反映问题");
    req.set_content("详情");
    return Call("reg", &v1::PetitionService::Stub::RegisterPetition, req).petition().id();
  }

  void Decide(const std::string& id, v1::HandlingMode mode, const std::string& to_body = "",
              const std::string& due = "", const std::string& duplicate_of = "") {
    v1::DecidePetitionRequest req;
    req.set_mode(mode);
    req.set_reason("依规处理");
    req.set_to_body(to_body);
    req.set_due_date(due);
    req.set_duplicate_of(duplicate_of);
    Step("reg", &v1::PetitionService::Stub::DecidePetition, id, req);
  }
  void Notify(const std::string& id, const std::string& date, const std::string& means) {
    v1::NotifyReporterRequest req;
    req.set_means(means);
    req.set_text("已受理");
    req.set_date(date);
    Step("reg", &v1::PetitionService::Stub::NotifyReporter, id, req);
  }
  void ClosePetition(const std::string& id, const std::string& date) {
    v1::ClosePetitionRequest req;
    req.set_conclusion("已办结");
    req.set_date(date);
    Step("reg", &v1::PetitionService::Stub::ClosePetition, id, req);
  }
  void Feedback(const std::string& id, const std::string& date) {
    v1::GiveFeedbackRequest req;
    req.set_means("letter");
    req.set_text("处理结果已告知");
    req.set_date(date);
    Step("reg", &v1::PetitionService::Stub::GiveFeedback, id, req);
  }
  void RecordResult(const std::string& id, const std::string& date) {
    v1::RecordResultRequest req;
    req.set_text("下级已查结");
    req.set_date(date);
    Step("reg", &v1::PetitionService::Stub::RecordResult, id, req);
  }

  // A lead from an accepted petition, or from another source about subjects; assigned.
  std::string Lead(const std::string& petition_id, v1::LeadSource source = {},
                   const std::vector<Person>& subjects = {}) {
    v1::RegisterLeadRequest req;
    req.set_request_id(Rid());
    req.set_petition_id(petition_id);
    if (petition_id.empty()) {
      req.set_source(source);
      req.set_summary("移交问题线索");
      for (const Person& p : subjects) {
        v1::Subject* s = req.add_subjects();
        s->set_name(p.name);
        s->set_unit(p.unit);
      }
    }
    const std::string id = Call("cm", &v1::LeadService::Stub::RegisterLead, req).lead().id();
    v1::AssignLeadRequest assign;
    assign.set_inspector("insp");
    Step("cm", &v1::LeadService::Stub::AssignLead, id, assign);
    return id;
  }
  void Propose(const std::string& lead, v1::DisposalMethod method) {
    v1::ProposeDisposalRequest req;
    req.set_method(method);
    req.set_reason("集体排查意见");
    Step("insp", &v1::LeadService::Stub::ProposeDisposal, lead, req);
  }
  void DecideProposal(const std::string& lead, bool approve) {
    v1::DecideProposalRequest req;
    req.set_reason(approve ? "同意" : "依据不足，退回");
    Step("ldr",
         approve ? &v1::LeadService::Stub::ApproveProposal : &v1::LeadService::Stub::RejectProposal,
         lead, req);
  }
  void Inquiry(const std::string& lead) {
    v1::LeadNoteRequest note;
    note.set_text("函询");
    Step("insp", &v1::LeadService::Stub::RecordInquirySent, lead, note);
    note.set_text("本人说明情况");
    Step("insp", &v1::LeadService::Stub::RecordInquiryReply, lead, note);
  }
  void Report(const std::string& lead, v1::ReportProposal proposal) {
    v1::VerificationReportRequest req;
    req.set_proposal(proposal);
    req.set_text("初步核实报告");
    Step("insp", &v1::LeadService::Stub::SubmitVerificationReport, lead, req);
  }

  // A case filed from lead (verification, report proposing a case, filing approved) and
  // taken through investigation to REVIEWED.
  std::string ReviewedCase(const std::string& lead) {
    Propose(lead, v1::DISPOSAL_VERIFICATION);
    DecideProposal(lead, true);
    Report(lead, v1::REPORT_FILE_CASE);
    DecideProposal(lead, true);
    v1::FileCaseRequest file;
    file.set_request_id(Rid());
    file.set_lead_id(lead);
    file.set_reason("拟立案");
    const std::string id = Call("cm", &v1::CaseService::Stub::FileCase, file).case_().id();
    v1::ApproveFilingRequest approve;
    approve.set_external_approver("县委书记");
    approve.set_external_approval_date(Day(0));
    Step("ldr", &v1::CaseService::Stub::ApproveFiling, id, approve);
    v1::CaseNoteRequest note;
    note.set_text("审查调查报告");
    Step("insp", &v1::CaseService::Stub::SubmitInvestigationReport, id, note);
    Step("insp", &v1::CaseService::Stub::TransferToReview, id, v1::CaseStepRequest());
    note.set_text("审理意见");
    Step("rev", &v1::CaseService::Stub::SubmitReviewOpinion, id, note);
    return id;
  }

  // Proposes a disposition of person of object (decided today); returns its id.
  std::string Record(const std::string& object, int person, std::vector<std::string> measures,
                     int probation = 0) {
    v1::RecordDispositionRequest req;
    req.set_request_id(Rid());
    req.set_object_id(object);
    req.set_subject_index(person);
    for (const std::string& m : measures) req.add_measures(m);
    req.add_disciplines(v1::DISCIPLINE_INTEGRITY);
    req.set_decided_date(Day(0));
    req.set_probation_months(probation);
    req.set_reason("违反廉洁纪律");
    return Call(object.rfind("LA-", 0) == 0 ? "rev" : "insp",
                &v1::DispositionService::Stub::RecordDisposition, req)
        .disposition()
        .id();
  }
  void Approve(const std::string& id) {
    Step("ldr", &v1::DispositionService::Stub::ApproveDisposition, id,
         v1::DispositionStepRequest());
  }
  void Reject(const std::string& id) {
    v1::DispositionStepRequest req;
    req.set_reason("量纪不当");
    Step("ldr", &v1::DispositionService::Stub::RejectDisposition, id, req);
  }
  void Execute(const std::string& id) {
    for (const char* step : {"announced", "delivered", "filed"}) {
      v1::DispositionExecutionRequest req;
      req.set_step(step);
      req.set_date(Day(0));
      Step("cm", &v1::DispositionService::Stub::RecordExecution, id, req);
    }
  }
  void Appeal(const std::string& id, const Person& person, v1::AppealOutcome outcome,
              std::vector<std::string> measures = {}, int probation = 0) {
    v1::RegisterAppealRequest appeal;
    appeal.set_petition_id(
        Petition(Day(0), v1::CHANNEL_LETTER, v1::CATEGORY_APPEAL, false, {person}));
    Step("cm", &v1::DispositionService::Stub::RegisterAppeal, id, appeal);
    v1::DecideAppealRequest decide;
    decide.set_outcome(outcome);
    for (const std::string& m : measures) decide.add_measures(m);
    decide.set_probation_months(probation);
    decide.set_date(Day(0));
    decide.set_reason("申诉复查");
    Step("ldr", &v1::DispositionService::Stub::DecideAppeal, id, decide);
  }

  // Every counter row equals the count of the rows, and the statistics read from the counters
  // equal those recounted from the rows for many periods, units and days taken as today; the
  // RPC (auditor) answers what the rows give.
  void ExpectCountersMatchRows(const std::string& stage) {
    SCOPED_TRACE(stage);
    storage::Store& store = deploy_->server().store();
    absl::StatusOr<std::vector<std::string>> differ = store.Read<std::vector<std::string>>(
        [](storage::Db& db) { return storage::CheckStatsCounters(db, 20); });
    ASSERT_TRUE(differ.ok()) << differ.status();
    for (const std::string& d : *differ) ADD_FAILURE() << d;
    // Whole months are read from month counters, the rest from day counters.
    auto first_of = [&](int offset) {
      return absl::FormatCivilTime(absl::CivilDay(absl::CivilMonth(today_ + offset)));
    };
    auto last_of = [&](int offset) {
      return absl::FormatCivilTime(absl::CivilDay(absl::CivilMonth(today_ + offset) + 1) - 1);
    };
    const std::vector<std::pair<std::string, std::string>> periods = {
        {Day(-500), Day(0)},        {Day(-60), Day(0)},
        {Day(-30), Day(-1)},        {Day(0), Day(0)},
        {Day(-400), Day(-400)},     {Day(-45), Day(-40)},
        {Day(-365 * 5), Day(-401)}, {first_of(-70), last_of(-40)},
        {first_of(-40), Day(0)},    {Day(-50), last_of(-20)},
        {first_of(0), last_of(0)},  {first_of(-400), last_of(-400)}};
    const std::vector<std::string> todays = {Day(0), Day(-25), Day(40), Day(-500)};
    for (const auto& [from, to] : periods) {
      for (const std::string unit : {"", kUnit1, kUnit2, kUnit3, "无此单位"}) {
        for (const std::string& today : todays) {
          auto stats = [&](storage::StatsSource source) {
            return store.Read<v1::Statistics>([&](storage::Db& db) {
              return server::ComputeStatistics(db, server::domain::MeasureTable::BuiltIn(), from,
                                               to, unit, today, source);
            });
          };
          absl::StatusOr<v1::Statistics> counted = stats(storage::StatsSource::kCounters);
          absl::StatusOr<v1::Statistics> recounted = stats(storage::StatsSource::kRows);
          ASSERT_TRUE(counted.ok() && recounted.ok());
          EXPECT_EQ(counted->DebugString(), recounted->DebugString())
              << from << ".." << to << " unit '" << unit << "' today " << today;
        }
      }
      v1::GetStatisticsRequest req;
      req.set_from(from);
      req.set_to(to);
      const v1::Statistics answered = Call("aud", &v1::StatsService::Stub::GetStatistics, req);
      absl::StatusOr<v1::Statistics> recounted = store.Read<v1::Statistics>([&](storage::Db& db) {
        return server::ComputeStatistics(db, server::domain::MeasureTable::BuiltIn(), from, to, "",
                                         Day(0), storage::StatsSource::kRows);
      });
      ASSERT_TRUE(recounted.ok());
      EXPECT_EQ(answered.DebugString(), recounted->DebugString()) << from << ".." << to;
    }
  }

  int n_ = 0;
  absl::CivilDay today_;
  std::map<std::string, std::string> profiles_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  std::unique_ptr<TestDeployment> deploy_;
};

TEST_F(StatsCountersTest, CountersEqualARecountOfTheRowsAfterEveryKindOfChange) {
  const Person zhao{"赵一", kUnit1, kIdA}, qian{"钱二", kUnit1, kIdB}, sun{"孙三", kUnit2, ""},
      li{"李四", kUnit2, kIdC}, zhou{"周五", kUnit3, ""}, wu{"吴六", kUnit3, ""};

  // Petitions in every handling mode; two subjects of one unit count once under it.
  const std::string accepted1 =
      Petition(Day(-40), v1::CHANNEL_LETTER, v1::CATEGORY_ACCUSATION, false, {zhao});
  const std::string accepted2 =
      Petition(Day(-3), v1::CHANNEL_ONLINE, v1::CATEGORY_ACCUSATION, true, {qian, sun});
  const std::string accepted3 =
      Petition(Day(-20), v1::CHANNEL_VISIT, v1::CATEGORY_COMPLAINT, false, {li});
  const std::string escalated =
      Petition(Day(-400), v1::CHANNEL_PHONE, v1::CATEGORY_ACCUSATION, false, {zhou, wu});
  const std::string transferred =
      Petition(Day(-10), v1::CHANNEL_LETTER, v1::CATEGORY_ACCUSATION, true, {{"郑七", kUnit1, ""}});
  const std::string assigned = Petition(Day(-30), v1::CHANNEL_HIGHER, v1::CATEGORY_ACCUSATION,
                                        false, {{"王八", kUnit2, ""}});
  const std::string referred = Petition(Day(-5), v1::CHANNEL_AGENCY, v1::CATEGORY_OUT_OF_SCOPE,
                                        false, {{"冯九", kUnit3, ""}});
  const std::string archived = Petition(Day(-60), v1::CHANNEL_LETTER, v1::CATEGORY_NO_SUBSTANCE,
                                        false, {{"陈十", kUnit1, ""}});
  const std::string repeat =
      Petition(Day(-2), v1::CHANNEL_LETTER, v1::CATEGORY_ACCUSATION, false, {zhao});
  Petition(Day(-45), v1::CHANNEL_ONLINE, v1::CATEGORY_SUGGESTION, false, {{"褚十一", kUnit2, ""}});
  Petition(Day(0), v1::CHANNEL_VISIT, v1::CATEGORY_ACCUSATION, false, {{"卫十二", kUnit1, ""}});
  ExpectCountersMatchRows("registered");

  Decide(accepted1, v1::HANDLING_ACCEPT);
  Decide(accepted2, v1::HANDLING_ACCEPT);
  Decide(accepted3, v1::HANDLING_ACCEPT);
  Decide(escalated, v1::HANDLING_ESCALATE);
  Decide(transferred, v1::HANDLING_TRANSFER_DOWN, "某县纪委");
  Decide(assigned, v1::HANDLING_ASSIGN_DOWN, "某县纪委", Day(20));
  Decide(referred, v1::HANDLING_REFER_OUT, "某机关");
  Decide(archived, v1::HANDLING_ARCHIVE);
  Decide(repeat, v1::HANDLING_DUPLICATE, "", "", accepted1);
  // Acceptance notices: on time, late (a year late), and never (the pending ones).
  Notify(accepted3, Day(-1), "letter");
  Notify(escalated, Day(-300), "phone");
  Notify(accepted1, Day(0), "letter");
  // Results and feedback: met on time, and still open.
  RecordResult(assigned, Day(-2));
  ClosePetition(assigned, Day(-1));
  Feedback(assigned, Day(0));
  ClosePetition(referred, Day(-4));
  Feedback(archived, Day(0));
  ExpectCountersMatchRows("decided, notified, closed");

  // Leads: from petitions (their subjects' units) and from other sources; proposals rejected
  // and approved.
  const std::string inquiry_lead = Lead(accepted1);
  Propose(inquiry_lead, v1::DISPOSAL_CLOSE);
  DecideProposal(inquiry_lead, false);
  Propose(inquiry_lead, v1::DISPOSAL_TALK_INQUIRY);
  DecideProposal(inquiry_lead, true);
  Inquiry(inquiry_lead);
  const std::string first_form = Record(inquiry_lead, 1, {"admonishment", "criticism-education"});
  Approve(first_form);
  Propose(inquiry_lead, v1::DISPOSAL_FIRST_FORM);
  DecideProposal(inquiry_lead, true);
  const std::string held =
      Lead("", v1::LEAD_SOURCE_INSPECTION_TOUR, {{"蒋十三", kUnit3, ""}, {"沈十四", kUnit1, ""}});
  Propose(held, v1::DISPOSAL_HOLD);
  DecideProposal(held, true);
  const std::string closed = Lead("", v1::LEAD_SOURCE_SUPERVISION, {{"韩十五", kUnit3, ""}});
  Propose(closed, v1::DISPOSAL_CLOSE);
  DecideProposal(closed, true);
  const std::string pending = Lead("", v1::LEAD_SOURCE_AUDIT, {{"杨十六", kUnit2, ""}});
  Propose(pending, v1::DISPOSAL_TALK_INQUIRY);
  ExpectCountersMatchRows("leads");

  // Cases: one with two persons of two units, one with one person.
  const std::string two_persons = ReviewedCase(Lead(accepted2));
  const std::string one_person = ReviewedCase(Lead(accepted3));
  ExpectCountersMatchRows("cases filed");

  // Dispositions: rejected then approved; approved then changed on appeal (form 2 to 3);
  // approved then revoked on appeal; upheld; one left proposed.
  const std::string warned = Record(two_persons, 1, {"party-warning"});
  Approve(warned);
  const std::string light = Record(two_persons, 2, {"gov-demerit"});
  Reject(light);
  const std::string heavier =
      Record(two_persons, 2, {"party-serious-warning", "gov-major-demerit"});
  Approve(heavier);
  ExpectCountersMatchRows("dispositions approved");
  Appeal(warned, qian, v1::APPEAL_CHANGED, {"party-probation"}, 12);
  Appeal(heavier, sun, v1::APPEAL_UPHELD);
  ExpectCountersMatchRows("appeals changed and upheld");
  const std::string transferred_person =
      Record(one_person, 1, {"prosecution-transfer", "party-expulsion", "gov-expulsion"});
  Approve(transferred_person);
  ExpectCountersMatchRows("form 4 approved");
  Appeal(transferred_person, li, v1::APPEAL_REVOKED);
  Record(one_person, 1, {"party-warning"});
  ExpectCountersMatchRows("revoked on appeal, a new proposal");

  // Execution and closing of the case with two persons.
  Execute(warned);
  Execute(heavier);
  Step("cm", &v1::CaseService::Stub::CloseCase, two_persons, v1::CaseStepRequest());
  ExpectCountersMatchRows("case closed");

  // And what the statistics say of today, from the counters, agrees with the story above.
  v1::GetStatisticsRequest req;
  req.set_from(Day(0));
  req.set_to(Day(0));
  const v1::Statistics s = Call("aud", &v1::StatsService::Stub::GetStatistics, req);
  EXPECT_EQ(s.person_times(), 3);  // first form, changed to form 3, form 2; one revoked
  EXPECT_EQ(s.cases_filed(), 2);
  EXPECT_EQ(s.cases_closed(), 1);
  req.set_unit(kUnit1);
  EXPECT_EQ(Call("aud", &v1::StatsService::Stub::GetStatistics, req).person_times(), 2);
}

// Schema 11 backfills the counters from the rows of an older file.
TEST_F(StatsCountersTest, MigrationBackfillsTheCountersFromTheRows) {
  const Person zhao{"赵一", kUnit1, kIdA}, qian{"钱二", kUnit2, kIdB};
  const std::string p1 =
      Petition(Day(-40), v1::CHANNEL_LETTER, v1::CATEGORY_ACCUSATION, false, {zhao, qian});
  Petition(Day(-3), v1::CHANNEL_ONLINE, v1::CATEGORY_COMPLAINT, true, {qian});
  Decide(p1, v1::HANDLING_ACCEPT);
  Notify(p1, Day(-1), "letter");
  const std::string c = ReviewedCase(Lead(p1));
  Approve(Record(c, 1, {"party-warning"}));
  Record(c, 2, {"gov-demerit"});
  v1::GetStatisticsRequest req;
  req.set_from(Day(-60));
  req.set_to(Day(0));
  const v1::Statistics before = Call("aud", &v1::StatsService::Stub::GetStatistics, req);
  ASSERT_EQ(before.person_times(), 1);
  ASSERT_EQ(before.petitions(), 2);
  ASSERT_EQ(before.cases_filed(), 1);

  // The file as the schema before 11 left it: no counter tables, no views.
  deploy_->Stop();
  int previous = 0;
  for (const storage::Migration& m : storage::Migrations()) {
    if (m.version < 11) previous = m.version;
  }
  {
    const std::string path = deploy_->data_dir() + "/db/jijian.db";
    absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(path, {});
    ASSERT_TRUE(db.ok()) << db.status();
    absl::StatusOr<storage::Stmt> q = (*db)->Prepare(
        "SELECT type, name FROM sqlite_master WHERE name LIKE 'stats\\_%' ESCAPE '\\' "
        "ORDER BY type DESC");  // views first
    ASSERT_TRUE(q.ok());
    q->Bind();
    absl::StatusOr<std::vector<std::pair<std::string, std::string>>> objects =
        q->Collect<std::pair<std::string, std::string>>(
            [](const storage::Stmt& s) { return std::make_pair(s.Text(0), s.Text(1)); });
    ASSERT_TRUE(objects.ok());
    EXPECT_EQ(objects->size(), 15u);  // 6 tables, their 6 recounts, 3 helper views
    for (const auto& [type, name] : *objects) {
      ASSERT_TRUE((*db)->Exec("DROP " + type + " " + name).ok()) << name;
    }
    ASSERT_TRUE((*db)->Exec("PRAGMA user_version = " + std::to_string(previous)).ok());
  }
  ASSERT_TRUE(deploy_->Restart());
  Connect();
  EXPECT_EQ(Call("aud", &v1::StatsService::Stub::GetStatistics, req).DebugString(),
            before.DebugString());
  ExpectCountersMatchRows("after the backfill");
  absl::StatusOr<int64_t> version =
      deploy_->server().store().Read<int64_t>([](storage::Db& db) -> absl::StatusOr<int64_t> {
        return db.QueryInt("PRAGMA user_version")->value_or(-1);
      });
  EXPECT_EQ(*version, storage::LatestSchemaVersion());

  // `jijian-server verify` finds counters that disagree with the rows.
  deploy_->Stop();
  CommandResult ok = RunBinary("jijian-server", {"verify", "--data", deploy_->data_dir()});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("statistics counters OK"), std::string::npos) << ok.out;
  {
    absl::StatusOr<std::unique_ptr<storage::Db>> db =
        storage::Db::Open(deploy_->data_dir() + "/db/jijian.db", {});
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE stats_petitions SET n = n + 1 WHERE unit = ''").ok());
  }
  CommandResult bad = RunBinary("jijian-server", {"verify", "--data", deploy_->data_dir()});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.err.find("STATISTICS COUNTERS DIFFER FROM THE ROWS: stats_petitions (unit=''"),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.out.find("audit log OK"), std::string::npos) << bad.out;
}

// Collects the SQL of every statement a connection runs.
int TraceStatement(unsigned, void* context, void* stmt, void*) {
  static_cast<std::vector<std::string>*>(context)->push_back(
      sqlite3_sql(static_cast<sqlite3_stmt*>(stmt)));
  return 0;
}

// The statistics read only the counter tables, each through ranges of its primary key (unit,
// grain, then period): never dispositions, petitions, deadlines, leads, proposals or cases.
TEST_F(StatsCountersTest, TheStatisticsReadOnlyCounterRangesOfTheirPeriod) {
  const std::string p = Petition(Day(-3), v1::CHANNEL_LETTER, v1::CATEGORY_ACCUSATION, false,
                                 {{"赵一", kUnit1, kIdA}});
  Decide(p, v1::HANDLING_ACCEPT);
  Approve(Record(ReviewedCase(Lead(p)), 1, {"party-warning"}));
  storage::Store& store = deploy_->server().store();
  std::vector<std::string> sql;
  absl::StatusOr<v1::Statistics> s =
      store.Read<v1::Statistics>([&](storage::Db& db) -> absl::StatusOr<v1::Statistics> {
        sqlite3_trace_v2(db.raw(), SQLITE_TRACE_STMT, TraceStatement, &sql);
        absl::StatusOr<v1::Statistics> out = server::ComputeStatistics(
            db, server::domain::MeasureTable::BuiltIn(), Day(-365), Day(0), kUnit1, Day(0));
        sqlite3_trace_v2(db.raw(), 0, nullptr, nullptr);
        return out;
      });
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->person_times(), 1);
  std::set<std::string> distinct(sql.begin(), sql.end());
  // Four forms, petitions, deadlines (one statement for both), leads, disposals, cases.
  ASSERT_EQ(distinct.size(), 6u);
  const std::set<std::string> rows = {"dispositions",   "petitions", "petition_subjects",
                                      "deadlines",      "leads",     "lead_subjects",
                                      "lead_proposals", "cases"};
  std::set<std::string> tables_read;
  for (const std::string& statement : distinct) {
    SCOPED_TRACE(statement);
    absl::StatusOr<std::vector<std::string>> plan =
        store.Read<std::vector<std::string>>([&](storage::Db& db) {
          return db.Prepare("EXPLAIN QUERY PLAN " + statement)
              ->Collect<std::string>([](const storage::Stmt& q) { return q.Text(3); });
        });
    ASSERT_TRUE(plan.ok()) << plan.status();
    bool ranged = false;
    for (const std::string& step : *plan) {
      EXPECT_EQ(step.rfind("SCAN", 0), std::string::npos) << step;
      for (const std::string& table : rows) {
        EXPECT_EQ(step.find(" " + table + " "), std::string::npos) << step;
      }
      if (step.rfind("SEARCH stats_", 0) == 0) {
        tables_read.insert(step.substr(7, step.find(' ', 7) - 7));
        ranged |= step.find("USING PRIMARY KEY (unit=? AND ") != std::string::npos &&
                  step.find("grain=? AND period>? AND period<?)") != std::string::npos;
      }
    }
    EXPECT_TRUE(ranged) << "no primary-key range of a counter table";
  }
  EXPECT_EQ(tables_read, (std::set<std::string>{"stats_dispositions", "stats_petitions",
                                                "stats_petition_deadlines", "stats_leads",
                                                "stats_lead_disposals", "stats_cases"}));
}

}  // namespace
}  // namespace jijian::testing
