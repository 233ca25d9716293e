#include "server/domain/id_number.h"

#include <array>
#include <string>

#include "absl/strings/str_cat.h"

namespace jijian::server::domain {
namespace {

constexpr size_t kIdLength = 18;
constexpr size_t kBodyLength = 17;  // Digits covered by the check character.
constexpr size_t kBirthOffset = 6;  // Birth date YYYYMMDD occupies characters 7-14.
constexpr int kCheckModulus = 11;
// ISO 7064 MOD 11-2 weights 2^(17-i) mod 11 for i = 0..16, and the check character for each
// weighted sum modulo 11.
constexpr std::array<int, kBodyLength> kWeights = {7, 9, 10, 5,  8, 4, 2, 1, 6,
                                                   3, 7, 9,  10, 5, 8, 4, 2};
constexpr std::string_view kCheckChars = "10X98765432";
constexpr absl::civil_year_t kEarliestBirthYear = 1900;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int DigitsValue(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

absl::Status Invalid(std::string_view field, std::string_view rule) {
  return absl::InvalidArgumentError(absl::StrCat(std::string(field), ": ", std::string(rule)));
}

}  // namespace

std::string NormalizeIdNumber(std::string_view value) {
  std::string out(value);
  if (!out.empty() && out.back() == 'x') out.back() = 'X';
  return out;
}

absl::Status CheckIdNumber(std::string_view field, std::string_view value, absl::CivilDay today) {
  bool well_formed = value.size() == kIdLength;
  for (size_t i = 0; well_formed && i < kBodyLength; ++i) well_formed = IsDigit(value[i]);
  if (well_formed) {
    char last = value[kBodyLength];
    well_formed = IsDigit(last) || last == 'X' || last == 'x';
  }
  if (!well_formed) {
    return Invalid(field, "must be 18 characters (17 digits and a check digit 0-9 or X)");
  }

  std::string_view birth = value.substr(kBirthOffset, 8);
  int year = DigitsValue(birth.substr(0, 4));
  int month = DigitsValue(birth.substr(4, 2));
  int day = DigitsValue(birth.substr(6, 2));
  absl::CivilDay born(year, month, day);
  if (born.year() != year || born.month() != month || born.day() != day) {
    return Invalid(field, "birth date is not a valid date");
  }
  if (born.year() < kEarliestBirthYear) {
    return Invalid(field, "birth date must not be before 1900-01-01");
  }
  if (born > today) {
    return Invalid(field, "birth date must not be in the future");
  }

  int sum = 0;
  for (size_t i = 0; i < kBodyLength; ++i) sum += (value[i] - '0') * kWeights[i];
  char expected = kCheckChars[sum % kCheckModulus];
  char actual = value[kBodyLength] == 'x' ? 'X' : value[kBodyLength];
  if (actual != expected) {
    return Invalid(field, "check digit does not match (ISO 7064 MOD 11-2)");
  }
  return absl::OkStatus();
}

}  // namespace jijian::server::domain
