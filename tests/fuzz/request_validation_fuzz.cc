// Fuzz target: the server's request validators (server/domain), the first thing every
// staff and reporter-port request meets. The first input byte picks what is fed:
//   0  RegisterPetitionRequest wire bytes -> ValidateRegister (also the reporter port's path)
//   1  DecidePetitionRequest wire bytes   -> ValidateDecide
//   2  one length-prefixed string         -> every text, id, date, role and code check
//   3  measure codes, case filed, probation -> CheckCombination, DeriveForm, LongestPeriod
//   4  RegisterLeadRequest wire bytes       -> ValidateRegisterLead
//   5  RecordDispositionRequest wire bytes  -> ValidateRecordDisposition (built-in measures)
//   6  FileCaseRequest wire bytes           -> ValidateFileCase
// Properties: no crash or sanitizer report on any input; what a validator accepts really
// has the shape it promises (valid UTF-8 within bounds, dates that print back to the same
// text, ids that format back to themselves, role lists that round-trip).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "google/protobuf/stubs/logging.h"
#include "jijian/v1/case.pb.h"
#include "jijian/v1/disposition.pb.h"
#include "jijian/v1/lead.pb.h"
#include "jijian/v1/petition.pb.h"
#include "server/domain/calendar.h"
#include "server/domain/id_number.h"
#include "server/domain/measures.h"
#include "server/domain/petition_rules.h"
#include "server/domain/petition_validate.h"
#include "server/domain/request_validate.h"
#include "server/domain/roles.h"
#include "server/domain/validate.h"
#include "storage/receipt.h"
#include "tests/fuzz/fuzz_input.h"

namespace jijian::fuzz {
namespace {

namespace d = ::jijian::server::domain;

// Protobuf logs every string field with invalid UTF-8 that it refuses to parse; the fuzzer
// makes millions. Refusing them is right (gRPC does the same before any handler runs).
[[maybe_unused]] const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

// A fixed "today" keeps every run reproducible.
const absl::CivilDay kToday(2026, 11, 30);

// Reference UTF-8 check written from the Unicode standard's Table 3-7 (well-formed byte
// sequences), independent of the decoder in validate.cc.
bool ReferenceUtf8(std::string_view s) {
  size_t i = 0;
  const auto at = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const auto in = [](unsigned char b, unsigned char lo, unsigned char hi) {
    return b >= lo && b <= hi;
  };
  while (i < s.size()) {
    const unsigned char b0 = at(i);
    if (b0 <= 0x7F) {
      ++i;
      continue;
    }
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (in(b0, 0xC2, 0xDF)) {
      n = 2;
    } else if (b0 == 0xE0) {
      n = 3, lo = 0xA0;
    } else if (in(b0, 0xE1, 0xEC) || in(b0, 0xEE, 0xEF)) {
      n = 3;
    } else if (b0 == 0xED) {
      n = 3, hi = 0x9F;
    } else if (b0 == 0xF0) {
      n = 4, lo = 0x90;
    } else if (in(b0, 0xF1, 0xF3)) {
      n = 4;
    } else if (b0 == 0xF4) {
      n = 4, hi = 0x8F;
    } else {
      return false;
    }
    if (i + n > s.size() || !in(at(i + 1), lo, hi)) return false;
    for (size_t k = 2; k < n; ++k) {
      if (!in(at(i + k), 0x80, 0xBF)) return false;
    }
    i += n;
  }
  return true;
}

// Code points of valid UTF-8: every byte that is not a continuation byte starts one.
size_t ReferenceLength(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

bool HasDisallowedControl(std::string_view s, bool multiline) {
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 && !(multiline && (b == '\n' || b == '\t' || b == '\r'))) return true;
    if (b == 0x7F) return true;
  }
  // C1 controls U+0080..U+009F are 0xC2 0x80..0x9F in UTF-8.
  for (size_t i = 0; i + 1 < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xC2 && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(s[i + 1]) <= 0x9F) {
      return true;
    }
  }
  return false;
}

// What an accepted text field must be.
void RequireText(std::string_view s, size_t max_chars, bool multiline) {
  Require(ReferenceUtf8(s), "accepted text is not valid UTF-8");
  Require(ReferenceLength(s) <= max_chars, "accepted text is too long");
  Require(!HasDisallowedControl(s, multiline), "accepted text holds a control character");
}

