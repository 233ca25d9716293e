#include "storage/merkle.h"

#include <openssl/evp.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace jijian::storage::merkle {
namespace {

constexpr size_t kHashBytes = 32;
constexpr char kLeafPrefix = '\x00';
constexpr char kNodePrefix = '\x01';

// SHA-256 over the concatenation of parts. SHA-256 through EVP cannot fail for in-memory
// input short of memory exhaustion, which the rest of the program does not survive either.
std::string Sha256Of(std::initializer_list<std::string_view> parts) {
  std::string out(kHashBytes, '\0');
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1;
  for (std::string_view part : parts) {
    ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  unsigned int len = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(out.data()), &len) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok || len != kHashBytes) std::abort();
  return out;
}

// The largest power of two strictly less than n; n must be at least 2. This is the RFC 6962
// split point k of a range of n leaves.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

// Fetches the complete subtree covering the aligned power-of-two range [begin, begin + size)
// and checks that the store returned a hash of the right length.
absl::StatusOr<std::string> Complete(uint64_t begin, uint64_t size, const SubtreeFn& subtree) {
  const uint64_t level = std::countr_zero(size);
  absl::StatusOr<std::string> hash = subtree(level, begin >> level);
  if (!hash.ok()) return hash.status();
  if (hash->size() != kHashBytes) {
    return absl::DataLossError(absl::StrCat("stored subtree (level ", level, ", index ",
                                            begin >> level, ") has ", hash->size(),
                                            " bytes; a SHA-256 hash has ", kHashBytes));
  }
  return hash;
}

// MTH(D[begin:end]) for a non-empty range that arises in the RFC 6962 recursion, i.e. whose
// begin is a multiple of the largest power of two not exceeding its length. The range is
// the complete subtrees of the binary decomposition of its length, left to right, combined
// from the right: popcount(end - begin) lookups.
absl::StatusOr<std::string> RangeHash(uint64_t begin, uint64_t end, const SubtreeFn& subtree) {
  std::vector<std::string> parts;
  uint64_t at = begin;
  while (at < end) {
    const uint64_t size = std::bit_floor(end - at);
    absl::StatusOr<std::string> part = Complete(at, size, subtree);
    if (!part.ok()) return part.status();
    parts.push_back(*std::move(part));
    at += size;
  }
  std::string hash = std::move(parts.back());
  for (size_t i = parts.size() - 1; i-- > 0;) hash = NodeHash(parts[i], hash);
  return hash;
}

// Appends PATH(index, D[begin:end]) to proof, following RFC 6962 §2.1.1 literally: the path
// inside the half holding the leaf, then the hash of the other half.
absl::Status AppendPath(uint64_t index, uint64_t begin, uint64_t end, const SubtreeFn& subtree,
                        std::vector<std::string>& proof) {
  if (end - begin == 1) return absl::OkStatus();
  const uint64_t mid = begin + SplitPoint(end - begin);
  absl::StatusOr<std::string> sibling;
  if (index < mid) {
    if (absl::Status s = AppendPath(index, begin, mid, subtree, proof); !s.ok()) return s;
    sibling = RangeHash(mid, end, subtree);
  } else {
    if (absl::Status s = AppendPath(index, mid, end, subtree, proof); !s.ok()) return s;
    sibling = RangeHash(begin, mid, subtree);
  }
  if (!sibling.ok()) return sibling.status();
  proof.push_back(*std::move(sibling));
  return absl::OkStatus();
}

// Appends SUBPROOF(m, D[begin:end], b) to proof (RFC 6962 §2.1.2), where m counts leaves
// from begin and complete_old is the flag b: true while [begin, begin + m) is the whole old
// tree, whose root the verifier already has.
absl::Status AppendSubproof(uint64_t m, uint64_t begin, uint64_t end, bool complete_old,
                            const SubtreeFn& subtree, std::vector<std::string>& proof) {
  const uint64_t n = end - begin;
  if (m == n) {
    if (complete_old) return absl::OkStatus();
    absl::StatusOr<std::string> hash = RangeHash(begin, end, subtree);
    if (!hash.ok()) return hash.status();
    proof.push_back(*std::move(hash));
    return absl::OkStatus();
  }
  const uint64_t k = SplitPoint(n);
  absl::StatusOr<std::string> sibling;
  if (m <= k) {
    if (absl::Status s = AppendSubproof(m, begin, begin + k, complete_old, subtree, proof);
        !s.ok()) {
      return s;
    }
    sibling = RangeHash(begin + k, end, subtree);
  } else {
    if (absl::Status s = AppendSubproof(m - k, begin + k, end, false, subtree, proof); !s.ok()) {
      return s;
    }
    sibling = RangeHash(begin, begin + k, subtree);
  }
  if (!sibling.ok()) return sibling.status();
  proof.push_back(*std::move(sibling));
  return absl::OkStatus();
}

