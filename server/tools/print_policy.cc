// jijian-policy-table: prints the authorization matrix rendered from PolicyTable(), or with
// --update FILE rewrites the block between the policy-table markers of FILE (normally
// docs/security.md) so that the document matches the code.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "server/domain/policy.h"
#include "server/tools/policy_doc.h"

int main(int argc, char** argv) {
  const std::string table = jijian::server::domain::PolicyTableMarkdown();
  if (argc == 1) {
    std::cout << table;
    return 0;
  }
  if (argc != 3 || std::string(argv[1]) != "--update") {
    std::cerr << "usage: jijian-policy-table [--update docs/security.md]\n";
    return 2;
  }
  const std::string path = argv[2];
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::cerr << "cannot read " << path << "\n";
    return 1;
  }
  std::stringstream doc;
  doc << in.rdbuf();
  in.close();
  absl::StatusOr<std::string> updated = jijian::server::tools::ReplacePolicyBlock(doc.str(), table);
  if (!updated.ok()) {
    std::cerr << path << ": " << updated.status().message() << "\n";
    return 1;
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << *updated;
  if (!out.flush()) {
    std::cerr << "cannot write " << path << "\n";
    return 1;
  }
  return 0;
}
