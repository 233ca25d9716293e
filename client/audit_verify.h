// The client's checks of what the audit service returns, written against docs/audit.md
// and RFC 9162 only (client/proof_verify.h), never against server or storage code: an
// auditor trusts this file, proof_verify.cc, the pinned Ed25519 key and OpenSSL.
//
// Every failure is a status whose message starts with the name of the case, so that a
// person sees at once what happened: SIGNATURE, EDITED, REORDERED, MISSING, TRUNCATED,
// ROLLED-BACK, HISTORY-REWRITTEN, PROOF.
#ifndef JIJIAN_CLIENT_AUDIT_VERIFY_H_
#define JIJIAN_CLIENT_AUDIT_VERIFY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "jijian/v1/audit.pb.h"

namespace jijian::client {

// The exact bytes a tree-head signature covers: "jijian/tree-head/v1" || u64be tree_size ||
// i64be timestamp_unix_micros || root_hash.
std::string TreeHeadSignedBytes(const v1::SignedTreeHead& head);

// Checks a head: non-negative size, a 32-byte root, and an Ed25519 signature under the
// pinned public key (raw 32 bytes). DATA_LOSS "SIGNATURE: ..." when it does not verify.
absl::Status CheckHead(const v1::SignedTreeHead& head, std::string_view public_key);

// The fields of canonical event bytes (format version 1), parsed by the client itself.
struct LeafFields {
  uint64_t seq = 0;
  int64_t ts_us = 0;
  std::string actor, role, cert_fingerprint, action, object_type, object_id, state_before,
      state_after, reason, request_id;
};

// Parses canonical event bytes; INVALID_ARGUMENT if malformed or of an unknown version.
absl::StatusOr<LeafFields> ParseLeaf(std::string_view bytes);

// Checks that an event's fields are exactly those its leaf bytes encode. REORDERED when the
// leaf carries another seq, EDITED naming the first field that differs.
absl::Status CheckEventMatchesLeaf(const v1::AuditEvent& event);

// Checks that event is leaf event.seq of the tree of head (whose signature the caller has
// checked): the proof's index and size, the leaf's fields, and the RFC 9162 path.
absl::Status CheckEventInclusion(const v1::AuditEvent& event, const v1::InclusionProof& proof,
                                 const v1::SignedTreeHead& head);

// Checks a whole timeline: the head's signature, then every entry against that one head,
// seqs strictly increasing, and every event about an object of the returned chain.
absl::Status CheckTimeline(const v1::TimelineResponse& timeline, std::string_view public_key);

// Builds RFC 6962 tree hashes left to right from leaf hashes, keeping only the complete
// subtrees of the leaves so far (at most 64 hashes), so a whole log is checked in O(log n)
// memory and the state can be saved and resumed. Not thread-safe.
class TreeBuilder {
 public:
  TreeBuilder() = default;
  // Resumes from a saved frontier: (level, hash) pairs, levels strictly decreasing, whose
  // sizes add up to size. INVALID_ARGUMENT if they do not.
  static absl::StatusOr<TreeBuilder> Resume(uint64_t size,
                                            std::vector<std::pair<int, std::string>> frontier);

  // Appends the next leaf hash.
  void Add(std::string leaf_hash);
  // The number of leaves so far.
  uint64_t size() const { return size_; }
  // MTH of the leaves so far (SHA-256("") when there are none).
  std::string Root() const;
  // The complete subtrees, for saving.
  const std::vector<std::pair<int, std::string>>& frontier() const { return frontier_; }

 private:
  uint64_t size_ = 0;
  std::vector<std::pair<int, std::string>> frontier_;
};

// Checks a run of events returned by GetEvents for the seqs first..last of a log of
// log_size events: contiguous, each matching its leaf, each leaf hash added to tree.
// MISSING names the first absent seq; TRUNCATED when every seq from one on to the end of
// the log is absent.
absl::Status CheckEventRun(const v1::GetEventsResponse& events, uint64_t first, uint64_t last,
                           uint64_t log_size, TreeBuilder& tree);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_AUDIT_VERIFY_H_
