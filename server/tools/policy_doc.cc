#include "server/tools/policy_doc.h"

#include "server/domain/policy.h"

namespace jijian::server::tools {
namespace {

struct Span {
  size_t begin;  // first byte after the begin marker's line
  size_t end;    // first byte of the end marker
};

absl::StatusOr<Span> FindBlock(std::string_view doc) {
  const size_t begin = doc.find(domain::kPolicyTableBegin);
  const size_t end = doc.find(domain::kPolicyTableEnd);
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) {
    return absl::FailedPreconditionError("the document needs the lines " +
                                         std::string(domain::kPolicyTableBegin) + " and " +
                                         std::string(domain::kPolicyTableEnd) + ", in that order");
  }
  size_t start = begin + domain::kPolicyTableBegin.size();
  if (start < doc.size() && doc[start] == '\n') ++start;
  return Span{start, end};
}

}  // namespace

absl::StatusOr<std::string> PolicyBlock(std::string_view doc) {
  absl::StatusOr<Span> span = FindBlock(doc);
  if (!span.ok()) return span.status();
  return std::string(doc.substr(span->begin, span->end - span->begin));
}

absl::StatusOr<std::string> ReplacePolicyBlock(std::string_view doc, std::string_view table) {
  absl::StatusOr<Span> span = FindBlock(doc);
  if (!span.ok()) return span.status();
  return std::string(doc.substr(0, span->begin)) + std::string(table) +
         std::string(doc.substr(span->end));
}

}  // namespace jijian::server::tools
