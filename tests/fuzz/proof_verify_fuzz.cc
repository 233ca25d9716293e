// Fuzz target: the client's proof and head verifier (client/proof_verify.cc and the checks
// built on it in client/audit_verify.cc), against a genuine log of kLeaves events signed
// with a fixed key. The first input byte picks the mode:
//   0  raw inclusion and consistency checks on arbitrary sizes, hashes and proofs; the
//      client's verifier and the server's (storage/merkle.cc) must agree on every input;
//   1  a genuine inclusion proof, edited by the input: it verifies only if the leaf hash,
//      index and proof are still exactly genuine ones;
//   2  a genuine consistency proof, edited: it verifies only with the genuine old root;
//   3  a tree head or a timeline parsed from the input: verifies only if it is the genuine
//      signed head (an Ed25519 signature is not forged by a fuzzer);
//   4  a timeline of genuine events under the genuine head, edited: verifies only if every
//      event is byte for byte a leaf of the log.
// No input may crash or trip a sanitizer.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "client/audit_verify.h"
#include "client/proof_verify.h"
#include "google/protobuf/stubs/logging.h"
#include "jijian/v1/audit.pb.h"
#include "storage/audit.h"
#include "storage/crypto.h"
#include "storage/merkle.h"
#include "tests/fuzz/fuzz_input.h"

namespace jijian::fuzz {
namespace {

namespace merkle = ::jijian::storage::merkle;

// Protobuf logs every string field with invalid UTF-8 that it refuses to parse; the fuzzer
// makes millions. Refusing them is right (gRPC does the same before any handler runs).
[[maybe_unused]] const bool kQuietProtobuf = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

constexpr uint64_t kLeaves = 37;  // not a power of two: every proof shape occurs
constexpr size_t kMaxProofHashes = 70;
constexpr int64_t kHeadTime = 1764460800000000;  // 2025-11-30, fixed for reproducibility

// The genuine log: leaves, every complete subtree, the root of every prefix, a signed head.
struct Log {
  std::vector<std::string> leaves;       // canonical event bytes, all distinct
  std::vector<std::string> leaf_hashes;  // SHA-256(0x00 || leaf)
  std::vector<std::vector<std::string>> levels;
  std::vector<std::string> roots;  // roots[n] = MTH of the first n leaves
  std::string public_key;
  v1::SignedTreeHead head;  // of all kLeaves leaves

