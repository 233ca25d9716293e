#include "server/domain/petition_rules.h"

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::server::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr PetitionState kAllStates[] = {
    v1::PETITION_REGISTERED,       v1::PETITION_ACCEPTED,      v1::PETITION_ESCALATED,
    v1::PETITION_TRANSFERRED_DOWN, v1::PETITION_ASSIGNED_DOWN, v1::PETITION_REFERRED_OUT,
    v1::PETITION_ARCHIVED,         v1::PETITION_DUPLICATE,     v1::PETITION_CLOSED,
};

constexpr PetitionAction kAllActions[] = {
    PetitionAction::kAccept,     PetitionAction::kEscalate, PetitionAction::kTransferDown,
    PetitionAction::kAssignDown, PetitionAction::kReferOut, PetitionAction::kArchive,
    PetitionAction::kDuplicate,  PetitionAction::kNotify,   PetitionAction::kRecordResult,
    PetitionAction::kClose,      PetitionAction::kFeedback, PetitionAction::kAddMaterial,
};

// The handling decisions (处理方式): the actions a HandlingMode stands for.
constexpr PetitionAction kDecisions[] = {
    PetitionAction::kAccept,     PetitionAction::kEscalate, PetitionAction::kTransferDown,
    PetitionAction::kAssignDown, PetitionAction::kReferOut, PetitionAction::kArchive,
    PetitionAction::kDuplicate,
};

// The expected table, written out independently of the implementation (DOMAIN.md §2).
std::map<std::pair<PetitionState, PetitionAction>, PetitionState> ExpectedTable() {
  using A = PetitionAction;
  std::map<std::pair<PetitionState, PetitionAction>, PetitionState> t;
  const PetitionState r = v1::PETITION_REGISTERED;
  t[{r, A::kAccept}] = v1::PETITION_ACCEPTED;
  t[{r, A::kEscalate}] = v1::PETITION_ESCALATED;
  t[{r, A::kTransferDown}] = v1::PETITION_TRANSFERRED_DOWN;
  t[{r, A::kAssignDown}] = v1::PETITION_ASSIGNED_DOWN;
  t[{r, A::kReferOut}] = v1::PETITION_REFERRED_OUT;
  t[{r, A::kArchive}] = v1::PETITION_ARCHIVED;
  t[{r, A::kDuplicate}] = v1::PETITION_DUPLICATE;
  t[{r, A::kNotify}] = r;
  t[{r, A::kAddMaterial}] = r;
  for (PetitionState s :
       {v1::PETITION_ACCEPTED, v1::PETITION_ESCALATED, v1::PETITION_TRANSFERRED_DOWN,
        v1::PETITION_ASSIGNED_DOWN, v1::PETITION_REFERRED_OUT}) {
    t[{s, A::kNotify}] = s;
    t[{s, A::kClose}] = v1::PETITION_CLOSED;
    t[{s, A::kAddMaterial}] = s;
  }
  t[{v1::PETITION_ASSIGNED_DOWN, A::kRecordResult}] = v1::PETITION_ASSIGNED_DOWN;
  t[{v1::PETITION_ARCHIVED, A::kFeedback}] = v1::PETITION_ARCHIVED;
  t[{v1::PETITION_ARCHIVED, A::kAddMaterial}] = v1::PETITION_ARCHIVED;
  t[{v1::PETITION_DUPLICATE, A::kAddMaterial}] = v1::PETITION_DUPLICATE;
  t[{v1::PETITION_CLOSED, A::kFeedback}] = v1::PETITION_CLOSED;
  t[{v1::PETITION_CLOSED, A::kAddMaterial}] = v1::PETITION_CLOSED;
  return t;
}

// The allowed actions of state, in table order, as the error message lists them.
std::string AllowedList(PetitionState state) {
  std::string out;
  for (const PetitionTransition& t : PetitionTransitions()) {
    if (t.from != state) continue;
    if (!out.empty()) out += ", ";
    out += PetitionActionName(t.action);
  }
  return out;
}

TEST(PetitionRulesTest, TableMatchesDomainRules) {
  std::map<std::pair<PetitionState, PetitionAction>, PetitionState> actual;
  for (const PetitionTransition& t : PetitionTransitions()) {
    EXPECT_TRUE(actual.emplace(std::make_pair(t.from, t.action), t.to).second)
        << "row listed twice: " << PetitionStateName(t.from) << " " << PetitionActionName(t.action);
  }
  EXPECT_EQ(actual, ExpectedTable());
}

