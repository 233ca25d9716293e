#include "server/domain/id_number.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::server::domain {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const absl::CivilDay kToday(2026, 3, 1);

// The ISO 7064 MOD 11-2 check character of 17 digits, derived from the standard rather than
// from the table in id_number.cc: weight of position i (0-based) is 2^(17-i) mod 11, and the
// check value c makes sum + c == 1 (mod 11); c == 10 is written 'X'.
char CheckChar(const std::string& body) {
  int sum = 0;
  int weight = 1;  // 2^0, the weight of the check character itself.
  for (int i = 16; i >= 0; --i) {
    weight = weight * 2 % 11;
    sum += (body[i] - '0') * weight;
  }
  int c = (12 - sum % 11) % 11;
  return c == 10 ? 'X' : static_cast<char>('0' + c);
}

// An ID number with address code 110105, birth date yyyymmdd, sequence 002 and a correct
// check character.
std::string WithBirthDate(const std::string& yyyymmdd) {
  std::string body = "110105" + yyyymmdd + "002";
  return body + CheckChar(body);
}

absl::Status Check(const std::string& value) {
  return CheckIdNumber("reporter_id_number", value, kToday);
}

TEST(IdNumberTest, WellKnownSampleIsValid) {
  // 11010519491231002X: Beijing Chaoyang, born 1949-12-31, sequence 002 (female).
  // Sum of digit * weight (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2):
  // 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167,
  // 167 mod 11 = 2, and "10X98765432"[2] = 'X'.
  EXPECT_EQ(CheckChar("11010519491231002"), 'X');
  EXPECT_TRUE(Check("11010519491231002X").ok()) << Check("11010519491231002X");
  EXPECT_TRUE(Check("11010519491231002x").ok());
  EXPECT_EQ(NormalizeIdNumber("11010519491231002x"), "11010519491231002X");
  EXPECT_EQ(NormalizeIdNumber("11010519491231002X"), "11010519491231002X");
}

TEST(IdNumberTest, ComputedCheckDigitsAreAccepted) {
  for (const char* date : {"19000101", "19800229", "20000229", "20260301", "19991231"}) {
    std::string id = WithBirthDate(date);
    EXPECT_TRUE(Check(id).ok()) << date << ": " << Check(id);
  }
}

TEST(IdNumberTest, WrongCheckDigitRejected) {
  std::string valid = WithBirthDate("19850615");
  ASSERT_TRUE(Check(valid).ok());
  for (char c : std::string("0123456789X")) {
    if (c == valid.back()) continue;
    std::string id = valid.substr(0, 17) + c;
    EXPECT_EQ(Check(id).message(),
              "reporter_id_number: check digit does not match (ISO 7064 MOD 11-2)")
        << id;
  }
  // A single-digit typo in the body is caught.
  std::string typo = valid;
  typo[15] = typo[15] == '9' ? '0' : typo[15] + 1;
  EXPECT_EQ(Check(typo).code(), absl::StatusCode::kInvalidArgument);
}

TEST(IdNumberTest, WrongShapeRejected) {
  const std::string kShape =
      "reporter_id_number: must be 18 characters (17 digits and a check digit 0-9 or X)";
  std::string valid = WithBirthDate("19850615");
  EXPECT_EQ(Check("").message(), kShape);
  EXPECT_EQ(Check(valid.substr(0, 17)).message(), kShape);
  EXPECT_EQ(Check(valid + "1").message(), kShape);
  EXPECT_EQ(Check("110105198506150X2" + std::string(1, valid.back())).message(), kShape);
  EXPECT_EQ(Check("11010519850615002Y").message(), kShape);
  EXPECT_EQ(Check("1101051985O6150021").message(), kShape);  // letter O for zero
  EXPECT_EQ(Check("11010519850615 021").message(), kShape);
  // The old 15-digit numbers are not accepted.
  EXPECT_EQ(Check("110105850615002").message(), kShape);
}

TEST(IdNumberTest, BirthDateRules) {
  EXPECT_EQ(Check(WithBirthDate("19850230")).message(),
            "reporter_id_number: birth date is not a valid date");
  EXPECT_EQ(Check(WithBirthDate("19851301")).message(),
            "reporter_id_number: birth date is not a valid date");
  EXPECT_EQ(Check(WithBirthDate("19850100")).message(),
            "reporter_id_number: birth date is not a valid date");
  EXPECT_EQ(Check(WithBirthDate("19000229")).message(),
            "reporter_id_number: birth date is not a valid date");
  EXPECT_EQ(Check(WithBirthDate("18991231")).message(),
            "reporter_id_number: birth date must not be before 1900-01-01");
  EXPECT_EQ(Check(WithBirthDate("20260302")).message(),
            "reporter_id_number: birth date must not be in the future");
  EXPECT_TRUE(Check(WithBirthDate("20260301")).ok());  // Born today.
  EXPECT_TRUE(CheckIdNumber("f", WithBirthDate("20260302"), absl::CivilDay(2026, 3, 2)).ok());
}

TEST(IdNumberTest, MessagesNeverEchoTheValue) {
  std::string valid = WithBirthDate("19850615");
  std::string wrong_check = valid.substr(0, 17) + (valid.back() == '0' ? '1' : '0');
  for (const std::string& id : {wrong_check, WithBirthDate("19850230"), WithBirthDate("20300101"),
                                WithBirthDate("18500101"), valid.substr(0, 17), valid + "9",
                                std::string("11010519850615002Y")}) {
    absl::Status status = Check(id);
    ASSERT_FALSE(status.ok()) << id;
    std::string message(status.message());
    EXPECT_THAT(message, Not(HasSubstr(id.substr(0, 6))));   // address code
    EXPECT_THAT(message, Not(HasSubstr(id.substr(6, 8))));   // birth date
    EXPECT_THAT(message, Not(HasSubstr(id.substr(10, 8))));  // tail
    EXPECT_THAT(message, HasSubstr("reporter_id_number: "));
  }
}

}  // namespace
}  // namespace jijian::server::domain
