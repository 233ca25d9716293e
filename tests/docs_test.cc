// docs/security.md carries the authorization matrix rendered from the code's own table:
// this test fails when the document and PolicyTable() differ, and prints the text to paste
// (or run `jijian-policy-table --update docs/security.md` from the source folder).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "server/domain/policy.h"
#include "server/tools/policy_doc.h"

namespace jijian::testing {
namespace {

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(JIJIAN_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(DocsTest, SecurityMdShowsThePolicyTableOfTheCode) {
  const std::string doc = ReadSourceFile("docs/security.md");
  ASSERT_FALSE(doc.empty()) << "docs/security.md not found under " << JIJIAN_SOURCE_DIR;
  absl::StatusOr<std::string> block = server::tools::PolicyBlock(doc);
  ASSERT_TRUE(block.ok()) << block.status().message();
  const std::string expected = server::domain::PolicyTableMarkdown();
  EXPECT_EQ(*block, expected)
      << "docs/security.md's authorization matrix differs from PolicyTable(). Run\n"
      << "  jijian-policy-table --update docs/security.md\n"
      << "from the source folder, or paste this between the markers:\n"
      << expected;
}

// The rendering itself: a header, a rule, one line per row, and exactly as many marks as
// the table grants (so a role dropped from a row shows up in the document).
TEST(DocsTest, RenderingHasOneLinePerRowAndOneMarkPerGrant) {
  const std::string table = server::domain::PolicyTableMarkdown();
  const auto& rows = server::domain::PolicyTable();
  EXPECT_EQ(static_cast<size_t>(std::count(table.begin(), table.end(), '\n')), rows.size() + 2);
  size_t grants = 0;
  for (const auto& row : rows) grants += row.roles.size();
  size_t marks = 0;
  for (size_t at = table.find("✓"); at != std::string::npos; at = table.find("✓", at + 1)) {
    ++marks;
  }
  EXPECT_EQ(marks, grants);
  EXPECT_NE(table.find("| `AdminService/AddUser` |  |  |  |  |  |  | ✓ |\n"), std::string::npos)
      << table;
  for (server::domain::Role role : server::domain::AllRoles()) {
    EXPECT_NE(table.find(" " + std::string(server::domain::RoleName(role)) + " |"),
              std::string::npos);
  }
}

TEST(DocsTest, ReplacingTheBlockKeepsTheRestOfTheDocument) {
  const std::string doc =
      "intro\n<!-- policy-table:begin -->\nold\n<!-- policy-table:end -->\nend\n";
  absl::StatusOr<std::string> updated = server::tools::ReplacePolicyBlock(doc, "new\n");
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(*updated, "intro\n<!-- policy-table:begin -->\nnew\n<!-- policy-table:end -->\nend\n");
  EXPECT_EQ(*server::tools::PolicyBlock(*updated), "new\n");
  EXPECT_EQ(server::tools::PolicyBlock("no markers").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace jijian::testing