TEST(PetitionRulesTest, EveryRowWorksThroughNextPetitionState) {
  ASSERT_FALSE(PetitionTransitions().empty());
  for (const PetitionTransition& t : PetitionTransitions()) {
    absl::StatusOr<PetitionState> next = NextPetitionState("XF-2026-000001", t.from, t.action);
    ASSERT_TRUE(next.ok()) << PetitionStateName(t.from) << " " << PetitionActionName(t.action)
                           << ": " << next.status();
    EXPECT_EQ(*next, t.to) << PetitionStateName(t.from) << " " << PetitionActionName(t.action);
  }
}

TEST(PetitionRulesTest, EveryPairNotInTableIsFailedPreconditionListingAllowedActions) {
  const auto table = ExpectedTable();
  int refused = 0;
  for (PetitionState state : kAllStates) {
    // Exactly the allowed actions of this state, from the independent table.
    std::set<std::string> allowed;
    for (const auto& [key, to] : table) {
      if (key.first == state) allowed.insert(std::string(PetitionActionName(key.second)));
    }
    for (PetitionAction action : kAllActions) {
      if (table.count({state, action})) continue;
      ++refused;
      absl::StatusOr<PetitionState> next = NextPetitionState("XF-2026-000042", state, action);
      ASSERT_FALSE(next.ok()) << PetitionStateName(state) << " " << PetitionActionName(action);
      EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
      const std::string msg(next.status().message());
      EXPECT_THAT(msg, HasSubstr("XF-2026-000042"));
      EXPECT_THAT(msg, HasSubstr(std::string("is in ") + std::string(PetitionStateName(state))));
      EXPECT_THAT(msg, HasSubstr(std::string(PetitionActionName(action)) + " is not allowed"));
      // The message ends with "allowed: a, b, c"; parse the list and compare as a set.
      const std::string marker = "allowed: ";
      size_t at = msg.rfind(marker);
      ASSERT_NE(at, std::string::npos) << msg;
      std::string list = msg.substr(at + marker.size());
      std::set<std::string> listed;
      for (size_t start = 0; start <= list.size();) {
        size_t comma = list.find(", ", start);
        std::string item =
            list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        listed.insert(item);
        if (comma == std::string::npos) break;
        start = comma + 2;
      }
      EXPECT_EQ(listed, allowed) << msg;
      EXPECT_EQ(list, AllowedList(state));
    }
  }
  // 9 states x 12 actions, minus the 30 rows of the table.
  EXPECT_EQ(refused, 9 * 12 - 30);
}

TEST(PetitionRulesTest, MessageForRegisteredNamesStateAndAllowed) {
  absl::StatusOr<PetitionState> next =
      NextPetitionState("XF-2026-000007", v1::PETITION_REGISTERED, PetitionAction::kClose);
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().message(),
            "petition XF-2026-000007 is in REGISTERED; close is not allowed; allowed: accept, "
            "escalate, transfer-down, assign-down, refer-out, archive, duplicate, notify, "
            "add-material");
}

TEST(PetitionRulesTest, ConcludedStatesAllowNoDecision) {
  for (PetitionState state : {v1::PETITION_ARCHIVED, v1::PETITION_DUPLICATE, v1::PETITION_CLOSED}) {
    EXPECT_TRUE(IsConcluded(state)) << PetitionStateName(state);
    for (PetitionAction decision : kDecisions) {
      absl::StatusOr<PetitionState> next = NextPetitionState("XF-2026-000003", state, decision);
      ASSERT_FALSE(next.ok()) << PetitionStateName(state) << " " << PetitionActionName(decision);
      EXPECT_EQ(next.status().code(), absl::StatusCode::kFailedPrecondition);
    }
    // Nor a notice, a result or a second close.
    for (PetitionAction action :
         {PetitionAction::kNotify, PetitionAction::kRecordResult, PetitionAction::kClose}) {
      EXPECT_FALSE(NextPetitionState("XF-2026-000003", state, action).ok())
          << PetitionStateName(state) << " " << PetitionActionName(action);
    }
  }
}

