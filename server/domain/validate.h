// Input rules shared by every handler: text fields are valid UTF-8, bounded in length,
// free of control characters; identifiers follow a fixed pattern. Errors name the field
// and the rule, never echo sensitive values.
#ifndef JIJIAN_SERVER_DOMAIN_VALIDATE_H_
#define JIJIAN_SERVER_DOMAIN_VALIDATE_H_

#include <cstddef>
#include <string_view>

#include "absl/status/status.h"

namespace jijian::server::domain {

// True when s is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points of valid UTF-8 s.
size_t Utf8Length(std::string_view s);

// Checks a free-text field: valid UTF-8, no control characters other than newline and tab
// when multiline, at most max_chars code points, non-empty when required.
absl::Status CheckText(std::string_view field, std::string_view value, size_t max_chars,
                       bool required, bool multiline = false);

// Checks a user id: 2-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit.
absl::Status CheckUserId(std::string_view field, std::string_view value);

// Checks a client request id: required, 1-128 characters of A-Z a-z 0-9 - _ . :
absl::Status CheckRequestId(std::string_view value);

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_VALIDATE_H_
