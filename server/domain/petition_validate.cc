#include "server/domain/petition_validate.h"

#include <cstdio>
#include <set>

#include "server/domain/calendar.h"
#include "server/domain/id_number.h"
#include "server/domain/petition_rules.h"
#include "server/domain/validate.h"

namespace jijian::server::domain {
namespace {

absl::Status Invalid(const std::string& message) { return absl::InvalidArgumentError(message); }

// Phone numbers: digits, spaces, '+', '-', parentheses.
absl::Status CheckPhone(std::string_view field, std::string_view phone) {
  if (phone.size() > kMaxPhoneChars) {
    return Invalid(std::string(field) + ": at most 30 characters");
  }
  for (char c : phone) {
    if (!((c >= '0' && c <= '9') || c == ' ' || c == '+' || c == '-' || c == '(' || c == ')')) {
      return Invalid(std::string(field) + ": only digits, spaces and + - ( ) are allowed");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSubject(const v1::Subject& s, int index, absl::CivilDay today) {
  const std::string at = "subjects[" + std::to_string(index + 1) + "]";
  if (absl::Status st = CheckText(at + ".name", s.name(), kMaxNameChars, true); !st.ok()) return st;
  if (absl::Status st = CheckText(at + ".unit", s.unit(), kMaxUnitChars, true); !st.ok()) return st;
  if (absl::Status st = CheckText(at + ".position", s.position(), kMaxUnitChars, false); !st.ok()) {
    return st;
  }
  if (!s.id_number().empty()) {
    if (absl::Status st = CheckIdNumber(at + ".id_number", s.id_number(), today); !st.ok()) {
      return st;
    }
  }
  if (!s.rank().empty()) {
    if (absl::StatusOr<int> r = RankOrder(at + ".rank", s.rank()); !r.ok()) return r.status();
  }
  return absl::OkStatus();
}

}  // namespace

std::string FormatObjectId(std::string_view kind, int64_t year, int64_t number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%04lld-%06lld", static_cast<long long>(year),
                static_cast<long long>(number));
  return std::string(kind) + buf;
}

absl::Status CheckObjectId(std::string_view field, std::string_view kind, std::string_view id) {
  const std::string rule = std::string(field) + ": must look like " + std::string(kind) +
                           "-YYYY-NNNNNN (a number of 6 to 9 digits, zero-padded to 6)";
  const size_t head = kind.size() + 6;  // "KIND-YYYY-"
  if (id.size() < head + kMinIdDigits || id.size() > head + kMaxIdDigits ||
      id.substr(0, kind.size()) != kind || id[kind.size()] != '-' || id[kind.size() + 5] != '-') {
    return Invalid(rule);
  }
  for (size_t i = kind.size() + 1; i < id.size(); ++i) {
    if (i == kind.size() + 5) continue;
    if (id[i] < '0' || id[i] > '9') return Invalid(rule);
  }
  if (id.size() > head + kMinIdDigits && id[head] == '0') return Invalid(rule);
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> DateNotInFuture(std::string_view field, std::string_view text,
                                               absl::CivilDay today) {
  if (text.empty()) return today;
  absl::StatusOr<absl::CivilDay> day = ParseDate(field, text);
  if (!day.ok()) return day.status();
  if (*day > today) return Invalid(std::string(field) + ": must not be in the future");
  if (day->year() < 2000) return Invalid(std::string(field) + ": must not be before 2000");
  return *day;
}

absl::Status CheckSubjects(const google::protobuf::RepeatedPtrField<v1::Subject>& subjects,
                           absl::CivilDay today) {
  if (subjects.empty()) return Invalid("subjects: at least one subject (被反映人) is required");
  if (static_cast<size_t>(subjects.size()) > kMaxSubjects) return Invalid("subjects: at most 20");
  for (int i = 0; i < subjects.size(); ++i) {
    if (absl::Status st = CheckSubject(subjects[i], i, today); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status ValidateRegister(const v1::RegisterPetitionRequest& req, absl::CivilDay today) {
  if (absl::Status st = CheckRequestId(req.request_id()); !st.ok()) return st;
  if (req.channel() == v1::CHANNEL_UNSPECIFIED || !v1::Channel_IsValid(req.channel())) {
    return Invalid("channel: must be one of letter, visit, phone, online, higher, agency");
  }
  if (req.category() == v1::CATEGORY_UNSPECIFIED || !v1::Category_IsValid(req.category())) {
    return Invalid(
        "category: must be one of accusation, complaint, appeal, suggestion, out-of-scope, "
        "no-substance");
  }
  if (absl::StatusOr<absl::CivilDay> d =
          DateNotInFuture("received_date", req.received_date(), today);
      !d.ok()) {
    return d.status();
  }
  const v1::Reporter& r = req.reporter();
  const bool any_identity =
      !r.name().empty() || !r.id_number().empty() || !r.phone().empty() || !r.address().empty();
  if (req.anonymous()) {
    if (any_identity) return Invalid("reporter: must be empty for an anonymous petition");
  } else {
    if (!any_identity) {
      return Invalid(
          "reporter: a real-name petition needs the reporter's name and ID number "
          "(or mark it anonymous)");
    }
    if (absl::Status st = CheckText("reporter.name", r.name(), kMaxNameChars, true); !st.ok())
      return st;
    if (r.id_number().empty())
      return Invalid("reporter.id_number: required for a real-name petition");
    if (absl::Status st = CheckIdNumber("reporter.id_number", r.id_number(), today); !st.ok())
      return st;
    if (absl::Status st = CheckPhone("reporter.phone", r.phone()); !st.ok()) return st;
    if (absl::Status st = CheckText("reporter.address", r.address(), kMaxAddressChars, false);
        !st.ok()) {
      return st;
    }
  }
  if (absl::Status st = CheckSubjects(req.subjects(), today); !st.ok()) return st;
  std::set<int> seen;
  for (int d : req.disciplines()) {
    if (d == v1::DISCIPLINE_UNSPECIFIED || !v1::Discipline_IsValid(d)) {
      return Invalid(
          "disciplines: must be among political, organizational, integrity, mass, work, life");
    }
    if (!seen.insert(d).second) return Invalid("disciplines: listed twice");
  }
  if (absl::Status st = CheckText("summary", req.summary(), kMaxSummaryChars, true); !st.ok())
    return st;
  return CheckText("content", req.content(), kMaxContentChars, true, /*multiline=*/true);
}

absl::Status ValidateDecide(const v1::DecidePetitionRequest& req, absl::CivilDay today) {
  if (absl::Status st = CheckRequestId(req.request_id()); !st.ok()) return st;
  if (absl::Status st = CheckObjectId("id", "XF", req.id()); !st.ok()) return st;
  if (req.expected_version() < 1) {
    return Invalid("expected_version: required, the version you last read (>= 1)");
  }
  absl::StatusOr<PetitionAction> action = ActionForMode(req.mode());
  if (!action.ok()) return action.status();
  if (absl::Status st = CheckText("reason", req.reason(), kMaxReasonChars, true, true); !st.ok()) {
    return st;
  }
  if (absl::Status st = CheckText("to_body", req.to_body(), kMaxBodyChars, false); !st.ok())
    return st;
  const bool needs_body = *action == PetitionAction::kReferOut ||
                          *action == PetitionAction::kTransferDown ||
                          *action == PetitionAction::kAssignDown;
  if (needs_body && req.to_body().empty()) {
    return Invalid("to_body: required for " + std::string(PetitionActionName(*action)) +
                   " (the body it goes to)");
  }
  if (!needs_body && !req.to_body().empty()) {
    return Invalid("to_body: only for refer-out, transfer-down and assign-down");
  }
  if (*action == PetitionAction::kAssignDown) {
    if (req.due_date().empty())
      return Invalid("due_date: required for assign-down (when the result report is due)");
    absl::StatusOr<absl::CivilDay> due = ParseDate("due_date", req.due_date());
    if (!due.ok()) return due.status();
    if (*due <= today) return Invalid("due_date: must be after today");
  } else if (!req.due_date().empty()) {
    return Invalid("due_date: only for assign-down");
  }
  if (*action == PetitionAction::kDuplicate) {
    if (absl::Status st = CheckObjectId("duplicate_of", "XF", req.duplicate_of()); !st.ok())
      return st;
    if (req.duplicate_of() == req.id()) return Invalid("duplicate_of: must be another petition");
  } else if (!req.duplicate_of().empty()) {
    return Invalid("duplicate_of: only for the duplicate mode");
  }
  return absl::OkStatus();
}

absl::Status CheckMeans(std::string_view field, std::string_view means) {
  static const std::set<std::string_view> kMeans = {"letter", "phone",  "in-person",
                                                    "sms",    "online", "receipt"};
  if (!kMeans.count(means)) {
    return Invalid(std::string(field) +
                   ": must be one of letter, phone, in-person, sms, online, receipt");
  }
  return absl::OkStatus();
}

}  // namespace jijian::server::domain