TEST(PetitionRulesTest, OpenStatesAreNotConcluded) {
  for (PetitionState state :
       {v1::PETITION_REGISTERED, v1::PETITION_ACCEPTED, v1::PETITION_ESCALATED,
        v1::PETITION_TRANSFERRED_DOWN, v1::PETITION_ASSIGNED_DOWN, v1::PETITION_REFERRED_OUT}) {
    EXPECT_FALSE(IsConcluded(state)) << PetitionStateName(state);
  }
}

TEST(PetitionRulesTest, DecisionsOnlyFromRegistered) {
  for (PetitionState state : kAllStates) {
    if (state == v1::PETITION_REGISTERED) continue;
    for (PetitionAction decision : kDecisions) {
      EXPECT_FALSE(NextPetitionState("XF-2026-000003", state, decision).ok())
          << PetitionStateName(state) << " " << PetitionActionName(decision);
    }
  }
}

TEST(PetitionRulesTest, ActionForEveryHandlingMode) {
  const std::pair<HandlingMode, PetitionAction> kModes[] = {
      {v1::HANDLING_ACCEPT, PetitionAction::kAccept},
      {v1::HANDLING_ESCALATE, PetitionAction::kEscalate},
      {v1::HANDLING_TRANSFER_DOWN, PetitionAction::kTransferDown},
      {v1::HANDLING_ASSIGN_DOWN, PetitionAction::kAssignDown},
      {v1::HANDLING_REFER_OUT, PetitionAction::kReferOut},
      {v1::HANDLING_ARCHIVE, PetitionAction::kArchive},
      {v1::HANDLING_DUPLICATE, PetitionAction::kDuplicate},
  };
  for (const auto& [mode, action] : kModes) {
    absl::StatusOr<PetitionAction> got = ActionForMode(mode);
    ASSERT_TRUE(got.ok()) << v1::HandlingMode_Name(mode) << ": " << got.status();
    EXPECT_EQ(*got, action) << v1::HandlingMode_Name(mode);
  }
  // Every valid mode other than UNSPECIFIED is covered above.
  for (int m = v1::HandlingMode_MIN; m <= v1::HandlingMode_MAX; ++m) {
    if (!v1::HandlingMode_IsValid(m) || m == v1::HANDLING_MODE_UNSPECIFIED) continue;
    EXPECT_TRUE(ActionForMode(static_cast<HandlingMode>(m)).ok()) << m;
  }
}

TEST(PetitionRulesTest, ActionForUnknownModeIsInvalidArgument) {
  for (HandlingMode mode : {v1::HANDLING_MODE_UNSPECIFIED, static_cast<HandlingMode>(99),
                            static_cast<HandlingMode>(-1)}) {
    absl::StatusOr<PetitionAction> got = ActionForMode(mode);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(got.status().message(), "mode: ")) << got.status();
  }
}

TEST(PetitionRulesTest, NamesOfStatesAndActions) {
  EXPECT_EQ(PetitionStateName(v1::PETITION_TRANSFERRED_DOWN), "TRANSFERRED_DOWN");
  EXPECT_EQ(PetitionStateName(v1::PETITION_CLOSED), "CLOSED");
  std::set<std::string_view> names;
  for (PetitionState s : kAllStates) names.insert(PetitionStateName(s));
  EXPECT_EQ(names.size(), std::size(kAllStates));
  EXPECT_EQ(names.count("UNSPECIFIED"), 0u);
  std::set<std::string_view> actions;
  for (PetitionAction a : kAllActions) actions.insert(PetitionActionName(a));
  EXPECT_EQ(actions.size(), std::size(kAllActions));
  EXPECT_EQ(actions.count("unknown"), 0u);
  EXPECT_EQ(PetitionActionName(PetitionAction::kRecordResult), "record-result");
  EXPECT_EQ(PetitionActionName(PetitionAction::kAddMaterial), "add-material");
}

TEST(PetitionRulesTest, CoarseStatus) {
  EXPECT_EQ(CoarseStatus(v1::PETITION_REGISTERED), "received");
  for (PetitionState s :
       {v1::PETITION_ACCEPTED, v1::PETITION_ESCALATED, v1::PETITION_TRANSFERRED_DOWN,
        v1::PETITION_ASSIGNED_DOWN, v1::PETITION_REFERRED_OUT}) {
    EXPECT_EQ(CoarseStatus(s), "in_progress") << PetitionStateName(s);
  }
  for (PetitionState s : {v1::PETITION_ARCHIVED, v1::PETITION_DUPLICATE, v1::PETITION_CLOSED}) {
    EXPECT_EQ(CoarseStatus(s), "concluded") << PetitionStateName(s);
  }
}