  merkle::SubtreeFn Subtrees() const {
    return [this](uint64_t level, uint64_t index) -> absl::StatusOr<std::string> {
      return levels.at(level).at(index);
    };
  }
  std::vector<std::string> Inclusion(uint64_t index, uint64_t size) const {
    return *merkle::InclusionProof(index, size, Subtrees());
  }
  std::vector<std::string> Consistency(uint64_t old_size, uint64_t new_size) const {
    if (old_size == 0) return {};
    return *merkle::ConsistencyProof(old_size, new_size, Subtrees());
  }
  v1::AuditEvent Event(uint64_t seq) const {
    const storage::AuditEvent e = *storage::ParseCanonicalEvent(leaves[seq]);
    v1::AuditEvent p;
    p.set_seq(e.seq);
    p.set_timestamp_unix_micros(e.ts_us);
    p.set_actor(e.actor);
    p.set_role(e.role);
    p.set_cert_fingerprint_sha256(e.cert_fingerprint);
    p.set_action(e.action);
    p.set_object_type(e.object_type);
    p.set_object_id(e.object_id);
    p.set_state_before(e.state_before);
    p.set_state_after(e.state_after);
    p.set_reason(e.reason);
    p.set_request_id(e.request_id);
    p.set_leaf(leaves[seq]);
    return p;
  }
};

const Log& GenuineLog() {
  static const Log* const log = [] {
    auto* l = new Log;
    for (uint64_t i = 0; i < kLeaves; ++i) {
      storage::AuditEvent e;
      e.seq = static_cast<int64_t>(i);
      e.ts_us = kHeadTime - 1000000 * static_cast<int64_t>(kLeaves - i);
      e.actor = i % 3 == 0 ? "system" : "li.si";
      e.role = "registrar";
      e.action = "petition.register";
      e.object_type = "petition";
      e.object_id = i % 2 == 0 ? "XF-2026-000001" : "XF-2026-000002";
      e.state_after = "REGISTERED";
      e.request_id = "req-" + std::to_string(i);
      l->leaves.push_back(storage::CanonicalEventBytes(e));
      l->leaf_hashes.push_back(merkle::LeafHash(l->leaves.back()));
    }
    l->levels = merkle::BuildLevels(l->leaf_hashes);
    for (uint64_t n = 0; n <= kLeaves; ++n) l->roots.push_back(*merkle::Root(n, l->Subtrees()));
    const std::string private_key(storage::kEd25519KeyBytes, '\x2a');
    l->public_key = *storage::Ed25519PublicKey(private_key);
    l->head.set_tree_size(kLeaves);
    l->head.set_root_hash(l->roots[kLeaves]);
    l->head.set_timestamp_unix_micros(kHeadTime);
    l->head.set_signature(*storage::Ed25519Sign(
        private_key, storage::TreeHeadSignedBytes(kLeaves, kHeadTime, l->roots[kLeaves])));
    Require(client::CheckHead(l->head, l->public_key).ok(), "the genuine head does not verify");
    return l;
  }();
  return *log;
}

// Edits a list of hashes as the input says: flip a bit, drop, insert, duplicate, swap,
// truncate or substitute a genuine node from elsewhere in the tree.
void EditHashes(FuzzInput& in, std::vector<std::string>& hashes) {
  const Log& log = GenuineLog();
  const int edits = in.Byte() % 4;
  for (int e = 0; e < edits; ++e) {
    const uint8_t op = in.Byte() % 7;
    const size_t at = hashes.empty() ? 0 : in.Byte() % hashes.size();
    switch (op) {
      case 0:
        if (!hashes.empty() && !hashes[at].empty()) {
          const uint8_t bit = in.Byte();
          hashes[at][(bit / 8) % hashes[at].size()] ^= static_cast<char>(1 << (bit % 8));
        }
        break;
      case 1:
        if (!hashes.empty()) hashes.erase(hashes.begin() + at);
        break;
      case 2:
        hashes.insert(hashes.begin() + at, in.Take(32));
        break;
      case 3:
        if (!hashes.empty()) hashes.insert(hashes.begin() + at, hashes[at]);
        break;
      case 4:
        if (hashes.size() >= 2) std::swap(hashes[at], hashes[(at + 1) % hashes.size()]);
        break;
      case 5:
        hashes.resize(at);
        break;
      default: {
        const auto& level = log.levels[in.Byte() % log.levels.size()];
        const std::string& node = level[in.Byte() % level.size()];
        if (hashes.empty()) {
          hashes.push_back(node);
        } else {
          hashes[at] = node;
        }
        break;
      }
    }
  }
}

// Edits one hash-sized value: unchanged, a bit flipped, another genuine value, or raw bytes.
std::string EditValue(FuzzInput& in, std::string value, const std::vector<std::string>& others) {
  switch (in.Byte() % 4) {
    case 0:
      return value;
    case 1: {
      const uint8_t bit = in.Byte();
      if (!value.empty()) value[(bit / 8) % value.size()] ^= static_cast<char>(1 << (bit % 8));
      return value;
    }
    case 2:
      return others[in.Byte() % others.size()];
    default:
      return in.Bytes();
  }
}

void FuzzRaw(FuzzInput& in) {
  const uint64_t a = in.U64();
  const uint64_t b = in.U64();
  const std::string h1 = in.Bytes();
  const std::string h2 = in.Bytes();
  std::vector<std::string> proof(in.Byte() % kMaxProofHashes);
  for (std::string& p : proof) p = in.Take(32);
  const bool client_inclusion = client::CheckInclusion(a, b, h1, proof, h2).ok();
  const bool server_inclusion = merkle::VerifyInclusion(a, b, h1, proof, h2).ok();
  Require(client_inclusion == server_inclusion, "client and server disagree on an inclusion");
  const bool client_consistency = client::CheckConsistency(a, b, h1, h2, proof).ok();
  const bool server_consistency = merkle::VerifyConsistency(a, b, h1, h2, proof).ok();
  Require(client_consistency == server_consistency, "client and server disagree on consistency");
  (void)client::CheckEd25519(h1, h2, in.Rest());
}

void FuzzInclusion(FuzzInput& in) {
  const Log& log = GenuineLog();
  const uint64_t size = 1 + in.Byte() % kLeaves;
  const uint64_t index = in.Byte() % size;
  std::vector<std::string> proof = log.Inclusion(index, size);
  EditHashes(in, proof);
  const std::string leaf_hash = EditValue(in, log.leaf_hashes[index], log.leaf_hashes);
  const uint64_t claimed = (in.Byte() & 1) != 0 ? in.Byte() % size : index;

  const bool ok = client::CheckInclusion(claimed, size, leaf_hash, proof, log.roots[size]).ok();
  Require(ok == merkle::VerifyInclusion(claimed, size, leaf_hash, proof, log.roots[size]).ok(),
          "client and server disagree on an edited inclusion proof");
  if (ok) {
    Require(leaf_hash == log.leaf_hashes[claimed], "a forged leaf verified");
    Require(proof == log.Inclusion(claimed, size), "a forged inclusion proof verified");
  }

  // The same through the event-level check against the signed head.
  if (size != kLeaves) return;
  v1::AuditEvent event = log.Event(index);
  if ((in.Byte() & 1) != 0) {
    std::string leaf = event.leaf();
    if (!leaf.empty()) leaf[in.Byte() % leaf.size()] ^= static_cast<char>(1 + in.Byte() % 255);
    event.set_leaf(leaf);
  }
  v1::InclusionProof p;
  p.set_leaf_index(static_cast<int64_t>(index));
  p.set_tree_size(static_cast<int64_t>(size));
  for (const std::string& h : proof) p.add_hashes(h);
  if (client::CheckEventInclusion(event, p, log.head).ok()) {
    Require(event.leaf() == log.leaves[index], "an edited event verified against the head");
    Require(proof == log.Inclusion(index, size), "a forged event proof verified");
  }
}

void FuzzConsistency(FuzzInput& in) {
  const Log& log = GenuineLog();
  const uint64_t new_size = 1 + in.Byte() % kLeaves;
  const uint64_t old_size = in.Byte() % (new_size + 1);
  std::vector<std::string> proof = log.Consistency(old_size, new_size);
  EditHashes(in, proof);
  const std::string old_root = EditValue(in, log.roots[old_size], log.roots);

  const bool ok =
      client::CheckConsistency(old_size, new_size, old_root, log.roots[new_size], proof).ok();
  Require(ok == merkle::VerifyConsistency(old_size, new_size, old_root, log.roots[new_size],
                                          proof)
                    .ok(),
          "client and server disagree on an edited consistency proof");
  if (ok) {
    Require(old_root == log.roots[old_size], "a forged old root verified as a prefix");
    Require(proof == log.Consistency(old_size, new_size), "a forged consistency proof verified");
  }
}

bool IsGenuineHead(const v1::SignedTreeHead& h) {
  const v1::SignedTreeHead& g = GenuineLog().head;
  return h.tree_size() == g.tree_size() && h.root_hash() == g.root_hash() &&
         h.timestamp_unix_micros() == g.timestamp_unix_micros() && h.signature() == g.signature();
}

void FuzzParsed(FuzzInput& in) {
  const Log& log = GenuineLog();
  const bool timeline = (in.Byte() & 1) != 0;
  const std::string_view bytes = in.Rest();
  if (!timeline) {
    v1::SignedTreeHead head;
    if (!head.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
    if (client::CheckHead(head, log.public_key).ok()) {
      Require(IsGenuineHead(head), "a forged tree head verified");
    }
    return;
  }
  v1::TimelineResponse t;
  if (!t.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
  if (client::CheckTimeline(t, log.public_key).ok()) {
    Require(IsGenuineHead(t.head()), "a timeline under a forged head verified");
  }
}

void FuzzTimeline(FuzzInput& in) {
  const Log& log = GenuineLog();
  v1::TimelineResponse t;
  *t.mutable_head() = log.head;
  t.add_object_ids("XF-2026-000001");
  if ((in.Byte() & 1) != 0) t.add_object_ids("XF-2026-000002");
  const int entries = in.Byte() % 6;
  for (int i = 0; i < entries; ++i) {
    const uint64_t seq = in.Byte() % kLeaves;
    v1::TimelineEntry* entry = t.add_entries();
    *entry->mutable_event() = log.Event(seq);
    entry->mutable_proof()->set_leaf_index(static_cast<int64_t>(seq));
    entry->mutable_proof()->set_tree_size(static_cast<int64_t>(kLeaves));
    std::vector<std::string> proof = log.Inclusion(seq, kLeaves);
    EditHashes(in, proof);
    for (const std::string& h : proof) entry->mutable_proof()->add_hashes(h);
    v1::AuditEvent* e = entry->mutable_event();
    switch (in.Byte() % 6) {
      case 0:
        break;
      case 1:
        e->set_object_id(in.Bytes());
        break;
      case 2:
        e->set_seq(static_cast<int64_t>(in.U64()));
        break;
      case 3:
        e->set_leaf(log.leaves[in.Byte() % kLeaves]);
        break;
      case 4:
        entry->mutable_proof()->set_leaf_index(static_cast<int64_t>(in.U64()));
        break;
      default:
        e->set_reason(in.Bytes());
        break;
    }
  }
  if (!client::CheckTimeline(t, log.public_key).ok()) return;
  const std::set<std::string> objects(t.object_ids().begin(), t.object_ids().end());
  for (const v1::TimelineEntry& entry : t.entries()) {
    const v1::AuditEvent& e = entry.event();
    Require(e.seq() >= 0 && static_cast<uint64_t>(e.seq()) < kLeaves &&
                e.leaf() == log.leaves[e.seq()],
            "a timeline with an altered event verified");
    Require(objects.contains(e.object_id()), "a timeline event outside the chain verified");
    Require(client::CheckEventMatchesLeaf(e).ok(), "a verified event does not match its leaf");
  }
}

}  // namespace
}  // namespace jijian::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  jijian::fuzz::FuzzInput in(data, size);
  switch (in.Byte() % 5) {
    case 0:
      jijian::fuzz::FuzzRaw(in);
      break;
    case 1:
      jijian::fuzz::FuzzInclusion(in);
      break;
    case 2:
      jijian::fuzz::FuzzConsistency(in);
      break;
    case 3:
      jijian::fuzz::FuzzParsed(in);
      break;
    default:
      jijian::fuzz::FuzzTimeline(in);
      break;
  }
  return 0;
}