// x >> shift, and 0 when shift is 64 (where a plain shift is undefined): the bits of x
// above the lowest shift.
uint64_t BitsAbove(uint64_t x, uint64_t shift) { return shift >= 64 ? 0 : x >> shift; }

// Number of hashes in PATH(index, D[0:size]) for index < size: one per level below the
// point where the leaf's path leaves the right edge of the tree, plus one per complete
// left sibling above it.
uint64_t InclusionProofLength(uint64_t index, uint64_t size) {
  const uint64_t inner = std::bit_width(index ^ (size - 1));
  return inner + std::popcount(BitsAbove(index, inner));
}

// Number of hashes in PROOF(old_size, D[0:new_size]) for 0 < old_size < new_size.
uint64_t ConsistencyProofLength(uint64_t old_size, uint64_t new_size) {
  const uint64_t index = old_size - 1;
  const uint64_t inner = std::bit_width(index ^ (new_size - 1));
  const uint64_t border = std::popcount(BitsAbove(index, inner));
  const uint64_t shift = std::countr_zero(old_size);
  return (inner - shift) + border + (std::has_single_bit(old_size) ? 0 : 1);
}

absl::Status CheckHashLength(absl::string_view what, std::string_view hash) {
  if (hash.size() == kHashBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " has ", hash.size(), " bytes; a SHA-256 hash has ", kHashBytes));
}

absl::Status CheckProofHashes(const std::vector<std::string>& proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (absl::Status s = CheckHashLength(absl::StrCat("proof hash ", i), proof[i]); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// Replays the consistency recursion of RFC 6962 §2.1.2 over the proof, consuming hashes in
// the order SUBPROOF emits them, and returns (MTH of the old part, MTH of the whole range)
// of D[begin:begin+n] with the old part being its first m leaves. The caller has checked
// the proof length, so every read of proof[next] is in range.
std::pair<std::string, std::string> ReplaySubproof(uint64_t m, uint64_t n, bool complete_old,
                                                   std::string_view old_root,
                                                   const std::vector<std::string>& proof,
                                                   size_t& next) {
  if (m == n) {
    if (complete_old) return {std::string(old_root), std::string(old_root)};
    const std::string& hash = proof[next++];
    return {hash, hash};
  }
  const uint64_t k = SplitPoint(n);
  if (m <= k) {
    auto [old_hash, new_hash] = ReplaySubproof(m, k, complete_old, old_root, proof, next);
    const std::string& right = proof[next++];
    return {std::move(old_hash), NodeHash(new_hash, right)};
  }
  auto [old_hash, new_hash] = ReplaySubproof(m - k, n - k, false, old_root, proof, next);
  const std::string& left = proof[next++];
  return {NodeHash(left, old_hash), NodeHash(left, new_hash)};
}

}  // namespace

std::string LeafHash(std::string_view leaf_bytes) {
  return Sha256Of({std::string_view(&kLeafPrefix, 1), leaf_bytes});
}

std::string NodeHash(std::string_view left, std::string_view right) {
  return Sha256Of({std::string_view(&kNodePrefix, 1), left, right});
}

std::string EmptyRoot() { return Sha256Of({}); }

absl::StatusOr<std::string> Root(uint64_t tree_size, const SubtreeFn& subtree) {
  if (tree_size == 0) return EmptyRoot();
  return RangeHash(0, tree_size, subtree);
}

absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t leaf_index, uint64_t tree_size,
                                                        const SubtreeFn& subtree) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is outside a tree of size ", tree_size));
  }
  std::vector<std::string> proof;
  if (absl::Status s = AppendPath(leaf_index, 0, tree_size, subtree, proof); !s.ok()) return s;
  return proof;
}

absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                          const SubtreeFn& subtree) {
  if (old_size == 0 || old_size > new_size) {
    return absl::InvalidArgumentError(absl::StrCat("consistency proof from size ", old_size,
                                                   " to size ", new_size,
                                                   "; need 0 < old size <= new size"));
  }
  std::vector<std::string> proof;
  if (old_size == new_size) return proof;
  if (absl::Status s = AppendSubproof(old_size, 0, new_size, true, subtree, proof); !s.ok()) {
    return s;
  }
  return proof;
}

