#include "server/domain/lead_rules.h"

#include <set>

#include "gtest/gtest.h"

namespace jijian::server::domain {
namespace {

const LeadAction kAllActions[] = {
    LeadAction::kAssign, LeadAction::kPropose,     LeadAction::kApprove,
    LeadAction::kReject, LeadAction::kInquirySent, LeadAction::kInquiryReply,
    LeadAction::kPlan,   LeadAction::kReport,      LeadAction::kReportHigher};

TEST(LeadRulesTest, EveryPairOutsideTheTableIsRefusedNamingTheAllowedActions) {
  std::set<std::pair<int, int>> in_table;
  for (const LeadTransition& t : LeadTransitions()) {
    EXPECT_TRUE(in_table.insert({t.from, static_cast<int>(t.action)}).second) << "duplicate row";
    absl::StatusOr<LeadState> next = NextLeadState("XS-2026-000001", t.from, t.action);
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(*next, t.to);
  }
  for (int s = v1::LEAD_REGISTERED; s <= v1::LEAD_TRANSFERRED; ++s) {
    for (LeadAction a : kAllActions) {
      if (in_table.count({s, static_cast<int>(a)})) continue;
      absl::Status st = NextLeadState("XS-2026-000001", static_cast<LeadState>(s), a).status();
      EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
      EXPECT_NE(st.message().find(std::string("is in ") +
                                  std::string(LeadStateName(static_cast<LeadState>(s)))),
                std::string::npos);
      EXPECT_NE(st.message().find("allowed: "), std::string::npos);
    }
  }
}

TEST(LeadRulesTest, ConcludedLeadsOnlyTakeTheHigherReport) {
  for (LeadState s : {v1::LEAD_CLOSED, v1::LEAD_TRANSFERRED, v1::LEAD_CASE_FILED}) {
    for (LeadAction a : kAllActions) {
      EXPECT_EQ(NextLeadState("x", s, a).ok(), a == LeadAction::kReportHigher);
    }
  }
}

TEST(LeadRulesTest, ApprovedProposalsLeadWhereDomainSays) {
  EXPECT_EQ(*ApprovedState("talk-inquiry"), v1::LEAD_INQUIRY);
  EXPECT_EQ(*ApprovedState("verification"), v1::LEAD_VERIFICATION);
  EXPECT_EQ(*ApprovedState("hold"), v1::LEAD_HOLD);
  EXPECT_EQ(*ApprovedState("close"), v1::LEAD_CLOSED);
  EXPECT_EQ(*ApprovedState("first-form"), v1::LEAD_CLOSED);
  EXPECT_EQ(*ApprovedState("file-case"), v1::LEAD_CASE_PENDING);
  EXPECT_EQ(*ApprovedState("transfer"), v1::LEAD_TRANSFERRED);
  EXPECT_FALSE(ApprovedState("nonsense").ok());
  EXPECT_EQ(DisposalKind(v1::DISPOSAL_TALK_INQUIRY), "talk-inquiry");
  EXPECT_EQ(ReportKind(v1::REPORT_FIRST_FORM), "first-form");
  EXPECT_EQ(DisposalKind(v1::DISPOSAL_METHOD_UNSPECIFIED), "");
}

TEST(LeadRulesTest, ReportToHigherFollowsArticle22) {
  google::protobuf::RepeatedPtrField<v1::Subject> subjects;
  subjects.Add()->set_name("a");
  EXPECT_FALSE(ReportToHigherRequired(subjects));
  subjects.Add()->set_top_leader(true);
  EXPECT_TRUE(ReportToHigherRequired(subjects));
  subjects.RemoveLast();
  subjects.Add()->set_committee_member(true);
  EXPECT_TRUE(ReportToHigherRequired(subjects));
}

}  // namespace
}  // namespace jijian::server::domain