void FuzzRegister(std::string_view bytes) {
  v1::RegisterPetitionRequest req;
  if (!req.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  if (!d::ValidateRegister(req, kToday).ok()) return;
  Require(d::CheckRequestId(req.request_id()).ok(), "accepted request_id fails its own check");
  Require(req.subjects_size() >= 1 && static_cast<size_t>(req.subjects_size()) <= d::kMaxSubjects,
          "accepted petition has a wrong number of subjects");
  for (const v1::Subject& s : req.subjects()) {
    RequireText(s.name(), d::kMaxNameChars, false);
    RequireText(s.unit(), d::kMaxUnitChars, false);
    Require(!s.name().empty() && !s.unit().empty(), "accepted subject lacks name or unit");
    if (!s.id_number().empty()) {
      Require(s.id_number().size() == 18, "accepted subject ID number is not 18 characters");
    }
  }
  if (req.anonymous()) {
    Require(req.reporter().name().empty() && req.reporter().id_number().empty(),
            "accepted anonymous petition names its reporter");
  } else {
    RequireText(req.reporter().name(), d::kMaxNameChars, false);
    Require(req.reporter().id_number().size() == 18, "accepted reporter ID number is not 18");
  }
  RequireText(req.summary(), d::kMaxSummaryChars, false);
  RequireText(req.content(), d::kMaxContentChars, true);
  if (!req.received_date().empty()) {
    absl::StatusOr<absl::CivilDay> day = d::ParseDate("received_date", req.received_date());
    Require(day.ok() && *day <= kToday && day->year() >= 2000,
            "accepted received_date is not a past date since 2000");
  }
  // Validation depends on the request alone: the same bytes re-read validate the same way.
  v1::RegisterPetitionRequest again;
  Require(again.ParseFromString(req.SerializeAsString()) && d::ValidateRegister(again, kToday).ok(),
          "re-serialised request no longer validates");
}

void FuzzDecide(std::string_view bytes) {
  v1::DecidePetitionRequest req;
  if (!req.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  if (!d::ValidateDecide(req, kToday).ok()) return;
  Require(d::CheckObjectId("id", "XF", req.id()).ok(), "accepted id fails its own check");
  Require(req.expected_version() >= 1, "accepted expected_version below 1");
  RequireText(req.reason(), d::kMaxReasonChars, true);
  Require(!req.reason().empty(), "accepted decision has no reason");
  if (!req.due_date().empty()) {
    absl::StatusOr<absl::CivilDay> due = d::ParseDate("due_date", req.due_date());
    Require(due.ok() && *due > kToday, "accepted due_date is not after today");
  }
}

void FuzzStrings(FuzzInput& in) {
  const uint8_t limit = in.Byte();
  const std::string s(in.Rest());

  // UTF-8: the validator agrees with the reference, and counts the same way.
  const bool utf8 = d::IsValidUtf8(s);
  Require(utf8 == ReferenceUtf8(s), "IsValidUtf8 disagrees with the Unicode table");
  if (utf8) Require(d::Utf8Length(s) == ReferenceLength(s), "Utf8Length miscounts");
  d::Utf8Length(s);  // must not crash on malformed input either

  for (bool multiline : {false, true}) {
    const size_t max_chars = limit;
    if (d::CheckText("f", s, max_chars, /*required=*/false, multiline).ok()) {
      RequireText(s, max_chars, multiline);
    }
    Require(d::CheckText("f", s, max_chars, /*required=*/true, multiline).ok() ==
                (!s.empty() && d::CheckText("f", s, max_chars, false, multiline).ok()),
            "required differs from optional for a non-empty text");
  }

  if (d::CheckUserId("user", s).ok()) {
    Require(s.size() >= 2 && s.size() <= 64, "accepted user id of wrong length");
  }
  if (d::CheckRequestId(s).ok()) {
    Require(!s.empty() && s.size() <= 128, "accepted request id of wrong length");
  }
  if (d::CheckObjectId("id", "XF", s).ok()) {
    const int64_t year = std::stoll(s.substr(3, 4));
    const int64_t number = std::stoll(s.substr(8));
    Require(d::FormatObjectId("XF", year, number) == s, "accepted object id does not round-trip");
  }
  if (absl::StatusOr<absl::CivilDay> day = d::ParseDate("date", s); day.ok()) {
    Require(d::FormatDate(*day) == s, "accepted date does not print back to its text");
  }
  if (absl::StatusOr<absl::CivilDay> day = d::DateNotInFuture("date", s, kToday); day.ok()) {
    Require(*day <= kToday && day->year() >= 2000, "DateNotInFuture accepted a bad date");
  }
  if (d::CheckIdNumber("id_number", s, kToday).ok()) {
    Require(s.size() == 18, "accepted ID number is not 18 characters");
    const std::string normal = d::NormalizeIdNumber(s);
    Require(d::NormalizeIdNumber(normal) == normal, "NormalizeIdNumber is not idempotent");
    Require(d::CheckIdNumber("id_number", normal, kToday).ok(), "normalised ID number fails");
  }
  if (absl::StatusOr<std::vector<d::Role>> roles = d::ParseRoleList(s); roles.ok()) {
    Require(!roles->empty(), "accepted an empty role list");
    absl::StatusOr<std::vector<d::Role>> again = d::ParseRoleList(d::JoinRoleNames(*roles));
    Require(again.ok() && *again == *roles, "role list does not round-trip");
  }
  if (absl::StatusOr<int> rank = d::RankOrder("rank", s); rank.ok()) {
    Require(*rank >= 0 && static_cast<size_t>(*rank) < d::RankLevels().size() &&
                d::RankLevels()[*rank] == s,
            "RankOrder accepted an unknown rank");
  }
  (void)d::CheckMeans("means", s);
  if (absl::StatusOr<std::string> code = storage::NormalizeReceiptCode(s); code.ok()) {
    Require(code->size() == storage::kReceiptChars, "normalised receipt code of wrong length");
    for (char c : *code) {
      Require(storage::kReceiptAlphabet.find(c) != std::string_view::npos,
              "normalised receipt code outside the alphabet");
    }
    absl::StatusOr<std::string> again = storage::NormalizeReceiptCode(*code);
    Require(again.ok() && *again == *code, "NormalizeReceiptCode is not idempotent");
  }
}

void FuzzMeasures(FuzzInput& in) {
  const bool case_filed = (in.Byte() & 1) != 0;
  const int probation = static_cast<int8_t>(in.Byte());
  std::vector<std::string> codes(1);
  for (char c : in.Rest()) {
    if (c == ',') {
      codes.emplace_back();
    } else {
      codes.back().push_back(c);
    }
  }
  const d::MeasureTable& table = d::MeasureTable::BuiltIn();
  (void)d::DeriveForm(table, codes);
  (void)d::LongestPeriod(table, codes, probation);
  if (!d::CheckCombination(table, codes, case_filed, probation).ok()) return;
  absl::StatusOr<int> form = d::DeriveForm(table, codes);
  Require(form.ok() && *form >= 1 && *form <= 4, "accepted measures have no form 1..4");
  absl::StatusOr<d::SanctionPeriod> period = d::LongestPeriod(table, codes, probation);
  Require(period.ok() && period->months >= 0, "accepted measures have no period");
  if (!period->permanent) {
    Require(d::PeriodEnd(kToday, period->months) >= kToday, "period ends before it starts");
  }
}

// What an accepted list of subjects must be.
void RequireSubjects(const google::protobuf::RepeatedPtrField<v1::Subject>& subjects) {
  Require(subjects.size() >= 1 && static_cast<size_t>(subjects.size()) <= d::kMaxSubjects,
          "accepted a wrong number of subjects");
  for (const v1::Subject& s : subjects) {
    RequireText(s.name(), d::kMaxNameChars, false);
    RequireText(s.unit(), d::kMaxUnitChars, false);
    Require(!s.name().empty() && !s.unit().empty(), "accepted subject lacks name or unit");
    if (!s.id_number().empty()) {
      Require(s.id_number().size() == 18, "accepted subject ID number is not 18 characters");
    }
  }
}

void FuzzRegisterLead(std::string_view bytes) {
  v1::RegisterLeadRequest req;
  if (!req.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  if (!d::ValidateRegisterLead(req, kToday).ok()) return;
  Require(d::CheckRequestId(req.request_id()).ok(), "accepted request_id fails its own check");
  if (!req.petition_id().empty()) {
    Require(d::CheckObjectId("petition_id", "XF", req.petition_id()).ok(),
            "accepted petition_id fails its own check");
    Require(req.source() == v1::LEAD_SOURCE_UNSPECIFIED && req.subjects().empty() &&
                req.summary().empty(),
            "accepted a lead from a petition that brings its own source, subjects or summary");
  } else {
    Require(v1::LeadSource_IsValid(req.source()) && req.source() != v1::LEAD_SOURCE_UNSPECIFIED &&
                req.source() != v1::LEAD_SOURCE_PETITION,
            "accepted a lead without a valid source of its own");
    RequireSubjects(req.subjects());
    RequireText(req.summary(), d::kMaxSummaryChars, false);
    Require(!req.summary().empty(), "accepted a lead without a summary");
  }
  v1::RegisterLeadRequest again;
  Require(again.ParseFromString(req.SerializeAsString()) &&
              d::ValidateRegisterLead(again, kToday).ok(),
          "re-serialised lead request no longer validates");
}

void FuzzRecordDisposition(std::string_view bytes) {
  v1::RecordDispositionRequest req;
  if (!req.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  const d::MeasureTable& table = d::MeasureTable::BuiltIn();
  absl::StatusOr<d::DispositionDecision> decision = d::ValidateRecordDisposition(req, table, kToday);
  if (!decision.ok()) {
    // Bad fields are INVALID_ARGUMENT; forms 2-4 on a lead are FAILED_PRECONDITION (a case
    // must be filed first). Either way the message names the field.
    Require(decision.status().code() == absl::StatusCode::kInvalidArgument ||
                decision.status().code() == absl::StatusCode::kFailedPrecondition,
            "a refused disposition is neither INVALID_ARGUMENT nor FAILED_PRECONDITION");
    Require(decision.status().message().find(':') != std::string_view::npos,
            "a refused disposition does not name its field");
    return;
  }
  Require(d::CheckRequestId(req.request_id()).ok(), "accepted request_id fails its own check");
  Require(d::CheckObjectId("object_id", decision->is_case ? "LA" : "XS", req.object_id()).ok(),
          "accepted object_id is neither a lead nor a case");
  Require((req.subject_index() > 0) != !req.subject_id_number().empty(),
          "accepted a person named both ways or neither");
  if (!req.subject_id_number().empty()) {
    Require(d::CheckIdNumber("id", req.subject_id_number(), kToday).ok(),
            "accepted a bad subject ID number");
  }
  Require(decision->measure_codes.size() >= 1 &&
              decision->measure_codes.size() <= static_cast<size_t>(d::kMaxMeasures) &&
              std::equal(decision->measure_codes.begin(), decision->measure_codes.end(),
                         req.measures().begin(), req.measures().end()),
          "accepted measures differ from the request's or are too many");
  Require(d::CheckCombination(table, decision->measure_codes, decision->is_case,
                              req.probation_months())
              .ok(),
          "accepted a combination CheckCombination refuses");
  absl::StatusOr<int> form = d::DeriveForm(table, decision->measure_codes);
  Require(form.ok() && *form >= 1 && *form <= 4, "accepted measures have no form 1..4");
  Require(decision->is_case || *form == 1, "accepted forms 2-4 on a lead");
  const size_t names = static_cast<size_t>(
      std::count(decision->disciplines.begin(), decision->disciplines.end(), ',') + 1);
  Require(!req.disciplines().empty() && names == static_cast<size_t>(req.disciplines_size()),
          "accepted disciplines do not match the request's");
  Require(decision->decided <= kToday && decision->decided.year() >= 2000 &&
              d::FormatDate(decision->decided) == req.decided_date(),
          "accepted decided_date is not a past date since 2000 as given");
  RequireText(req.reason(), d::kMaxReasonChars, true);
  Require(!req.reason().empty(), "accepted a disposition without a reason");
}

void FuzzFileCase(std::string_view bytes) {
  v1::FileCaseRequest req;
  if (!req.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  if (!d::ValidateFileCase(req).ok()) return;
  Require(d::CheckRequestId(req.request_id()).ok(), "accepted request_id fails its own check");
  Require(d::CheckObjectId("lead_id", "XS", req.lead_id()).ok(),
          "accepted lead_id fails its own check");
  RequireText(req.reason(), d::kMaxReasonChars, true);
  Require(!req.reason().empty(), "accepted a filing without a reason");
}

}  // namespace
}  // namespace jijian::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  jijian::fuzz::FuzzInput in(data, size);
  switch (in.Byte() % 7) {
    case 0:
      jijian::fuzz::FuzzRegister(in.Rest());
      break;
    case 1:
      jijian::fuzz::FuzzDecide(in.Rest());
      break;
    case 2:
      jijian::fuzz::FuzzStrings(in);
      break;
    case 3:
      jijian::fuzz::FuzzMeasures(in);
      break;
    case 4:
      jijian::fuzz::FuzzRegisterLead(in.Rest());
      break;
    case 5:
      jijian::fuzz::FuzzRecordDisposition(in.Rest());
      break;
    default:
      jijian::fuzz::FuzzFileCase(in.Rest());
      break;
  }
  return 0;
}
