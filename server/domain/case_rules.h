// The case rules (DOMAIN.md §4): the state machine as a table and what closing needs. Pure.
#ifndef JIJIAN_SERVER_DOMAIN_CASE_RULES_H_
#define JIJIAN_SERVER_DOMAIN_CASE_RULES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jijian/v1/case.pb.h"

namespace jijian::server::domain {

using ::jijian::v1::CaseState;

enum class CaseAction {
  kApproveFiling,        // 批准立案 (leader; not the requester)
  kInvestigationReport,  // 审查调查报告 (the assigned inspector)
  kTransferToReview,     // 移送审理
  kReviewOpinion,        // 审理意见 (reviewer)
  kDecide,               // 处分决定, one person at a time (leader)
  kExecute,              // 执行: 宣布 / 送达 / 归档 (case manager)
  kClose,                // 结案
};

struct CaseTransition {
  CaseState from;
  CaseAction action;
  CaseState to;  // for kDecide from REVIEWED: DECIDED once every person is decided
};

const std::vector<CaseTransition>& CaseTransitions();
std::string_view CaseStateName(CaseState state);
std::string_view CaseActionName(CaseAction action);

// The state after action, or FAILED_PRECONDITION naming the case, its state and what is
// allowed in it.
absl::StatusOr<CaseState> NextCaseState(std::string_view id, CaseState from, CaseAction action);

// Execution steps in order: "announced" (宣布), "delivered" (送达), "filed" (归档).
const std::vector<std::string_view>& ExecutionSteps();

// Why a case cannot close yet ("" when it can): every person needs a decision and every
// execution step. Persons are given as (name for messages is omitted) index, decided, and
// the three step dates.
struct PersonProgress {
  int index = 0;
  bool decided = false;
  std::string announced, delivered, filed;
};
std::string CaseCloseBlocker(const std::vector<PersonProgress>& persons);

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_CASE_RULES_H_
