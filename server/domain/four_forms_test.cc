#include "server/domain/four_forms.h"

#include <gtest/gtest.h>

namespace jijian::server::domain {
namespace {

TEST(FourForms, PercentRoundsHalfUpToOneDecimal) {
  EXPECT_DOUBLE_EQ(Percent(638, 1000), 63.8);
  EXPECT_DOUBLE_EQ(Percent(1, 3), 33.3);
  EXPECT_DOUBLE_EQ(Percent(2, 3), 66.7);
  EXPECT_DOUBLE_EQ(Percent(1, 8), 12.5);  // exactly 12.5
  EXPECT_DOUBLE_EQ(Percent(1, 16), 6.3);  // 6.25 rounds up
  EXPECT_DOUBLE_EQ(Percent(0, 0), 0.0);
  EXPECT_DOUBLE_EQ(Percent(7, 7), 100.0);
  EXPECT_EQ(FormatPercent(Percent(39, 1000)), "3.9");
  EXPECT_EQ(FormatPercent(0.0), "0.0");
}

TEST(FourForms, SentenceOf2023NationalMix) {
  // The 2023 CCDI figures per thousand person-times: 63.8 / 28.6 / 3.7 / 3.9 %.
  EXPECT_EQ(FourFormsSentence({638, 286, 37, 39}),
            "运用\"四种形态\"批评教育帮助和处理 1000 人次，其中第一种形态 638 人次，占 63.8%；"
            "第二种形态 286 人次，占 28.6%；第三种形态 37 人次，占 3.7%；第四种形态 39 人次，"
            "占 3.9%。");
}

TEST(FourForms, SentenceWithNothing) {
  EXPECT_EQ(FourFormsSentence({0, 0, 0, 0}),
            "运用\"四种形态\"批评教育帮助和处理 0 人次，其中第一种形态 0 人次，占 0.0%；"
            "第二种形态 0 人次，占 0.0%；第三种形态 0 人次，占 0.0%；第四种形态 0 人次，占 0.0%。");
}

TEST(FourForms, OpinionPrefersRunningPeriodOverOpenMatters) {
  IntegrityFindings none;
  EXPECT_EQ(IntegrityOpinion(none), Opinion::kNoObjection);
  EXPECT_EQ(OpinionCode(IntegrityOpinion(none)), "no_objection");
  EXPECT_NE(OpinionText(none).find("无不同意见"), std::string::npos);

  IntegrityFindings open{.open_matters = 2, .in_period = false, .period_until = std::nullopt};
  EXPECT_EQ(IntegrityOpinion(open), Opinion::kOpenMatters);
  EXPECT_NE(OpinionText(open).find("2 件正在办理"), std::string::npos);

  IntegrityFindings both{
      .open_matters = 1, .in_period = true, .period_until = absl::CivilDay(2027, 6, 30)};
  EXPECT_EQ(IntegrityOpinion(both), Opinion::kInSanctionPeriod);
  EXPECT_EQ(OpinionCode(IntegrityOpinion(both)), "in_sanction_period");
  EXPECT_NE(OpinionText(both).find("至 2027-06-30"), std::string::npos);
  EXPECT_NE(OpinionText(both).find("1 件正在办理"), std::string::npos);

  IntegrityFindings forever{.open_matters = 0, .in_period = true, .period_until = std::nullopt};
  EXPECT_NE(OpinionText(forever).find("长期"), std::string::npos);
}

}  // namespace
}  // namespace jijian::server::domain