// Recomputes the root by walking PATH's recursion from the top to learn on which side each
// sibling sits, then folding the proof from the leaf upwards. Malformed arguments are
// INVALID_ARGUMENT; a well-formed proof that leads to another root is DATA_LOSS.
absl::Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, std::string_view leaf_hash,
                             const std::vector<std::string>& proof, std::string_view root) {
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is outside a tree of size ", tree_size));
  }
  if (absl::Status s = CheckHashLength("leaf hash", leaf_hash); !s.ok()) return s;
  if (absl::Status s = CheckHashLength("root", root); !s.ok()) return s;
  if (absl::Status s = CheckProofHashes(proof); !s.ok()) return s;
  const uint64_t want = InclusionProofLength(leaf_index, tree_size);
  if (proof.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("inclusion proof has ", proof.size(),
                                                   " hashes; tree of size ", tree_size,
                                                   " at index ", leaf_index, " needs ", want));
  }
  // sibling_on_right[d] tells, for the split at depth d from the root, whether the leaf is
  // in the left half (so the proof hash for that split is the right half).
  std::vector<bool> sibling_on_right;
  uint64_t begin = 0;
  uint64_t end = tree_size;
  while (end - begin > 1) {
    const uint64_t mid = begin + SplitPoint(end - begin);
    const bool left = leaf_index < mid;
    sibling_on_right.push_back(left);
    (left ? end : begin) = mid;
  }
  std::string hash(leaf_hash);
  for (size_t i = 0; i < proof.size(); ++i) {
    const bool right = sibling_on_right[sibling_on_right.size() - 1 - i];
    hash = right ? NodeHash(hash, proof[i]) : NodeHash(proof[i], hash);
  }
  if (hash != root) {
    return absl::DataLossError(absl::StrCat("root mismatch: inclusion proof for index ", leaf_index,
                                            " in tree of size ", tree_size,
                                            " leads to another root"));
  }
  return absl::OkStatus();
}

// Replays SUBPROOF's recursion over the proof to rebuild both roots. From the empty tree
// every tree is consistent: old_size 0 needs an empty proof and old_root equal to the empty
// tree's root. Malformed arguments are INVALID_ARGUMENT; a mismatched root is DATA_LOSS.
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::string_view old_root,
                               std::string_view new_root, const std::vector<std::string>& proof) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old tree size ", old_size, " is larger than new tree size ", new_size));
  }
  if (absl::Status s = CheckHashLength("old root", old_root); !s.ok()) return s;
  if (absl::Status s = CheckHashLength("new root", new_root); !s.ok()) return s;
  if (absl::Status s = CheckProofHashes(proof); !s.ok()) return s;
  const uint64_t want =
      (old_size == 0 || old_size == new_size) ? 0 : ConsistencyProofLength(old_size, new_size);
  if (proof.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("consistency proof has ", proof.size(),
                                                   " hashes; sizes ", old_size, " to ", new_size,
                                                   " need ", want));
  }
  if (old_size == 0) {
    if (old_root != EmptyRoot()) {
      return absl::DataLossError("old root of the empty tree is not SHA-256 of the empty string");
    }
    return absl::OkStatus();
  }
  if (old_size == new_size) {
    if (old_root != new_root) {
      return absl::DataLossError(
          absl::StrCat("root mismatch: two different roots for tree size ", old_size));
    }
    return absl::OkStatus();
  }
  size_t next = 0;
  auto [old_hash, new_hash] = ReplaySubproof(old_size, new_size, true, old_root, proof, next);
  if (old_hash != old_root) {
    return absl::DataLossError(absl::StrCat("old root mismatch: consistency proof from size ",
                                            old_size, " to ", new_size,
                                            " leads to another old root"));
  }
  if (new_hash != new_root) {
    return absl::DataLossError(absl::StrCat("new root mismatch: consistency proof from size ",
                                            old_size, " to ", new_size,
                                            " leads to another new root"));
  }
  return absl::OkStatus();
}

std::vector<std::vector<std::string>> BuildLevels(const std::vector<std::string>& leaf_hashes) {
  std::vector<std::vector<std::string>> levels;
  levels.push_back(leaf_hashes);
  while (levels.back().size() >= 2) {
    const std::vector<std::string>& below = levels.back();
    std::vector<std::string> above;
    above.reserve(below.size() / 2);
    for (size_t i = 0; i + 1 < below.size(); i += 2) {
      above.push_back(NodeHash(below[i], below[i + 1]));
    }
    levels.push_back(std::move(above));
  }
  return levels;
}

}  // namespace jijian::storage::merkle
