#include "client/cli_parse.h"

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_split.h"

namespace jijian::client {

std::string EnumFlag(const std::string& prefix, const std::string& name) {
  std::string out = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : name;
  std::replace(out.begin(), out.end(), '_', '-');
  return absl::AsciiStrToLower(out);
}

absl::Status BadFlag(const std::string& flag, const std::string& allowed) {
  return absl::InvalidArgumentError(flag + ": must be one of " + allowed);
}

absl::StatusOr<v1::Subject> ParseSubject(const std::string& text) {
  v1::Subject s;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::vector<std::string> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    if (kv.size() != 2)
      return absl::InvalidArgumentError("--subject: expected key=value, got a bare word");
    std::string key(absl::StripAsciiWhitespace(kv[0]));
    std::string value(absl::StripAsciiWhitespace(kv[1]));
    auto yes_no = [&](bool* out) -> absl::Status {
      if (value == "yes")
        *out = true;
      else if (value == "no")
        *out = false;
      else
        return absl::InvalidArgumentError("--subject: " + key + " must be yes or no");
      return absl::OkStatus();
    };
    bool flag = false;
    absl::Status st;
    if (key == "name")
      s.set_name(value);
    else if (key == "id")
      s.set_id_number(value);
    else if (key == "unit")
      s.set_unit(value);
    else if (key == "position")
      s.set_position(value);
    else if (key == "rank")
      s.set_rank(value);
    else if (key == "party") {
      st = yes_no(&flag);
      s.set_party_member(flag);
    } else if (key == "top-leader") {
      st = yes_no(&flag);
      s.set_top_leader(flag);
    } else if (key == "committee") {
      st = yes_no(&flag);
      s.set_committee_member(flag);
    } else if (key == "commission-head") {
      st = yes_no(&flag);
      s.set_commission_head(flag);
    } else {
      return absl::InvalidArgumentError(
          "--subject: unknown key " + key +
          "; keys: name, id, unit, position, rank, party, top-leader, committee, commission-head");
    }
    if (!st.ok()) return st;
  }
  if (s.name().empty() || s.unit().empty()) {
    return absl::InvalidArgumentError("--subject: name and unit are required");
  }
  return s;
}

absl::StatusOr<std::string> ReadTextFile(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(flag + ": cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace jijian::client
