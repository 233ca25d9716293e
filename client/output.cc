#include "client/output.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>

namespace jijian::client {

size_t DisplayWidth(const std::string& s) {
  size_t width = 0;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    char32_t cp = len == 1 ? c : c & (0x7F >> len);
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
    // Hangul Jamo, CJK, Hangul syllables, compatibility ideographs, full-width forms.
    bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0x20000 && cp <= 0x3FFFD);
    width += wide ? 2 : 1;
    i += len;
  }
  return width;
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(row[c]));
    }
  };
  measure(header);
  for (const auto& row : rows) measure(row);
  auto print = [&](const std::vector<std::string>& row) {
    for (size_t c = 0; c < row.size(); ++c) {
      out << row[c];
      if (c + 1 < row.size()) out << std::string(widths[c] - DisplayWidth(row[c]) + 2, ' ');
    }
    out << "\n";
  };
  print(header);
  for (const auto& row : rows) print(row);
}

void PrintDeadlines(std::ostream& out, const google::protobuf::RepeatedPtrField<v1::Deadline>& ds) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Deadline& d : ds) {
    std::string status =
        d.met_date().empty()
            ? (d.working_days_late() > 0
                   ? "OVERDUE by " + std::to_string(d.working_days_late()) + " working days"
                   : "open")
            : "met " + d.met_date() + (d.met_date() > d.due_date() ? " (late)" : "");
    rows.push_back({d.name(), d.due_date() + (d.provisional() ? " (provisional)" : ""), status});
  }
  if (!rows.empty()) PrintTable(out, {"DEADLINE", "DUE", "STATUS"}, rows);
}

void PrintJson(std::ostream& out, const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  out << json;
  if (json.empty() || json.back() != '\n') out << "\n";
}

}  // namespace jijian::client
