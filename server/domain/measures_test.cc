#include "server/domain/measures.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::server::domain {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

using K = MeasureKind;
constexpr int kNone = 0;
constexpr int kPermanent = -1;  // in the expected table below only
constexpr int kProbation = -2;  // 12 or 24 months, chosen in the decision

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// DOMAIN.md §6, row by row: the measures of each form and the periods table.
struct Expected {
  const char* code;
  const char* name_zh;
  int form;
  MeasureKind kind;
  int period;  // months, kNone, kPermanent or kProbation
};
// clang-format off
const Expected kDomainTable[] = {
  // form 1
  {"reminder-talk",         "谈话提醒",           1, K::kOther,          kNone},
  {"warning-talk",          "警示谈话",           1, K::kOther,          kNone},
  {"criticism-education",   "批评教育",           1, K::kOther,          kNone},
  {"self-examination",      "责令检查",           1, K::kOther,          kNone},
  {"meeting-criticism",     "民主生活会批评",      1, K::kOther,          kNone},
  {"public-apology",        "责令公开道歉",        1, K::kOther,          kNone},
  {"circulated-criticism",  "通报批评",           1, K::kOther,          kNone},
  {"admonishment",          "诫勉",              1, K::kOther,          6},   // [unconfirmed]
  {"order-correction",      "责令纠正/限期改正",    1, K::kOther,          kNone},
  {"recover-gains",         "收缴/追缴违纪所得",    1, K::kOther,          kNone},
  {"closed-after-inquiry",  "谈话函询了结",        1, K::kOther,          kNone},
  // form 2
  {"party-warning",         "党内警告",           2, K::kParty,          12},
  {"party-serious-warning", "党内严重警告",        2, K::kParty,          18},
  {"gov-warning",           "政务警告",           2, K::kGovernment,     6},
  {"gov-demerit",           "记过",              2, K::kGovernment,     12},
  {"gov-major-demerit",     "记大过",             2, K::kGovernment,     18},
  {"gov-demotion",          "降级",              2, K::kGovernment,     24},
  {"org-suspension",        "停职检查",           2, K::kOrganisational, kNone},
  {"org-reassignment",      "调整职务",           2, K::kOrganisational, 12},  // [unconfirmed]
  {"org-resignation",       "责令辞职",           2, K::kOrganisational, 12},  // [unconfirmed]
  {"org-removal",           "免职",              2, K::kOrganisational, 12},  // [unconfirmed]
  {"org-demotion",          "降职",              2, K::kOrganisational, 24},  // [unconfirmed]
  // form 3
  {"party-post-removal",    "撤销党内职务",        3, K::kParty,          24},
  {"party-probation",       "留党察看",           3, K::kParty,          kProbation},
  {"party-expulsion",       "开除党籍",           3, K::kParty,          60},
  {"gov-dismissal",         "撤职",              3, K::kGovernment,     24},
  {"gov-expulsion",         "开除",              3, K::kGovernment,     kPermanent},
  {"major-job-adjustment",  "重大职务调整",        3, K::kOrganisational, kNone},
  // form 4
  {"prosecution-transfer",  "移送检察机关",        4, K::kOther,          kNone},
};
// clang-format on

const MeasureTable& Table() { return MeasureTable::BuiltIn(); }

TEST(MeasureTableTest, BuiltInMatchesDomainRowByRow) {
  for (const Expected& e : kDomainTable) {
    SCOPED_TRACE(e.code);
    const Measure* m = Table().Find(e.code);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->name_zh, e.name_zh);
    EXPECT_FALSE(m->name_en.empty());
    EXPECT_EQ(m->form, e.form);
    EXPECT_EQ(m->kind, e.kind);
    EXPECT_EQ(m->needs_case, e.form >= 2);
    if (e.period == kPermanent) {
      EXPECT_TRUE(m->permanent);
      EXPECT_FALSE(m->probation());
    } else if (e.period == kProbation) {
      EXPECT_FALSE(m->permanent);
      EXPECT_EQ(m->probation_months, (std::vector<int>{12, 24}));
    } else {
      EXPECT_FALSE(m->permanent);
      EXPECT_FALSE(m->probation());
      EXPECT_EQ(m->period_months, e.period);
    }
  }
  EXPECT_EQ(Table().measures().size(), std::size(kDomainTable));
}

