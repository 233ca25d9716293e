// The problem-lead rules (DOMAIN.md §3): the state machine as a table, what an approved
// proposal leads to, deadlines, and the 第二十二条 report to the higher commission. Pure.
#ifndef JIJIAN_SERVER_DOMAIN_LEAD_RULES_H_
#define JIJIAN_SERVER_DOMAIN_LEAD_RULES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jijian/v1/lead.pb.h"

namespace jijian::server::domain {

using ::jijian::v1::LeadState;

enum class LeadAction {
  kAssign,        // 分办 / 改派 (case manager)
  kPropose,       // 提出处置方式 (case manager or the assigned inspector)
  kApprove,       // 批准 (a leader other than the proposer)
  kReject,        // 不批准, back with the reason
  kInquirySent,   // 谈话 / 函询 done; the reply is due
  kInquiryReply,  // 函询回复 recorded
  kPlan,          // 初核方案 and team
  kReport,        // 初步核实报告 with a proposal
  kReportHigher,  // 向上级报告 (第二十二条)
};

// In state `from`, `action` leads to `to`; kDecidedByProposal means the approved or rejected
// proposal names the next state (ApprovedState / the proposal's return state).
inline constexpr LeadState kDecidedByProposal = v1::LEAD_STATE_UNSPECIFIED;
struct LeadTransition {
  LeadState from;
  LeadAction action;
  LeadState to;
};

const std::vector<LeadTransition>& LeadTransitions();

std::string_view LeadStateName(LeadState state);     // "REGISTERED", ...
std::string_view LeadActionName(LeadAction action);  // "assign", "propose", ...

// The state after action (kDecidedByProposal for approve/reject), or FAILED_PRECONDITION
// naming the lead, its state and the actions allowed in it.
absl::StatusOr<LeadState> NextLeadState(std::string_view id, LeadState from, LeadAction action);

// Proposal kinds: disposal methods and verification-report proposals.
// "talk-inquiry", "verification", "hold", "close", "file-case", "first-form", "transfer".
std::string_view DisposalKind(v1::DisposalMethod method);
std::string_view ReportKind(v1::ReportProposal proposal);
// The state an approved proposal of kind leads to; INVALID_ARGUMENT for an unknown kind.
absl::StatusOr<LeadState> ApprovedState(std::string_view kind);

// True when the lead must be reported to the higher commission (第二十二条): a subject is
// 一把手 of a subordinate unit or a member of the same-level committee.
bool ReportToHigherRequired(const google::protobuf::RepeatedPtrField<v1::Subject>& subjects);

// Time limits (DOMAIN.md §3; the [unconfirmed] ones come from server.toml).
struct LeadDeadlineRules {
  int proposal_calendar_days = 30;      // a disposal proposal after registration [unconfirmed]
  int inquiry_reply_working_days = 15;  // reply to a talk or written inquiry [unconfirmed]
  int verification_working_days = 60;   // preliminary verification report [unconfirmed]
  int hold_review_days = 180;           // review of a held lead [practice]
  int case_investigation_days = 90;     // investigation report after filing [unconfirmed]
};

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_LEAD_RULES_H_
