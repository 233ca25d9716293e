// Chinese resident identity card numbers (公民身份号码, GB 11643-1999): 6-digit address
// code, 8-digit birth date YYYYMMDD, 3-digit sequence code and an ISO 7064 MOD 11-2 check
// character. ID numbers are sensitive: error messages name the field and the rule and never
// echo the value.
#ifndef JIJIAN_SERVER_DOMAIN_ID_NUMBER_H_
#define JIJIAN_SERVER_DOMAIN_ID_NUMBER_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"

namespace jijian::server::domain {

// Returns value with a lower-case check character 'x' upper-cased to 'X'; every other
// character is unchanged. Store and compare ID numbers in this form.
std::string NormalizeIdNumber(std::string_view value);

// Checks an 18-character resident ID number: 17 digits then a digit or 'X' (or 'x'), a birth
// date that is a real calendar date from 1900-01-01 to today, and a check character that
// matches ISO 7064 MOD 11-2. The address code is not checked against the list of regions.
// Returns INVALID_ARGUMENT naming field and the rule broken; the value is never echoed.
absl::Status CheckIdNumber(std::string_view field, std::string_view value, absl::CivilDay today);

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_ID_NUMBER_H_
