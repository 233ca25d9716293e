// The block of docs/security.md that carries the rendered policy table: finding it and
// replacing it. Shared by the jijian-policy-table tool and tests/docs_test.cc. Pure.
#ifndef JIJIAN_SERVER_TOOLS_POLICY_DOC_H_
#define JIJIAN_SERVER_TOOLS_POLICY_DOC_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jijian::server::tools {

// The text strictly between the policy-table markers of doc, without the newline that
// follows the begin marker. FAILED_PRECONDITION when a marker is missing or out of order.
absl::StatusOr<std::string> PolicyBlock(std::string_view doc);

// doc with the text between the markers replaced by table; same errors as PolicyBlock.
absl::StatusOr<std::string> ReplacePolicyBlock(std::string_view doc, std::string_view table);

}  // namespace jijian::server::tools

#endif  // JIJIAN_SERVER_TOOLS_POLICY_DOC_H_