// DOMAIN.md §6 says the CCDI index lists 14 form-1, 21 form-2 and 12 form-3 items; that
// list is not in DOMAIN.md, so the table holds only the items DOMAIN.md names: 11, 11, 6
// and 1. This test pins those counts so that adding an item is a deliberate change.
TEST(MeasureTableTest, CountsPerForm) {
  std::map<int, int> per_form;
  for (const Measure& m : Table().measures()) ++per_form[m.form];
  EXPECT_EQ(per_form, (std::map<int, int>{{1, 11}, {2, 11}, {3, 6}, {4, 1}}));
}

TEST(MeasureTableTest, SeverityOrderWithinKind) {
  auto rank = [](const char* code) { return Table().Find(code)->rank; };
  const std::vector<const char*> party = {"party-warning", "party-serious-warning",
                                          "party-post-removal", "party-probation",
                                          "party-expulsion"};
  const std::vector<const char*> government = {"gov-warning",  "gov-demerit",   "gov-major-demerit",
                                               "gov-demotion", "gov-dismissal", "gov-expulsion"};
  for (const auto* list : {&party, &government}) {
    for (size_t i = 1; i < list->size(); ++i) {
      EXPECT_LT(rank((*list)[i - 1]), rank((*list)[i])) << (*list)[i];
    }
  }
}

TEST(MeasureTableTest, FindUnknownIsNull) {
  EXPECT_EQ(Table().Find("party-sanction"), nullptr);
  EXPECT_EQ(Table().Find(""), nullptr);
}

TEST(MeasureFormTest, HeaviestMeasureDecides) {
  struct Row {
    std::vector<std::string> codes;
    int form;
  };
  const Row rows[] = {
      {{"reminder-talk"}, 1},
      {{"admonishment", "recover-gains"}, 1},
      {{"recover-gains", "party-warning"}, 2},
      {{"org-removal", "gov-demerit", "circulated-criticism"}, 2},
      {{"party-warning", "gov-dismissal"}, 3},
      {{"gov-demotion", "major-job-adjustment"}, 3},
      {{"party-expulsion", "gov-expulsion", "recover-gains", "prosecution-transfer"}, 4},
      {{"prosecution-transfer"}, 4},
  };
  for (const Row& row : rows) {
    absl::StatusOr<int> form = DeriveForm(Table(), row.codes);
    ASSERT_TRUE(form.ok()) << form.status();
    EXPECT_EQ(*form, row.form) << row.codes.front();
  }
}

TEST(MeasureFormTest, EmptyOrUnknownRefused) {
  absl::StatusOr<int> empty = DeriveForm(Table(), {});
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr("at least one measure"));
  absl::StatusOr<int> unknown = DeriveForm(Table(), {"party-warning", "fine"});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(),
              AllOf(HasSubstr("unknown measure \"fine\""), HasSubstr("party-warning")));
}

TEST(MeasureCombinationTest, PossibleCombinationsAccepted) {
  struct Row {
    std::vector<std::string> codes;
    bool case_filed;
    int probation;
  };
  const Row rows[] = {
      {{"reminder-talk"}, false, 0},
      {{"closed-after-inquiry"}, false, 0},
      {{"admonishment", "recover-gains", "order-correction"}, false, 0},
      {{"party-warning", "gov-demerit", "org-removal", "recover-gains"}, true, 0},
      {{"party-probation", "gov-dismissal"}, true, 12},
      {{"party-probation"}, true, 24},
      {{"party-expulsion", "gov-expulsion", "recover-gains", "prosecution-transfer"}, true, 0},
      {{"org-suspension", "org-removal"}, true, 0},
  };
  for (const Row& row : rows) {
    absl::Status s = CheckCombination(Table(), row.codes, row.case_filed, row.probation);
    EXPECT_TRUE(s.ok()) << row.codes.front() << ": " << s;
  }
}

