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

void AddPetitionFlags(CLI::App* cmd, PetitionFlags* f) {
  cmd->add_flag("--anonymous", f->anonymous, "anonymous reporter (匿名)");
  cmd->add_option("--reporter-name", f->reporter_name, "real-name reporter's name");
  cmd->add_option("--reporter-id", f->reporter_id, "reporter's ID number");
  cmd->add_option("--reporter-phone", f->reporter_phone, "reporter's phone");
  cmd->add_option("--reporter-address", f->reporter_address, "reporter's address");
  cmd->add_option("--subject", f->subjects,
                  "name=N,id=ID,unit=U,position=P,rank=R,party=yes|no,top-leader=yes|no,"
                  "committee=yes|no[,commission-head=yes|no] (repeatable; name, unit required)")
      ->required();
  cmd->add_option("--discipline", f->disciplines,
                  "political|organizational|integrity|mass|work|life[,...]");
  cmd->add_option("--summary", f->summary, "one-line summary")->required();
  f->content_option = cmd->add_option("--content", f->content, "full content");
  f->content_file_option =
      cmd->add_option("--content-file", f->content_file, "read content from FILE");
  f->content_option->excludes(f->content_file_option);
}

absl::Status FillPetition(const PetitionFlags& a, v1::RegisterPetitionRequest* req) {
  if (a.content_option != nullptr && a.content_option->count() == 0 &&
      a.content_file_option->count() == 0) {
    return absl::InvalidArgumentError("--content or --content-file is required");
  }
  req->set_anonymous(a.anonymous);
  if (a.anonymous && (!a.reporter_name.empty() || !a.reporter_id.empty() ||
                      !a.reporter_phone.empty() || !a.reporter_address.empty())) {
    return absl::InvalidArgumentError("--anonymous: cannot be combined with --reporter-*");
  }
  if (!a.anonymous && (a.reporter_name.empty() || a.reporter_id.empty())) {
    return absl::InvalidArgumentError(
        "--reporter-name and --reporter-id are required unless --anonymous");
  }
  if (!a.anonymous) {
    req->mutable_reporter()->set_name(a.reporter_name);
    req->mutable_reporter()->set_id_number(a.reporter_id);
    req->mutable_reporter()->set_phone(a.reporter_phone);
    req->mutable_reporter()->set_address(a.reporter_address);
  }
  for (const std::string& text : a.subjects) {
    absl::StatusOr<v1::Subject> s = ParseSubject(text);
    if (!s.ok()) return s.status();
    *req->add_subjects() = *std::move(s);
  }
  for (absl::string_view d : absl::StrSplit(a.disciplines, ',', absl::SkipWhitespace())) {
    v1::Discipline discipline;
    if (!ParseEnumFlag("DISCIPLINE_", std::string(absl::StripAsciiWhitespace(d)),
                       v1::Discipline_Parse, &discipline)) {
      return BadFlag("--discipline", "political, organizational, integrity, mass, work, life");
    }
    req->add_disciplines(discipline);
  }
  req->set_summary(a.summary);
  if (!a.content_file.empty()) {
    absl::StatusOr<std::string> text = ReadTextFile("--content-file", a.content_file);
    if (!text.ok()) return text.status();
    req->set_content(*text);
  } else {
    req->set_content(a.content);
  }
  return absl::OkStatus();
}

}  // namespace jijian::client
