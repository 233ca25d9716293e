// Validation of petition requests: every field, before anything is written. Errors are
// INVALID_ARGUMENT naming the field and the rule and never echo sensitive values. Pure.
#ifndef JIJIAN_SERVER_DOMAIN_PETITION_VALIDATE_H_
#define JIJIAN_SERVER_DOMAIN_PETITION_VALIDATE_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jijian/v1/petition.pb.h"

namespace jijian::server::domain {

// Limits of petition fields.
inline constexpr size_t kMaxSubjects = 20;
inline constexpr size_t kMaxNameChars = 50;
inline constexpr size_t kMaxUnitChars = 100;
inline constexpr size_t kMaxAddressChars = 200;
inline constexpr size_t kMaxPhoneChars = 30;
inline constexpr size_t kMaxSummaryChars = 500;
inline constexpr size_t kMaxContentChars = 100000;
inline constexpr size_t kMaxReasonChars = 2000;
inline constexpr size_t kMaxMessageChars = 20000;
inline constexpr size_t kMaxBodyChars = 100;
// Material a reporter may add to one petition through the reporter port (each at most
// kMaxMessageChars). Bounds what one receipt code can make the commission store, and keeps
// a petition with all its messages well under the 4 MiB a gRPC client accepts by default.
inline constexpr int64_t kMaxMaterialsPerPetition = 20;

// An object id's number has 6 digits, zero-padded, up to 999 999, and as many as it needs
// after that, up to 9 (the per-year counters stop at 999 999 999: storage/petitions.h).
inline constexpr size_t kMinIdDigits = 6;
inline constexpr size_t kMaxIdDigits = 9;

// "XF-2026-000001" for kind "XF", year 2026, number 1; "XF-2026-1000000" for 1 000 000.
std::string FormatObjectId(std::string_view kind, int64_t year, int64_t number);
// Checks an id of the form KIND-YYYY-NNNNNN as FormatObjectId writes it: 6 to 9 digits, and
// no leading zero in a number of more than 6, so that each object has exactly one id.
absl::Status CheckObjectId(std::string_view field, std::string_view kind, std::string_view id);

// Parses an optional date field: empty gives today; a date after today or before 2000 is
// refused naming the field.
absl::StatusOr<absl::CivilDay> DateNotInFuture(std::string_view field, std::string_view text,
                                               absl::CivilDay today);

// Checks a list of subjects (被反映人): 1-20, each with name and unit, valid ID number and rank.
absl::Status CheckSubjects(const google::protobuf::RepeatedPtrField<v1::Subject>& subjects,
                           absl::CivilDay today);

// Checks a registration request completely (see petition.proto for the fields).
absl::Status ValidateRegister(const v1::RegisterPetitionRequest& req, absl::CivilDay today);

// Checks a decision's own fields (the state rules are in petition_rules.h).
absl::Status ValidateDecide(const v1::DecidePetitionRequest& req, absl::CivilDay today);

// Checks how a message reached the reporter: letter, phone, in-person, sms, online, receipt.
absl::Status CheckMeans(std::string_view field, std::string_view means);

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_PETITION_VALIDATE_H_