TEST(PetitionRulesTest, RankOrderHighestFirst) {
  const char* kRanks[] = {"national", "provincial", "department", "division", "section", "staff"};
  ASSERT_EQ(RankLevels().size(), std::size(kRanks));
  for (int i = 0; i < static_cast<int>(std::size(kRanks)); ++i) {
    absl::StatusOr<int> order = RankOrder("rank", kRanks[i]);
    ASSERT_TRUE(order.ok()) << kRanks[i];
    EXPECT_EQ(*order, i) << kRanks[i];
  }
}

TEST(PetitionRulesTest, RankOrderUnknownNamesFieldNotValue) {
  for (std::string_view bad : {"", "National", "ministerial", "厅局级"}) {
    absl::StatusOr<int> order = RankOrder("subjects[3].rank", bad);
    ASSERT_FALSE(order.ok()) << bad;
    EXPECT_EQ(order.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(order.status().message(), "subjects[3].rank: ")) << order.status();
    EXPECT_THAT(std::string(order.status().message()), HasSubstr("division"));
    if (!bad.empty()) {
      EXPECT_THAT(std::string(order.status().message()), Not(HasSubstr(std::string(bad))));
    }
  }
}

google::protobuf::RepeatedPtrField<v1::Subject> Subjects(
    std::initializer_list<std::pair<std::string, bool>> rank_and_head) {
  google::protobuf::RepeatedPtrField<v1::Subject> out;
  for (const auto& [rank, head] : rank_and_head) {
    v1::Subject* s = out.Add();
    s->set_name("张三");
    s->set_unit("某县财政局");
    s->set_rank(rank);
    s->set_commission_head(head);
  }
  return out;
}

TEST(PetitionRulesTest, EscalationForCommissionHead) {
  std::string why =
      EscalationRequiredBecause(Subjects({{"staff", false}, {"section", true}}), "department");
  EXPECT_THAT(why, HasSubstr("subject 2"));
  EXPECT_THAT(why, HasSubstr("own head"));
  // Even with no rank at all, and an unknown jurisdiction.
  EXPECT_THAT(EscalationRequiredBecause(Subjects({{"", true}}), "bogus"), HasSubstr("own head"));
}

TEST(PetitionRulesTest, EscalationForRankAboveJurisdiction) {
  std::string why = EscalationRequiredBecause(
      Subjects({{"division", false}, {"provincial", false}}), "department");
  EXPECT_THAT(why, HasSubstr("subject 2"));
  EXPECT_THAT(why, HasSubstr("provincial"));
  EXPECT_THAT(why, HasSubstr("department"));
  EXPECT_THAT(EscalationRequiredBecause(Subjects({{"department", false}}), "division"),
              HasSubstr("subject 1"));
}

TEST(PetitionRulesTest, NoEscalationAtOrBelowJurisdiction) {
  EXPECT_THAT(EscalationRequiredBecause(Subjects({{"department", false}}), "department"),
              IsEmpty());
  EXPECT_THAT(
      EscalationRequiredBecause(
          Subjects({{"division", false}, {"section", false}, {"staff", false}}), "department"),
      IsEmpty());
  EXPECT_THAT(EscalationRequiredBecause(Subjects({}), "staff"), IsEmpty());
}

TEST(PetitionRulesTest, EscalationIgnoresUnknownAndEmptyRank) {
  EXPECT_THAT(EscalationRequiredBecause(Subjects({{"ministerial", false}}), "staff"), IsEmpty());
  EXPECT_THAT(EscalationRequiredBecause(Subjects({{"", false}}), "staff"), IsEmpty());
  // An unknown rank does not hide a later subject that must be escalated.
  EXPECT_THAT(EscalationRequiredBecause(Subjects({{"ministerial", false}, {"national", false}}),
                                        "provincial"),
              HasSubstr("subject 2"));
}

}  // namespace
}  // namespace jijian::server::domain
