#include "server/domain/lead_rules.h"

namespace jijian::server::domain {
namespace {

using A = LeadAction;
constexpr LeadState kRegistered = v1::LEAD_REGISTERED;
constexpr LeadState kProposed = v1::LEAD_PROPOSED;
constexpr LeadState kInquiry = v1::LEAD_INQUIRY;
constexpr LeadState kReplied = v1::LEAD_INQUIRY_REPLIED;
constexpr LeadState kVerification = v1::LEAD_VERIFICATION;
constexpr LeadState kReported = v1::LEAD_VERIFICATION_REPORTED;
constexpr LeadState kHold = v1::LEAD_HOLD;
constexpr LeadState kCasePending = v1::LEAD_CASE_PENDING;
constexpr LeadState kCaseFiled = v1::LEAD_CASE_FILED;
constexpr LeadState kClosed = v1::LEAD_CLOSED;
constexpr LeadState kTransferred = v1::LEAD_TRANSFERRED;

}  // namespace

const std::vector<LeadTransition>& LeadTransitions() {
  // clang-format off
  static const std::vector<LeadTransition> kTable = {
    // from            action              to
    {kRegistered,      A::kAssign,         kRegistered},
    {kRegistered,      A::kPropose,        kProposed},
    {kRegistered,      A::kReportHigher,   kRegistered},
    {kProposed,        A::kApprove,        kDecidedByProposal},  // the method's state
    {kProposed,        A::kReject,         kDecidedByProposal},  // back where it was proposed
    {kProposed,        A::kAssign,         kProposed},
    {kProposed,        A::kReportHigher,   kProposed},
    {kInquiry,         A::kInquirySent,    kInquiry},            // reply due in 15 working days
    {kInquiry,         A::kInquiryReply,   kReplied},
    {kInquiry,         A::kAssign,         kInquiry},
    {kInquiry,         A::kReportHigher,   kInquiry},
    {kReplied,         A::kPropose,        kProposed},           // close, verify, or hold
    {kReplied,         A::kAssign,         kReplied},
    {kReplied,         A::kReportHigher,   kReplied},
    {kVerification,    A::kPlan,           kVerification},       // once, before the report
    {kVerification,    A::kReport,         kReported},
    {kVerification,    A::kAssign,         kVerification},
    {kVerification,    A::kReportHigher,   kVerification},
    {kReported,        A::kApprove,        kDecidedByProposal},  // the report's proposal
    {kReported,        A::kReject,         kDecidedByProposal},  // back to verification
    {kReported,        A::kAssign,         kReported},
    {kReported,        A::kReportHigher,   kReported},
    {kHold,            A::kPropose,        kProposed},           // periodic review
    {kHold,            A::kAssign,         kHold},
    {kHold,            A::kReportHigher,   kHold},
    {kCasePending,     A::kAssign,         kCasePending},        // 立案 next
    {kCasePending,     A::kReportHigher,   kCasePending},
    {kCaseFiled,       A::kReportHigher,   kCaseFiled},
    {kClosed,          A::kReportHigher,   kClosed},
    {kTransferred,     A::kReportHigher,   kTransferred},
  };
  // clang-format on
  return kTable;
}

std::string_view LeadStateName(LeadState state) {
  switch (state) {
    case v1::LEAD_REGISTERED:
      return "REGISTERED";
    case v1::LEAD_PROPOSED:
      return "PROPOSED";
    case v1::LEAD_INQUIRY:
      return "INQUIRY";
    case v1::LEAD_INQUIRY_REPLIED:
      return "INQUIRY_REPLIED";
    case v1::LEAD_VERIFICATION:
      return "VERIFICATION";
    case v1::LEAD_VERIFICATION_REPORTED:
      return "VERIFICATION_REPORTED";
    case v1::LEAD_HOLD:
      return "HOLD";
    case v1::LEAD_CASE_PENDING:
      return "CASE_PENDING";
    case v1::LEAD_CASE_FILED:
      return "CASE_FILED";
    case v1::LEAD_CLOSED:
      return "CLOSED";
    case v1::LEAD_TRANSFERRED:
      return "TRANSFERRED";
    default:
      return "UNSPECIFIED";
  }
}

std::string_view LeadActionName(LeadAction action) {
  switch (action) {
    case A::kAssign:
      return "assign";
    case A::kPropose:
      return "propose";
    case A::kApprove:
      return "approve";
    case A::kReject:
      return "reject";
    case A::kInquirySent:
      return "inquiry-sent";
    case A::kInquiryReply:
      return "inquiry-reply";
    case A::kPlan:
      return "verification-plan";
    case A::kReport:
      return "report";
    case A::kReportHigher:
      return "report-higher";
  }
  return "unknown";
}

absl::StatusOr<LeadState> NextLeadState(std::string_view id, LeadState from, LeadAction action) {
  std::string allowed;
  for (const LeadTransition& t : LeadTransitions()) {
    if (t.from != from) continue;
    if (t.action == action) return t.to;
    if (!allowed.empty()) allowed += ", ";
    allowed += LeadActionName(t.action);
  }
  return absl::FailedPreconditionError(
      "lead " + std::string(id) + " is in " + std::string(LeadStateName(from)) + "; " +
      std::string(LeadActionName(action)) +
      " is not allowed; allowed: " + (allowed.empty() ? "none" : allowed));
}

std::string_view DisposalKind(v1::DisposalMethod method) {
  switch (method) {
    case v1::DISPOSAL_TALK_INQUIRY:
      return "talk-inquiry";
    case v1::DISPOSAL_VERIFICATION:
      return "verification";
    case v1::DISPOSAL_HOLD:
      return "hold";
    case v1::DISPOSAL_CLOSE:
      return "close";
    case v1::DISPOSAL_FIRST_FORM:
      return "first-form";
    default:
      return "";
  }
}

std::string_view ReportKind(v1::ReportProposal proposal) {
  switch (proposal) {
    case v1::REPORT_FILE_CASE:
      return "file-case";
    case v1::REPORT_CLOSE:
      return "close";
    case v1::REPORT_FIRST_FORM:
      return "first-form";
    case v1::REPORT_HOLD:
      return "hold";
    case v1::REPORT_TRANSFER:
      return "transfer";
    default:
      return "";
  }
}

absl::StatusOr<LeadState> ApprovedState(std::string_view kind) {
  if (kind == "talk-inquiry") return kInquiry;
  if (kind == "verification") return kVerification;
  if (kind == "hold") return kHold;
  if (kind == "close" || kind == "first-form") return kClosed;
  if (kind == "file-case") return kCasePending;
  if (kind == "transfer") return kTransferred;
  return absl::InvalidArgumentError("proposal kind \"" + std::string(kind) + "\" is unknown");
}

bool ReportToHigherRequired(const google::protobuf::RepeatedPtrField<v1::Subject>& subjects) {
  for (const v1::Subject& s : subjects) {
    if (s.top_leader() || s.committee_member()) return true;
  }
  return false;
}

}  // namespace jijian::server::domain
