// RFC 6962 / RFC 9162 Merkle tree hashing and proof generation over stored complete
// subtrees. Pure functions; thread-safe.
//
// Hashes: leaf = SHA-256(0x00 || leaf bytes), node = SHA-256(0x01 || left || right),
// empty tree = SHA-256(""). A "complete subtree" (level, index) covers leaves
// [index * 2^level, (index + 1) * 2^level); level 0 is the leaf hash itself. The store
// keeps the hash of every complete subtree, so any root or proof is O(log n) lookups.
#ifndef JIJIAN_STORAGE_MERKLE_H_
#define JIJIAN_STORAGE_MERKLE_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jijian::storage::merkle {

std::string LeafHash(std::string_view leaf_bytes);
std::string NodeHash(std::string_view left, std::string_view right);
std::string EmptyRoot();

// Returns the hash of the complete subtree (level, index); it must exist in the tree.
using SubtreeFn = std::function<absl::StatusOr<std::string>(uint64_t level, uint64_t index)>;

// Root of the first tree_size leaves: MTH(D[0:tree_size]).
absl::StatusOr<std::string> Root(uint64_t tree_size, const SubtreeFn& subtree);

// Inclusion proof PATH(leaf_index, D[0:tree_size]) (RFC 6962 §2.1.1), leaf side first.
// INVALID_ARGUMENT unless leaf_index < tree_size.
absl::StatusOr<std::vector<std::string>> InclusionProof(uint64_t leaf_index, uint64_t tree_size,
                                                        const SubtreeFn& subtree);

// Consistency proof PROOF(old_size, D[0:new_size]) (RFC 6962 §2.1.2).
// INVALID_ARGUMENT unless 0 < old_size <= new_size; empty when old_size == new_size.
absl::StatusOr<std::vector<std::string>> ConsistencyProof(uint64_t old_size, uint64_t new_size,
                                                          const SubtreeFn& subtree);

// Verifiers (RFC 9162 §2.1.3.2 and §2.1.4.2). Every element is checked; a proof of the
// wrong length, a changed element, or the wrong sizes fails with a message saying why.
absl::Status VerifyInclusion(uint64_t leaf_index, uint64_t tree_size, std::string_view leaf_hash,
                             const std::vector<std::string>& proof, std::string_view root);
absl::Status VerifyConsistency(uint64_t old_size, uint64_t new_size, std::string_view old_root,
                               std::string_view new_root, const std::vector<std::string>& proof);

// In-memory helper for tests and offline verification: all complete subtree hashes of a
// list of leaf hashes, as levels[level][index].
std::vector<std::vector<std::string>> BuildLevels(const std::vector<std::string>& leaf_hashes);

}  // namespace jijian::storage::merkle

#endif  // JIJIAN_STORAGE_MERKLE_H_
