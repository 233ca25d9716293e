#include "server/domain/case_rules.h"

namespace jijian::server::domain {
namespace {

using A = CaseAction;

}  // namespace

const std::vector<CaseTransition>& CaseTransitions() {
  // clang-format off
  static const std::vector<CaseTransition> kTable = {
    // from                       action                    to
    {v1::CASE_FILING_REQUESTED,   A::kApproveFiling,        v1::CASE_INVESTIGATION},
    {v1::CASE_INVESTIGATION,      A::kInvestigationReport,  v1::CASE_INVESTIGATED},
    {v1::CASE_INVESTIGATED,       A::kTransferToReview,     v1::CASE_IN_REVIEW},
    {v1::CASE_IN_REVIEW,          A::kReviewOpinion,        v1::CASE_REVIEWED},
    {v1::CASE_REVIEWED,           A::kDecide,               v1::CASE_DECIDED},  // when all decided
    {v1::CASE_DECIDED,            A::kExecute,              v1::CASE_DECIDED},
    {v1::CASE_DECIDED,            A::kClose,                v1::CASE_CLOSED},   // all executed
  };
  // clang-format on
  return kTable;
}

std::string_view CaseStateName(CaseState state) {
  switch (state) {
    case v1::CASE_FILING_REQUESTED:
      return "FILING_REQUESTED";
    case v1::CASE_INVESTIGATION:
      return "INVESTIGATION";
    case v1::CASE_INVESTIGATED:
      return "INVESTIGATED";
    case v1::CASE_IN_REVIEW:
      return "IN_REVIEW";
    case v1::CASE_REVIEWED:
      return "REVIEWED";
    case v1::CASE_DECIDED:
      return "DECIDED";
    case v1::CASE_CLOSED:
      return "CLOSED";
    default:
      return "UNSPECIFIED";
  }
}

std::string_view CaseActionName(CaseAction action) {
  switch (action) {
    case A::kApproveFiling:
      return "approve";
    case A::kInvestigationReport:
      return "investigation-report";
    case A::kTransferToReview:
      return "transfer-review";
    case A::kReviewOpinion:
      return "review-opinion";
    case A::kDecide:
      return "decide";
    case A::kExecute:
      return "execute";
    case A::kClose:
      return "close";
  }
  return "unknown";
}

absl::StatusOr<CaseState> NextCaseState(std::string_view id, CaseState from, CaseAction action) {
  std::string allowed;
  for (const CaseTransition& t : CaseTransitions()) {
    if (t.from != from) continue;
    if (t.action == action) return t.to;
    if (!allowed.empty()) allowed += ", ";
    allowed += CaseActionName(t.action);
  }
  return absl::FailedPreconditionError(
      "case " + std::string(id) + " is in " + std::string(CaseStateName(from)) + "; " +
      std::string(CaseActionName(action)) +
      " is not allowed; allowed: " + (allowed.empty() ? "none" : allowed));
}

const std::vector<std::string_view>& ExecutionSteps() {
  static const std::vector<std::string_view> kSteps = {"announced", "delivered", "filed"};
  return kSteps;
}

std::string CaseCloseBlocker(const std::vector<PersonProgress>& persons) {
  for (const PersonProgress& p : persons) {
    const std::string who = "person " + std::to_string(p.index);
    if (!p.decided) return who + " has no decision";
    if (p.announced.empty()) return who + ": the decision has not been announced (宣布)";
    if (p.delivered.empty()) return who + ": the decision has not been delivered (送达)";
    if (p.filed.empty()) return who + ": the decision has not been filed to the dossier (归档)";
  }
  return "";
}

}  // namespace jijian::server::domain
