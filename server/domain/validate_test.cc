#include "server/domain/validate.h"

#include "gtest/gtest.h"

namespace jijian::server::domain {
namespace {

TEST(ValidateTest, Utf8) {
  EXPECT_TRUE(IsValidUtf8("纪检 abc"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE7\xBA"));          // truncated
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_EQ(Utf8Length("纪检ab"), 4u);
}

TEST(ValidateTest, TextNamesFieldAndRule) {
  EXPECT_TRUE(CheckText("display_name", "张三", 2, true).ok());
  absl::Status too_long = CheckText("display_name", "张三丰", 2, true);
  EXPECT_EQ(too_long.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(too_long.message(), "display_name: at most 2 characters");
  EXPECT_EQ(CheckText("display_name", "", 10, true).message(), "display_name: required");
  EXPECT_TRUE(CheckText("department", "", 10, false).ok());
  EXPECT_EQ(CheckText("x", "a\x01", 10, true).message(), "x: must not contain control characters");
  EXPECT_FALSE(CheckText("x", "a\nb", 10, true).ok());
  EXPECT_FALSE(CheckText("x", "a\u0085b", 10, true).ok());  // C1 control (NEL)
  EXPECT_TRUE(CheckText("x", "a\nb", 10, true, /*multiline=*/true).ok());
  EXPECT_EQ(CheckText("x", "\xFF", 10, true).message(), "x: must be valid UTF-8");
}

TEST(ValidateTest, UserIdAndRequestId) {
  EXPECT_TRUE(CheckUserId("user_id", "li.si-2").ok());
  EXPECT_FALSE(CheckUserId("user_id", "Li").ok());
  EXPECT_FALSE(CheckUserId("user_id", "-ab").ok());
  EXPECT_FALSE(CheckUserId("user_id", "a").ok());
  EXPECT_FALSE(CheckUserId("user_id", "a b").ok());
  EXPECT_NE(CheckUserId("user_id", "A").message().find("user_id"), std::string::npos);
  EXPECT_TRUE(CheckRequestId("0f3a-11").ok());
  EXPECT_FALSE(CheckRequestId("").ok());
  EXPECT_FALSE(CheckRequestId("a b").ok());
  EXPECT_FALSE(CheckRequestId(std::string(129, 'a')).ok());
}

}  // namespace
}  // namespace jijian::server::domain
