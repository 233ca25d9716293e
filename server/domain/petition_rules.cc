#include "server/domain/petition_rules.h"

#include <algorithm>

namespace jijian::server::domain {
namespace {

using A = PetitionAction;
constexpr PetitionState kRegistered = v1::PETITION_REGISTERED;
constexpr PetitionState kAccepted = v1::PETITION_ACCEPTED;
constexpr PetitionState kEscalated = v1::PETITION_ESCALATED;
constexpr PetitionState kTransferred = v1::PETITION_TRANSFERRED_DOWN;
constexpr PetitionState kAssigned = v1::PETITION_ASSIGNED_DOWN;
constexpr PetitionState kReferred = v1::PETITION_REFERRED_OUT;
constexpr PetitionState kArchived = v1::PETITION_ARCHIVED;
constexpr PetitionState kDuplicate = v1::PETITION_DUPLICATE;
constexpr PetitionState kClosed = v1::PETITION_CLOSED;

}  // namespace

const std::vector<PetitionTransition>& PetitionTransitions() {
  // clang-format off
  static const std::vector<PetitionTransition> kTable = {
    // from          action              to
    {kRegistered,    A::kAccept,         kAccepted},     // 本级受理 → problem lead
    {kRegistered,    A::kEscalate,       kEscalated},    // 上报, within 5 working days
    {kRegistered,    A::kTransferDown,   kTransferred},  // 转送, within 5 working days
    {kRegistered,    A::kAssignDown,     kAssigned},     // 交办, result report due
    {kRegistered,    A::kReferOut,       kReferred},     // 业务范围外 → named body
    {kRegistered,    A::kArchive,        kArchived},     // 无实质内容
    {kRegistered,    A::kDuplicate,      kDuplicate},    // 重复件: linked, kept for reference
    {kRegistered,    A::kNotify,         kRegistered},
    {kRegistered,    A::kAddMaterial,    kRegistered},
    {kAccepted,      A::kNotify,         kAccepted},
    {kAccepted,      A::kClose,          kClosed},
    {kAccepted,      A::kAddMaterial,    kAccepted},
    {kEscalated,     A::kNotify,         kEscalated},
    {kEscalated,     A::kClose,          kClosed},
    {kEscalated,     A::kAddMaterial,    kEscalated},
    {kTransferred,   A::kNotify,         kTransferred},
    {kTransferred,   A::kClose,          kClosed},
    {kTransferred,   A::kAddMaterial,    kTransferred},
    {kAssigned,      A::kNotify,         kAssigned},
    {kAssigned,      A::kRecordResult,   kAssigned},     // 交办结果 received
    {kAssigned,      A::kClose,          kClosed},       // only once the result is recorded
    {kAssigned,      A::kAddMaterial,    kAssigned},
    {kReferred,      A::kNotify,         kReferred},
    {kReferred,      A::kClose,          kClosed},
    {kReferred,      A::kAddMaterial,    kReferred},
    {kArchived,      A::kFeedback,       kArchived},
    {kArchived,      A::kAddMaterial,    kArchived},
    {kDuplicate,     A::kAddMaterial,    kDuplicate},    // no new acceptance notice
    {kClosed,        A::kFeedback,       kClosed},       // 结果反馈 within 15 working days
    {kClosed,        A::kAddMaterial,    kClosed},
  };
  // clang-format on
  return kTable;
}

std::string_view PetitionStateName(PetitionState state) {
  switch (state) {
    case v1::PETITION_REGISTERED:
      return "REGISTERED";
    case v1::PETITION_ACCEPTED:
      return "ACCEPTED";
    case v1::PETITION_ESCALATED:
      return "ESCALATED";
    case v1::PETITION_TRANSFERRED_DOWN:
      return "TRANSFERRED_DOWN";
    case v1::PETITION_ASSIGNED_DOWN:
      return "ASSIGNED_DOWN";
    case v1::PETITION_REFERRED_OUT:
      return "REFERRED_OUT";
    case v1::PETITION_ARCHIVED:
      return "ARCHIVED";
    case v1::PETITION_DUPLICATE:
      return "DUPLICATE";
    case v1::PETITION_CLOSED:
      return "CLOSED";
    default:
      return "UNSPECIFIED";
  }
}

std::string_view PetitionActionName(PetitionAction action) {
  switch (action) {
    case A::kAccept:
      return "accept";
    case A::kEscalate:
      return "escalate";
    case A::kTransferDown:
      return "transfer-down";
    case A::kAssignDown:
      return "assign-down";
    case A::kReferOut:
      return "refer-out";
    case A::kArchive:
      return "archive";
    case A::kDuplicate:
      return "duplicate";
    case A::kNotify:
      return "notify";
    case A::kRecordResult:
      return "record-result";
    case A::kClose:
      return "close";
    case A::kFeedback:
      return "feedback";
    case A::kAddMaterial:
      return "add-material";
  }
  return "unknown";
}

absl::StatusOr<PetitionAction> ActionForMode(HandlingMode mode) {
  switch (mode) {
    case v1::HANDLING_ACCEPT:
      return A::kAccept;
    case v1::HANDLING_ESCALATE:
      return A::kEscalate;
    case v1::HANDLING_TRANSFER_DOWN:
      return A::kTransferDown;
    case v1::HANDLING_ASSIGN_DOWN:
      return A::kAssignDown;
    case v1::HANDLING_REFER_OUT:
      return A::kReferOut;
    case v1::HANDLING_ARCHIVE:
      return A::kArchive;
    case v1::HANDLING_DUPLICATE:
      return A::kDuplicate;
    default:
      return absl::InvalidArgumentError(
          "mode: must be one of accept, escalate, transfer-down, assign-down, refer-out, "
          "archive, duplicate");
  }
}

absl::StatusOr<PetitionState> NextPetitionState(std::string_view id, PetitionState from,
                                                PetitionAction action) {
  std::string allowed;
  for (const PetitionTransition& t : PetitionTransitions()) {
    if (t.from != from) continue;
    if (t.action == action) return t.to;
    if (!allowed.empty()) allowed += ", ";
    allowed += PetitionActionName(t.action);
  }
  return absl::FailedPreconditionError(
      "petition " + std::string(id) + " is in " + std::string(PetitionStateName(from)) + "; " +
      std::string(PetitionActionName(action)) +
      " is not allowed; allowed: " + (allowed.empty() ? "none" : allowed));
}

bool IsConcluded(PetitionState state) {
  return state == v1::PETITION_ARCHIVED || state == v1::PETITION_DUPLICATE ||
         state == v1::PETITION_CLOSED;
}

std::string_view CoarseStatus(PetitionState state) {
  if (state == v1::PETITION_REGISTERED) return "received";
  return IsConcluded(state) ? "concluded" : "in_progress";
}

const std::vector<std::string_view>& RankLevels() {
  // 国家级, 省部级, 厅局级, 县处级, 乡科级, 科员及以下
  static const std::vector<std::string_view> kLevels = {"national", "provincial", "department",
                                                        "division", "section",    "staff"};
  return kLevels;
}

absl::StatusOr<int> RankOrder(std::string_view field, std::string_view rank) {
  const auto& levels = RankLevels();
  auto it = std::find(levels.begin(), levels.end(), rank);
  if (it == levels.end()) {
    return absl::InvalidArgumentError(
        std::string(field) +
        ": must be one of national, provincial, department, division, section, staff");
  }
  return static_cast<int>(it - levels.begin());
}

std::string EscalationRequiredBecause(
    const google::protobuf::RepeatedPtrField<v1::Subject>& subjects,
    std::string_view jurisdiction_max_rank) {
  absl::StatusOr<int> limit = RankOrder("jurisdiction", jurisdiction_max_rank);
  for (int i = 0; i < subjects.size(); ++i) {
    const v1::Subject& s = subjects[i];
    if (s.commission_head()) {
      return "subject " + std::to_string(i + 1) + " is this commission's own head";
    }
    if (!s.rank().empty() && limit.ok()) {
      absl::StatusOr<int> order = RankOrder("rank", s.rank());
      if (order.ok() && *order < *limit) {
        return "subject " + std::to_string(i + 1) + " ranks " + s.rank() +
               ", above this commission's jurisdiction (" + std::string(jurisdiction_max_rank) +
               ")";
      }
    }
  }
  return "";
}

}  // namespace jijian::server::domain
