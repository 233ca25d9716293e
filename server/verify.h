// `jijian-server verify --data DIR`: checks the audit log offline, on the files alone.
// Recomputes every Merkle leaf from the event's own columns (not only the stored leaf
// blob), compares it with the stored leaf hash, recomputes every stored subtree node and
// the root of every signed tree head, and checks every head's signature. Then recounts the
// statistics from the rows and compares them with the counters the write path keeps
// (storage/stats.h). Opens the database read-only and changes nothing.
#ifndef JIJIAN_SERVER_VERIFY_H_
#define JIJIAN_SERVER_VERIFY_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace jijian::server {

struct VerifyOptions {
  std::string data_dir;
  // The audit public key, 64 hex digits (a profile's audit_public_key). When empty, the key
  // is derived from the deployment's KEK if that file is readable.
  std::string audit_key_hex;
};

// What an offline verification found.
struct VerifyReport {
  int64_t events = 0;       // event rows read
  int64_t heads = 0;        // signed heads checked
  int64_t nodes = 0;        // stored interior nodes compared
  int64_t newest_size = 0;  // size of the newest signed head
  std::string newest_root_hex;
  std::string key_source;  // where the public key came from
  // Every mismatch, in log order; the first is the first event that does not match. Each
  // names its case: MISSING, EDITED, REORDERED, TRUNCATED, LEAF, NODE, HEAD, SIGNATURE.
  std::vector<std::string> problems;
  // Every statistics counter row that differs from the count of the rows, at most 50 (then a
  // line saying more differ).
  std::vector<std::string> stats_problems;
  bool stats_checked = false;  // false for a file older than the counters (schema 11)
};

// Verifies the audit log and the statistics counters of the deployment in options.data_dir.
// An error status means the check could not run (no database, no key); a damaged log or
// counters that disagree with the rows are an OK status whose report lists problems.
absl::StatusOr<VerifyReport> VerifyAuditLog(const VerifyOptions& options);

// Runs VerifyAuditLog and prints the outcome: one summary line each for the log and the
// counters on out when both are intact (exit code 0), or every problem, first one first, on
// err (exit code 1).
int RunVerify(const VerifyOptions& options, std::ostream& out, std::ostream& err);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_VERIFY_H_
