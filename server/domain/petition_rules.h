// The petition rules (DOMAIN.md §2): the state machine as a table, the deadlines in
// working days, jurisdiction (what must be escalated) and the reporter's coarse status.
// Pure: no I/O.
#ifndef JIJIAN_SERVER_DOMAIN_PETITION_RULES_H_
#define JIJIAN_SERVER_DOMAIN_PETITION_RULES_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jijian/v1/petition.pb.h"

namespace jijian::server::domain {

using ::jijian::v1::HandlingMode;
using ::jijian::v1::PetitionState;

// What can be done to a petition.
enum class PetitionAction {
  kAccept,        // 本级受理
  kEscalate,      // 上报
  kTransferDown,  // 转送
  kAssignDown,    // 交办
  kReferOut,      // 业务范围外
  kArchive,       // 无实质内容, 存档
  kDuplicate,     // 重复件
  kNotify,        // 受理告知
  kRecordResult,  // 交办结果
  kClose,         // 办结
  kFeedback,      // 结果反馈
  kAddMaterial,   // 补充材料
};

// One row of the state machine: in state `from`, `action` leads to `to`.
struct PetitionTransition {
  PetitionState from;
  PetitionAction action;
  PetitionState to;
};

// The whole table; a pair not in it is not allowed.
const std::vector<PetitionTransition>& PetitionTransitions();

// "REGISTERED", "ACCEPTED", ...
std::string_view PetitionStateName(PetitionState state);
// "accept", "escalate", "transfer-down", ..., "notify", "record-result", "close", ...
std::string_view PetitionActionName(PetitionAction action);

// The action a handling mode stands for; INVALID_ARGUMENT for an unknown mode.
absl::StatusOr<PetitionAction> ActionForMode(HandlingMode mode);

// The state after action, or FAILED_PRECONDITION naming the petition, its state and the
// actions allowed in it.
absl::StatusOr<PetitionState> NextPetitionState(std::string_view id, PetitionState from,
                                                PetitionAction action);

// True when the state is final (no decision, notice or result is due any more).
bool IsConcluded(PetitionState state);

// The reporter's coarse view of a state: "received", "in_progress" or "concluded".
std::string_view CoarseStatus(PetitionState state);

// Deadlines in working days (DOMAIN.md §2; [unconfirmed] ones are configurable).
struct PetitionDeadlineRules {
  int proposal_working_days = 15;   // a handling proposal, after receipt [unconfirmed]
  int notice_working_days = 15;     // real-name acceptance notice, after receipt
  int escalation_working_days = 5;  // 上报, after receipt
  int transfer_working_days = 5;    // 转送, after receipt
  int feedback_working_days = 15;   // real-name result feedback, after conclusion
};

// Rank levels, highest first: national, provincial, department, division, section, staff.
const std::vector<std::string_view>& RankLevels();
// Position of rank in RankLevels (0 = highest); INVALID_ARGUMENT naming field otherwise.
absl::StatusOr<int> RankOrder(std::string_view field, std::string_view rank);

// Why a petition must be escalated (上报) rather than handled here, or "" if it need not:
// a subject is this commission's own head, or ranks above the highest rank this commission
// has jurisdiction over (jurisdiction_max_rank, a RankLevels name).
std::string EscalationRequiredBecause(
    const google::protobuf::RepeatedPtrField<v1::Subject>& subjects,
    std::string_view jurisdiction_max_rank);

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_PETITION_RULES_H_
