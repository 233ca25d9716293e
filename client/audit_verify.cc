#include "client/audit_verify.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <set>

#include "absl/strings/str_cat.h"
#include "client/proof_verify.h"

namespace jijian::client {
namespace {

constexpr size_t kHashBytes = 32;
constexpr char kHeadDomain[] = "jijian/tree-head/v1";
constexpr uint8_t kLeafFormatV1 = 1;

void PutU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

// Big-endian integers and u32-length-prefixed strings, failing on truncation.
class LeafReader {
 public:
  explicit LeafReader(std::string_view in) : in_(in) {}
  bool Byte(uint8_t& b) {
    if (in_.empty()) return false;
    b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool U64(uint64_t& v) {
    if (in_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return true;
  }
  bool Text(std::string& s) {
    if (in_.size() < 4) return false;
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    if (in_.size() < n) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

std::string EmptyRoot() {
  // SHA-256 of the empty string.
  static const unsigned char kEmpty[] = {0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
                                         0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
                                         0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
                                         0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55};
  return std::string(reinterpret_cast<const char*>(kEmpty), sizeof kEmpty);
}

// SHA-256(0x01 || left || right): the RFC 6962 interior node.
std::string NodeHash(std::string_view left, std::string_view right) {
  std::string out(kHashBytes, '\0');
  const unsigned char prefix = 0x01;
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, &prefix, 1) == 1 &&
            EVP_DigestUpdate(ctx, left.data(), left.size()) == 1 &&
            EVP_DigestUpdate(ctx, right.data(), right.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || len != kHashBytes) std::abort();
  return out;
}

}  // namespace

std::string TreeHeadSignedBytes(const v1::SignedTreeHead& head) {
  std::string out = kHeadDomain;
  PutU64(out, static_cast<uint64_t>(head.tree_size()));
  PutU64(out, static_cast<uint64_t>(head.timestamp_unix_micros()));
  out.append(head.root_hash());
  return out;
}

absl::Status CheckHead(const v1::SignedTreeHead& head, std::string_view public_key) {
  if (head.tree_size() < 0) {
    return absl::DataLossError(
        absl::StrCat("SIGNATURE: tree head has negative size ", head.tree_size()));
  }
  if (head.root_hash().size() != kHashBytes) {
    return absl::DataLossError(
        absl::StrCat("SIGNATURE: tree head root is ", head.root_hash().size(), " bytes, not 32"));
  }
  absl::Status st = CheckEd25519(public_key, TreeHeadSignedBytes(head), head.signature());
  if (!st.ok()) {
    return absl::DataLossError(
        absl::StrCat("SIGNATURE: the tree head of size ", head.tree_size(),
                     " is not signed by the pinned audit key: ", st.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<LeafFields> ParseLeaf(std::string_view bytes) {
  LeafReader r(bytes);
  uint8_t version = 0;
  if (!r.Byte(version) || version != kLeafFormatV1) {
    return absl::InvalidArgumentError("leaf bytes: unknown format version");
  }
  LeafFields f;
  uint64_t ts = 0;
  bool ok = r.U64(f.seq) && r.U64(ts);
  for (std::string* s : {&f.actor, &f.role, &f.cert_fingerprint, &f.action, &f.object_type,
                         &f.object_id, &f.state_before, &f.state_after, &f.reason, &f.request_id}) {
    ok = ok && r.Text(*s);
  }
  if (!ok || !r.done()) return absl::InvalidArgumentError("leaf bytes: malformed");
  f.ts_us = static_cast<int64_t>(ts);
  return f;
}

absl::Status CheckEventMatchesLeaf(const v1::AuditEvent& e) {
  absl::StatusOr<LeafFields> leaf = ParseLeaf(e.leaf());
  if (!leaf.ok()) {
    return absl::DataLossError(
        absl::StrCat("EDITED: event ", e.seq(), ": ", leaf.status().message()));
  }
  if (leaf->seq != static_cast<uint64_t>(e.seq())) {
    return absl::DataLossError(
        absl::StrCat("REORDERED: event ", e.seq(), " carries the leaf of event ", leaf->seq));
  }
  if (leaf->ts_us != e.timestamp_unix_micros()) {
    return absl::DataLossError(absl::StrCat("EDITED: event ", e.seq(), ": timestamp is ",
                                            e.timestamp_unix_micros(), ", the leaf has ",
                                            leaf->ts_us));
  }
  const std::pair<const char*, std::pair<const std::string*, const std::string*>> fields[] = {
      {"actor", {&e.actor(), &leaf->actor}},
      {"role", {&e.role(), &leaf->role}},
      {"cert_fingerprint_sha256", {&e.cert_fingerprint_sha256(), &leaf->cert_fingerprint}},
      {"action", {&e.action(), &leaf->action}},
      {"object_type", {&e.object_type(), &leaf->object_type}},
      {"object_id", {&e.object_id(), &leaf->object_id}},
      {"state_before", {&e.state_before(), &leaf->state_before}},
      {"state_after", {&e.state_after(), &leaf->state_after}},
      {"reason", {&e.reason(), &leaf->reason}},
      {"request_id", {&e.request_id(), &leaf->request_id}},
  };
  for (const auto& [name, values] : fields) {
    if (*values.first != *values.second) {
      return absl::DataLossError(absl::StrCat("EDITED: event ", e.seq(), ": ", name, " is \"",
                                              *values.first, "\", the leaf has \"", *values.second,
                                              "\""));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEventInclusion(const v1::AuditEvent& e, const v1::InclusionProof& proof,
                                 const v1::SignedTreeHead& head) {
  if (absl::Status st = CheckEventMatchesLeaf(e); !st.ok()) return st;
  if (proof.leaf_index() != e.seq()) {
    return absl::DataLossError(
        absl::StrCat("PROOF: the proof for event ", e.seq(), " is for leaf ", proof.leaf_index()));
  }
  if (proof.tree_size() != head.tree_size()) {
    return absl::DataLossError(absl::StrCat("PROOF: the proof for event ", e.seq(),
                                            " is against size ", proof.tree_size(),
                                            ", the head has size ", head.tree_size()));
  }
  if (e.seq() < 0) return absl::DataLossError("PROOF: negative seq");
  std::vector<std::string> hashes(proof.hashes().begin(), proof.hashes().end());
  absl::Status st =
      CheckInclusion(static_cast<uint64_t>(e.seq()), static_cast<uint64_t>(head.tree_size()),
                     AuditLeafHash(e.leaf()), hashes, head.root_hash());
  if (!st.ok()) {
    return absl::DataLossError(absl::StrCat(
        "PROOF: event ", e.seq(), " is not in the signed tree of size ", head.tree_size(), " (",
        st.message(), "): its bytes or the tree were altered"));
  }
  return absl::OkStatus();
}

absl::Status CheckTimeline(const v1::TimelineResponse& t, std::string_view public_key) {
  if (absl::Status st = CheckHead(t.head(), public_key); !st.ok()) return st;
  const std::set<std::string> objects(t.object_ids().begin(), t.object_ids().end());
  int64_t previous = -1;
  for (const v1::TimelineEntry& entry : t.entries()) {
    const v1::AuditEvent& e = entry.event();
    if (e.seq() <= previous) {
      return absl::DataLossError(
          absl::StrCat("REORDERED: timeline event ", e.seq(), " comes after event ", previous));
    }
    previous = e.seq();
    if (absl::Status st = CheckEventInclusion(e, entry.proof(), t.head()); !st.ok()) return st;
    if (!objects.contains(e.object_id())) {
      return absl::DataLossError(absl::StrCat("EDITED: timeline event ", e.seq(), " is about ",
                                              e.object_id(),
                                              ", which is not in the timeline's chain"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<TreeBuilder> TreeBuilder::Resume(uint64_t size,
                                                std::vector<std::pair<int, std::string>> frontier) {
  uint64_t covered = 0;
  for (size_t i = 0; i < frontier.size(); ++i) {
    const int level = frontier[i].first;
    if (level < 0 || level > 62 || frontier[i].second.size() != kHashBytes ||
        (i > 0 && level >= frontier[i - 1].first)) {
      return absl::InvalidArgumentError("saved tree frontier is malformed");
    }
    covered += uint64_t{1} << level;
  }
  if (covered != size) {
    return absl::InvalidArgumentError(
        absl::StrCat("saved tree frontier covers ", covered, " leaves, not ", size));
  }
  TreeBuilder b;
  b.size_ = size;
  b.frontier_ = std::move(frontier);
  return b;
}

void TreeBuilder::Add(std::string leaf_hash) {
  ++size_;
  frontier_.emplace_back(0, std::move(leaf_hash));
  while (frontier_.size() >= 2 && frontier_[frontier_.size() - 2].first == frontier_.back().first) {
    std::string right = std::move(frontier_.back().second);
    frontier_.pop_back();
    frontier_.back().second = NodeHash(frontier_.back().second, right);
    ++frontier_.back().first;
  }
}

std::string TreeBuilder::Root() const {
  if (frontier_.empty()) return EmptyRoot();
  std::string root = frontier_.back().second;
  for (size_t i = frontier_.size() - 1; i-- > 0;) root = NodeHash(frontier_[i].second, root);
  return root;
}

absl::Status CheckEventRun(const v1::GetEventsResponse& events, uint64_t first, uint64_t last,
                           uint64_t log_size, TreeBuilder& tree) {
  uint64_t expected = first;
  for (const v1::AuditEvent& e : events.events()) {
    if (e.seq() < 0 || static_cast<uint64_t>(e.seq()) < expected ||
        static_cast<uint64_t>(e.seq()) > last) {
      return absl::DataLossError(absl::StrCat("REORDERED: the server returned event ", e.seq(),
                                              " where event ", expected, " belongs"));
    }
    if (static_cast<uint64_t>(e.seq()) > expected) {
      return absl::DataLossError(absl::StrCat(
          "MISSING: event ", expected, " is absent from the log (the server went from event ",
          expected == 0 ? std::string("the start") : absl::StrCat(expected - 1), " to ", e.seq(),
          ")"));
    }
    if (absl::Status st = CheckEventMatchesLeaf(e); !st.ok()) return st;
    tree.Add(AuditLeafHash(e.leaf()));
    ++expected;
  }
  if (expected <= last) {
    if (last + 1 == log_size) {
      return absl::DataLossError(absl::StrCat("TRUNCATED: events ", expected, "..", last,
                                              " at the end of the log are gone, though the "
                                              "signed head of size ",
                                              log_size, " covers them"));
    }
    return absl::DataLossError(
        absl::StrCat("MISSING: event ", expected, " is absent from the log"));
  }
  return absl::OkStatus();
}

}  // namespace jijian::client
