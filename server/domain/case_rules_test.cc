#include "server/domain/case_rules.h"

#include <set>

#include "gtest/gtest.h"

namespace jijian::server::domain {
namespace {

const CaseAction kAll[] = {CaseAction::kApproveFiling,
                           CaseAction::kInvestigationReport,
                           CaseAction::kTransferToReview,
                           CaseAction::kReviewOpinion,
                           CaseAction::kDecide,
                           CaseAction::kExecute,
                           CaseAction::kClose};

TEST(CaseRulesTest, TableRowsWorkAndEverythingElseIsRefused) {
  std::set<std::pair<int, int>> rows;
  for (const CaseTransition& t : CaseTransitions()) {
    rows.insert({t.from, static_cast<int>(t.action)});
    EXPECT_EQ(*NextCaseState("LA-2026-000001", t.from, t.action), t.to);
  }
  for (int s = v1::CASE_FILING_REQUESTED; s <= v1::CASE_CLOSED; ++s) {
    for (CaseAction a : kAll) {
      if (rows.count({s, static_cast<int>(a)})) continue;
      absl::Status st = NextCaseState("LA-2026-000001", static_cast<CaseState>(s), a).status();
      EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_NE(st.message().find(std::string(CaseStateName(static_cast<CaseState>(s)))),
                std::string::npos);
    }
  }
  EXPECT_EQ(NextCaseState("x", v1::CASE_CLOSED, CaseAction::kExecute).status().message(),
            "case x is in CLOSED; execute is not allowed; allowed: none");
}

TEST(CaseRulesTest, CloseNeedsEveryDecisionAndEveryExecutionStep) {
  EXPECT_EQ(CaseCloseBlocker({{1, true, "d", "d", "d"}, {2, true, "d", "d", "d"}}), "");
  EXPECT_EQ(CaseCloseBlocker({{1, true, "d", "d", "d"}, {2, false, "", "", ""}}),
            "person 2 has no decision");
  EXPECT_NE(CaseCloseBlocker({{1, true, "", "", ""}}).find("宣布"), std::string::npos);
  EXPECT_NE(CaseCloseBlocker({{1, true, "d", "", ""}}).find("送达"), std::string::npos);
  EXPECT_NE(CaseCloseBlocker({{1, true, "d", "d", ""}}).find("归档"), std::string::npos);
  EXPECT_EQ(ExecutionSteps().size(), 3u);
}

}  // namespace
}  // namespace jijian::server::domain