TEST(MeasureCombinationTest, ImpossibleCombinationsRefusedNamingTheRule) {
  struct Row {
    const char* rule;
    std::vector<std::string> codes;
    bool case_filed;
    int probation;
    absl::StatusCode code;
    std::vector<std::string> message_parts;
  };
  const auto kInvalid = absl::StatusCode::kInvalidArgument;
  const auto kPrecondition = absl::StatusCode::kFailedPrecondition;
  const Row rows[] = {
      {"empty list", {}, true, 0, kInvalid, {"at least one measure"}},
      {"unknown code",
       {"party-warning", "jail"},
       true,
       0,
       kInvalid,
       {"unknown measure \"jail\"", "known:"}},
      {"duplicate code",
       {"gov-demerit", "gov-demerit"},
       true,
       0,
       kInvalid,
       {"duplicate measure", "gov-demerit (记过)", "listed twice"}},
      {"two party sanctions",
       {"party-warning", "party-post-removal"},
       true,
       0,
       kInvalid,
       {"two party sanctions in one decision", "party-post-removal (撤销党内职务)",
        "party-warning (党内警告)"}},
      {"two party sanctions incl. probation",
       {"party-probation", "party-serious-warning"},
       true,
       12,
       kInvalid,
       {"two party sanctions in one decision"}},
      {"two government sanctions",
       {"gov-warning", "gov-dismissal"},
       true,
       0,
       kInvalid,
       {"two government sanctions in one decision", "gov-dismissal (撤职)",
        "gov-warning (政务警告)"}},
      {"expulsion with a lighter party sanction",
       {"party-warning", "party-expulsion"},
       true,
       0,
       kInvalid,
       {"开除党籍 with a lighter party sanction", "party-expulsion (开除党籍)",
        "excludes party-warning (党内警告)"}},
      {"expulsion with probation",
       {"party-expulsion", "party-probation"},
       true,
       24,
       kInvalid,
       {"开除党籍 with a lighter party sanction", "party-probation (留党察看)"}},
      {"form 2 without a case",
       {"party-warning"},
       false,
       0,
       kPrecondition,
       {"form 2 without a filed case", "party-warning (党内警告)", "立案"}},
      {"organisational form 2 without a case",
       {"reminder-talk", "org-removal"},
       false,
       0,
       kPrecondition,
       {"form 2 without a filed case", "org-removal (免职)"}},
      {"form 3 without a case",
       {"gov-dismissal"},
       false,
       0,
       kPrecondition,
       {"form 3 without a filed case"}},
      {"form 4 without a case",
       {"prosecution-transfer"},
       false,
       0,
       kPrecondition,
       {"form 4 without a filed case", "prosecution-transfer (移送检察机关)"}},
      {"probation measure without probation",
       {"party-probation"},
       true,
       0,
       kInvalid,
       {"party-probation (留党察看) without a valid probation", "12 or 24 months", "got 0"}},
      {"probation of a length not allowed",
       {"party-probation"},
       true,
       18,
       kInvalid,
       {"without a valid probation", "got 18"}},
      {"probation without the probation measure",
       {"party-serious-warning"},
       true,
       12,
       kInvalid,
       {"probation without 留党察看", "12 months", "party-probation (留党察看)"}},
      {"negative probation",
       {"admonishment"},
       false,
       -12,
       kInvalid,
       {"probation without 留党察看"}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.rule);
    absl::Status s = CheckCombination(Table(), row.codes, row.case_filed, row.probation);
    EXPECT_EQ(s.code(), row.code) << s;
    for (const std::string& part : row.message_parts) {
      EXPECT_THAT(s.message(), HasSubstr(part));
    }
  }
}

TEST(MeasurePeriodTest, CalendarMonthsWithMonthEndClamping) {
  struct Row {
    absl::CivilDay decided;
    int months;
    absl::CivilDay end;
  };
  const Row rows[] = {
      {Day(2026, 3, 10), 12, Day(2027, 3, 10)},
      {Day(2026, 1, 31), 1, Day(2026, 2, 28)},  // no 31 February: the month's last day
      {Day(2026, 1, 30), 1, Day(2026, 2, 28)},
      {Day(2028, 1, 31), 1, Day(2028, 2, 29)},   // leap year
      {Day(2024, 2, 29), 12, Day(2025, 2, 28)},  // from 29 February to a common year
      {Day(2024, 2, 29), 48, Day(2028, 2, 29)},  // to the next leap year
      {Day(2024, 2, 29), 24, Day(2026, 2, 28)},
      {Day(2026, 8, 31), 6, Day(2027, 2, 28)},
      {Day(2026, 5, 31), 18, Day(2027, 11, 30)},
      {Day(2026, 12, 15), 1, Day(2027, 1, 15)},  // across the year end
      {Day(2026, 11, 30), 60, Day(2031, 11, 30)},
      {Day(2026, 4, 7), 0, Day(2026, 4, 7)},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(PeriodEnd(row.decided, row.months), row.end) << row.decided << " + " << row.months;
  }
}

