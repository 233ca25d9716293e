// Parsing helpers shared by the command groups: enum flags, --subject, text files.
#ifndef JIJIAN_CLIENT_CLI_PARSE_H_
#define JIJIAN_CLIENT_CLI_PARSE_H_

#include <CLI/CLI.hpp>
#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "jijian/v1/petition.pb.h"

namespace jijian::client {

// "transfer-down" -> HANDLING_TRANSFER_DOWN via the proto enum's own parser; false for an
// unknown name or the zero value.
template <typename Enum>
bool ParseEnumFlag(const std::string& prefix, const std::string& text,
                   bool (*parse)(const std::string&, Enum*), Enum* out) {
  std::string name = absl::AsciiStrToUpper(text);
  std::replace(name.begin(), name.end(), '-', '_');
  return parse(prefix + name, out) && static_cast<int>(*out) != 0;
}

// HANDLING_TRANSFER_DOWN -> "transfer-down".
std::string EnumFlag(const std::string& prefix, const std::string& name);

// INVALID_ARGUMENT "FLAG: must be one of ALLOWED".
absl::Status BadFlag(const std::string& flag, const std::string& allowed);

// Parses --subject 'name=N,id=ID,unit=U,position=P,rank=R,party=yes|no,top-leader=yes|no,
// committee=yes|no,commission-head=yes|no' (name and unit required).
absl::StatusOr<v1::Subject> ParseSubject(const std::string& text);

// Reads a whole text file named by flag.
absl::StatusOr<std::string> ReadTextFile(const std::string& flag, const std::string& path);

// What describes a petition on the command line, shared by `jijian petition register` and
// `jijian reporter submit` so both spell the same flags the same way.
struct PetitionFlags {
  bool anonymous = false;
  std::string reporter_name, reporter_id, reporter_phone, reporter_address;
  std::vector<std::string> subjects;
  std::string disciplines, summary, content, content_file;
  CLI::Option* content_option = nullptr;
  CLI::Option* content_file_option = nullptr;
};

// Adds --anonymous, --reporter-*, --subject, --discipline, --summary, --content and
// --content-file to cmd, bound to flags (which must outlive parsing).
void AddPetitionFlags(CLI::App* cmd, PetitionFlags* flags);

// Fills reporter, subjects, disciplines, summary and content of req from flags; the first
// bad flag gives INVALID_ARGUMENT naming it.
absl::Status FillPetition(const PetitionFlags& flags, v1::RegisterPetitionRequest* req);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_CLI_PARSE_H_
