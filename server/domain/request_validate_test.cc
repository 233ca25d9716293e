#include "server/domain/request_validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace jijian::server::domain {
namespace {

using ::testing::HasSubstr;

const absl::CivilDay kToday(2026, 11, 30);

// The status of a request that is refused: INVALID_ARGUMENT whose message starts with the
// field it names.
void ExpectRefused(const absl::Status& st, const std::string& field, const std::string& rule) {
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument) << st;
  EXPECT_EQ(std::string(st.message()).rfind(field, 0), 0u) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr(rule)) << st;
}

v1::RegisterLeadRequest OtherSourceLead() {
  v1::RegisterLeadRequest req;
  req.set_request_id("req-1");
  req.set_source(v1::LEAD_SOURCE_AUDIT);
  req.set_summary("审计发现的问题");
  v1::Subject* s = req.add_subjects();
  s->set_name("张三");
  s->set_unit("某县财政局");
  return req;
}

TEST(RequestValidateTest, RegisterLeadFromAPetitionOrAnotherSource) {
  EXPECT_TRUE(ValidateRegisterLead(OtherSourceLead(), kToday).ok());
  v1::RegisterLeadRequest from_petition;
  from_petition.set_request_id("req-2");
  from_petition.set_petition_id("XF-2026-000001");
  EXPECT_TRUE(ValidateRegisterLead(from_petition, kToday).ok());

  v1::RegisterLeadRequest req = from_petition;
  req.set_summary("extra");
  ExpectRefused(ValidateRegisterLead(req, kToday), "petition_id", "takes its source");
  req = from_petition;
  req.set_petition_id("XF-26-1");
  ExpectRefused(ValidateRegisterLead(req, kToday), "petition_id", "");
  req = OtherSourceLead();
  req.set_source(v1::LEAD_SOURCE_PETITION);
  ExpectRefused(ValidateRegisterLead(req, kToday), "source", "or give petition_id");
  req.set_source(static_cast<v1::LeadSource>(99));
  ExpectRefused(ValidateRegisterLead(req, kToday), "source", "must be one of");
  req = OtherSourceLead();
  req.clear_subjects();
  ExpectRefused(ValidateRegisterLead(req, kToday), "subjects", "");
  req = OtherSourceLead();
  req.clear_summary();
  ExpectRefused(ValidateRegisterLead(req, kToday), "summary", "");
  req = OtherSourceLead();
  req.clear_request_id();
  ExpectRefused(ValidateRegisterLead(req, kToday), "request_id", "");
}

TEST(RequestValidateTest, FileCase) {
  v1::FileCaseRequest req;
  req.set_request_id("req-1");
  req.set_lead_id("XS-2026-000001");
  req.set_reason("初核后立案");
  EXPECT_TRUE(ValidateFileCase(req).ok());
  v1::FileCaseRequest bad = req;
  bad.set_lead_id("XF-2026-000001");
  ExpectRefused(ValidateFileCase(bad), "lead_id", "");
  bad = req;
  bad.clear_reason();
  ExpectRefused(ValidateFileCase(bad), "reason", "");
}

v1::RecordDispositionRequest Warning() {
  v1::RecordDispositionRequest req;
  req.set_request_id("req-1");
  req.set_object_id("LA-2026-000001");
  req.set_subject_index(1);
  req.add_measures("party-warning");
  req.add_disciplines(v1::DISCIPLINE_INTEGRITY);
  req.set_decided_date("2026-11-20");
  req.set_reason("违反廉洁纪律");
  return req;
}

TEST(RequestValidateTest, RecordDispositionChecksEveryField) {
  const MeasureTable& table = MeasureTable::BuiltIn();
  absl::StatusOr<DispositionDecision> ok = ValidateRecordDisposition(Warning(), table, kToday);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(ok->is_case);
  EXPECT_EQ(ok->measure_codes, std::vector<std::string>{"party-warning"});
  EXPECT_EQ(ok->disciplines, "DISCIPLINE_INTEGRITY");
  EXPECT_EQ(ok->decided, absl::CivilDay(2026, 11, 20));

  struct Case {
    const char* what;
    std::function<void(v1::RecordDispositionRequest&)> change;
    const char* field;
    const char* rule;
  };
  const std::vector<Case> cases = {
      {"a petition is no matter", [](auto& r) { r.set_object_id("XF-2026-000001"); },
       "object_id", "a lead (XS-YYYY-NNNNNN) or a case"},
      {"no person", [](auto& r) { r.set_subject_index(0); }, "subject_index", "required"},
      {"both ways of naming the person",
       [](auto& r) { r.set_subject_id_number("11010519491231002X"); }, "subject_index",
       "not both"},
      {"a bad ID number",
       [](auto& r) {
         r.set_subject_index(0);
         r.set_subject_id_number("110105194912310021");
       },
       "subject_id_number", ""},
      {"no measure", [](auto& r) { r.clear_measures(); }, "measure", "at least one"},
      {"too many measures",
       [](auto& r) {
         for (int i = 0; i < kMaxMeasures; ++i) r.add_measures("party-warning");
       },
       "measure", "at most 8"},
      {"an unknown measure", [](auto& r) { r.set_measures(0, "no-such-measure"); }, "measure", ""},
      {"no discipline", [](auto& r) { r.clear_disciplines(); }, "discipline", "at least one"},
      {"a discipline twice", [](auto& r) { r.add_disciplines(v1::DISCIPLINE_INTEGRITY); },
       "discipline", "listed twice"},
      {"an unknown discipline", [](auto& r) { r.mutable_disciplines()->Add(77); }, "discipline",
       "must be among"},
      {"no decision date", [](auto& r) { r.clear_decided_date(); }, "decided_date", "required"},
      {"a decision date in the future", [](auto& r) { r.set_decided_date("2026-12-01"); },
       "decided_date", ""},
      {"probation out of range", [](auto& r) { r.set_probation_months(36); }, "probation_months",
       "12 or 24"},
      {"no reason", [](auto& r) { r.clear_reason(); }, "reason", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    v1::RecordDispositionRequest req = Warning();
    c.change(req);
    ExpectRefused(ValidateRecordDisposition(req, table, kToday).status(), c.field, c.rule);
  }
}

}  // namespace
}  // namespace jijian::server::domain
