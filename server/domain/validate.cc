#include "server/domain/validate.h"

#include <string>

namespace jijian::server::domain {
namespace {

// Decodes one code point at s[i]; returns its length or 0 when malformed.
size_t DecodeOne(std::string_view s, size_t i, char32_t& cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t len;
  char32_t min;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

std::string Field(std::string_view field) { return std::string(field); }

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    size_t n = DecodeOne(s, i, cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t count = 0;
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    size_t n = DecodeOne(s, i, cp);
    i += n == 0 ? 1 : n;
    ++count;
  }
  return count;
}

absl::Status CheckText(std::string_view field, std::string_view value, size_t max_chars,
                       bool required, bool multiline) {
  if (value.empty()) {
    return required ? absl::InvalidArgumentError(Field(field) + ": required") : absl::OkStatus();
  }
  for (size_t i = 0; i < value.size();) {
    char32_t cp;
    size_t n = DecodeOne(value, i, cp);
    if (n == 0) return absl::InvalidArgumentError(Field(field) + ": must be valid UTF-8");
    bool allowed_control = multiline && (cp == '\n' || cp == '\t' || cp == '\r');
    if ((cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) && !allowed_control) {
      return absl::InvalidArgumentError(Field(field) + ": must not contain control characters");
    }
    i += n;
  }
  if (Utf8Length(value) > max_chars) {
    return absl::InvalidArgumentError(Field(field) + ": at most " + std::to_string(max_chars) +
                                      " characters");
  }
  return absl::OkStatus();
}

absl::Status CheckUserId(std::string_view field, std::string_view value) {
  const std::string rule = Field(field) +
                           ": must be 2-64 characters of a-z, 0-9, '.', '_' or '-', starting "
                           "with a letter or digit";
  if (value.size() < 2 || value.size() > 64) return absl::InvalidArgumentError(rule);
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
      return absl::InvalidArgumentError(rule);
    }
  }
  return absl::OkStatus();
}

absl::Status CheckRequestId(std::string_view value) {
  if (value.empty() || value.size() > 128) {
    return absl::InvalidArgumentError("request_id: required, 1-128 characters");
  }
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) {
      return absl::InvalidArgumentError("request_id: only letters, digits and - _ . : are allowed");
    }
  }
  return absl::OkStatus();
}

}  // namespace jijian::server::domain