TEST(MeasurePeriodTest, LongestPeriodOfADecision) {
  struct Row {
    std::vector<std::string> codes;
    int probation;
    SanctionPeriod period;
  };
  const Row rows[] = {
      {{"reminder-talk"}, 0, {0, false}},
      {{"admonishment", "recover-gains"}, 0, {6, false}},
      {{"party-warning", "gov-warning"}, 0, {12, false}},
      {{"party-serious-warning", "org-demotion"}, 0, {24, false}},
      {{"party-probation", "gov-demerit"}, 12, {12, false}},
      {{"party-probation", "gov-major-demerit"}, 12, {18, false}},  // the longer of the two
      {{"party-probation", "gov-demerit"}, 24, {24, false}},
      {{"party-expulsion", "prosecution-transfer"}, 0, {60, false}},
      {{"party-expulsion", "gov-expulsion"}, 0, {0, true}},
  };
  for (const Row& row : rows) {
    absl::StatusOr<SanctionPeriod> p = LongestPeriod(Table(), row.codes, row.probation);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(*p, row.period) << row.codes.front();
  }
  EXPECT_EQ(LongestPeriod(Table(), {"nope"}, 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MeasurePeriodTest, ProbationChoiceSetsTheEndDate) {
  const absl::CivilDay decided = Day(2024, 2, 29);
  absl::StatusOr<SanctionPeriod> twelve = LongestPeriod(Table(), {"party-probation"}, 12);
  absl::StatusOr<SanctionPeriod> twenty_four = LongestPeriod(Table(), {"party-probation"}, 24);
  ASSERT_TRUE(twelve.ok() && twenty_four.ok());
  EXPECT_EQ(PeriodEnd(decided, *twelve), Day(2025, 2, 28));
  EXPECT_EQ(PeriodEnd(decided, *twenty_four), Day(2026, 2, 28));
}

TEST(MeasurePeriodTest, PermanentHasNoEnd) {
  const SanctionPeriod permanent = PeriodOf(*Table().Find("gov-expulsion"), 0);
  EXPECT_TRUE(permanent.permanent);
  EXPECT_EQ(PeriodEnd(Day(2026, 1, 1), permanent), std::nullopt);
  EXPECT_TRUE(InPeriod(Day(2026, 1, 1), permanent, Day(2126, 1, 1)));
  EXPECT_FALSE(InPeriod(Day(2026, 1, 1), permanent, Day(2025, 12, 31)));
}

TEST(MeasurePeriodTest, InPeriodIncludesDecisionDayAndLastDay) {
  const SanctionPeriod year{12, false};
  const absl::CivilDay decided = Day(2026, 3, 10);
  EXPECT_FALSE(InPeriod(decided, year, Day(2026, 3, 9)));
  EXPECT_TRUE(InPeriod(decided, year, decided));
  EXPECT_TRUE(InPeriod(decided, year, Day(2027, 3, 10)));
  EXPECT_FALSE(InPeriod(decided, year, Day(2027, 3, 11)));
  EXPECT_FALSE(InPeriod(decided, SanctionPeriod{0, false}, decided));
}

// A minimal valid entry; tests replace or add one key.
std::string Entry(const std::string& code, const std::string& extra = "",
                  const std::string& kind = "party", int form = 2, int rank = 1) {
  return absl::StrCat("[[measure]]\ncode = \"", code, "\"\nname_zh = \"名\"\nname_en = \"n\"\n",
                      "form = ", form, "\nkind = \"", kind, "\"\nrank = ", rank, "\n", extra);
}

TEST(MeasureRulesFileTest, MinimalFileParsesWithDefaults) {
  absl::StatusOr<MeasureTable> t =
      MeasureTable::Parse(Entry("talk", "", "other", 1, 1) + Entry("warn", "period_months = 12\n"));
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_EQ(t->measures().size(), 2u);
  EXPECT_FALSE(t->Find("talk")->needs_case);
  EXPECT_TRUE(t->Find("warn")->needs_case);
  EXPECT_EQ(t->Find("warn")->period_months, 12);
  absl::StatusOr<MeasureTable> override_case =
      MeasureTable::Parse(Entry("adjust", "needs_case = false\n", "organisational"));
  ASSERT_TRUE(override_case.ok()) << override_case.status();
  EXPECT_FALSE(override_case->Find("adjust")->needs_case);
}

TEST(MeasureRulesFileTest, BadFilesRefusedNamingEntryAndKey) {
  struct Row {
    const char* what;
    std::string text;
    std::vector<std::string> message_parts;
  };
  const Row rows[] = {
      {"malformed TOML", "[[measure]\ncode = 1", {"measures: line 1"}},
      {"no measures", "", {"no measures defined"}},
      {"unknown top-level key", "version = 2\n" + Entry("a"), {"unknown key \"version\""}},
      {"missing code", "[[measure]]\nname_zh = \"名\"\n", {"measure[0].code: required"}},
      {"bad code", Entry("Party Warning"), {"measure[0].code", "lowercase letters"}},
      {"unknown kind",
       Entry("a") + Entry("b", "", "army", 2, 1),
       {"measure[1] \"b\".kind: unknown kind \"army\"",
        "allowed: party, government, organisational, other"}},
      {"form 0", Entry("a", "", "party", 0), {"measure[0] \"a\".form: 0 is not a form"}},
      {"form 5", Entry("a", "", "party", 5), {"measure[0] \"a\".form: 5 is not a form"}},
      {"duplicate code",
       Entry("a") + Entry("a", "", "government"),
       {"measure[1] \"a\".code: duplicate code", "first defined at measure[0] \"a\""}},
      {"negative period",
       Entry("a", "period_months = -6\n"),
       {"measure[0] \"a\".period_months: -6 is negative"}},
      {"period not an integer",
       Entry("a", "period_months = \"12\"\n"),
       {"measure[0] \"a\".period_months: must be an integer"}},
      {"missing name",
       "[[measure]]\ncode = \"a\"\nform = 1\n",
       {"measure[0] \"a\".name_zh: required"}},
      {"missing rank",
       "[[measure]]\ncode = \"a\"\nname_zh = \"名\"\nname_en = \"n\"\nform = 1\n"
       "kind = \"other\"\n",
       {"measure[0] \"a\".rank: required"}},
      {"rank 0", Entry("a", "", "party", 2, 0), {"measure[0] \"a\".rank: must be 1"}},
      {"unknown key",
       Entry("a", "periode = 12\n"),
       {"measure[0] \"a\".periode: unknown key", "allowed: code, name_zh"}},
      {"permanent not a bool",
       Entry("a", "permanent = \"yes\"\n"),
       {"measure[0] \"a\".permanent: must be true or false"}},
      {"period and permanent",
       Entry("a", "period_months = 12\npermanent = true\n"),
       {"measure[0] \"a\".permanent: give only one of"}},
      {"period and probation",
       Entry("a", "period_months = 12\nprobation_months = [12]\n"),
       {"measure[0] \"a\".probation_months: give only one of"}},
      {"empty probation",
       Entry("a", "probation_months = []\n"),
       {"measure[0] \"a\".probation_months: must be a non-empty array"}},
      {"non-positive probation",
       Entry("a", "probation_months = [12, 0]\n"),
       {"measure[0] \"a\".probation_months[1]: must be a positive number"}},
      {"repeated rank",
       Entry("a") + Entry("b", "", "party", 2, 1),
       {"measure[1] \"b\".rank: rank 1 is already held by \"a\" in kind party"}},
      {"heavier rank, lighter form",
       Entry("a", "", "party", 3, 1) + Entry("b", "", "party", 2, 2),
       {"measure[1] \"b\".rank", "\"b\" (rank 2, form 2) is heavier than \"a\" (rank 1, form 3)"}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    absl::StatusOr<MeasureTable> t = MeasureTable::Parse(row.text);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    for (const std::string& part : row.message_parts) {
      EXPECT_THAT(t.status().message(), HasSubstr(part));
    }
  }
}

TEST(MeasureRulesFileTest, LoadFileReadsAndPrefixesThePath) {
  const std::string dir = ::testing::TempDir();
  const std::string good = dir + "/measures_good.toml";
  const std::string bad = dir + "/measures_bad.toml";
  std::ofstream(good) << BuiltInMeasureText();
  std::ofstream(bad) << Entry("a", "", "party", 9);
  absl::StatusOr<MeasureTable> loaded = MeasureTable::LoadFile(good);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->measures().size(), Table().measures().size());
  absl::StatusOr<MeasureTable> refused = MeasureTable::LoadFile(bad);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr(bad + ": measure[0] \"a\".form"));
  EXPECT_EQ(MeasureTable::LoadFile(dir + "/no_such_measures.toml").status().code(),
            absl::StatusCode::kNotFound);
  std::remove(good.c_str());
  std::remove(bad.c_str());
}

}  // namespace
}  // namespace jijian::server::domain
