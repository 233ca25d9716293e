// Audit-log verification on the client, written independently of the server's code paths:
// an auditor trusts only this file, the pinned Ed25519 key and OpenSSL.
#ifndef JIJIAN_CLIENT_PROOF_VERIFY_H_
#define JIJIAN_CLIENT_PROOF_VERIFY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace jijian::client {

// SHA-256(0x00 || leaf_bytes).
std::string AuditLeafHash(std::string_view leaf_bytes);

// RFC 9162 §2.1.3.2: checks that leaf_hash is leaf leaf_index of the tree of tree_size
// leaves whose root is root. Fails (with the reason) on any wrong element or length.
absl::Status CheckInclusion(uint64_t leaf_index, uint64_t tree_size, std::string_view leaf_hash,
                            const std::vector<std::string>& proof, std::string_view root);

// RFC 9162 §2.1.4.2: checks that the tree (old_size, old_root) is a prefix of
// (new_size, new_root).
absl::Status CheckConsistency(uint64_t old_size, uint64_t new_size, std::string_view old_root,
                              std::string_view new_root, const std::vector<std::string>& proof);

// Checks an Ed25519 signature of message under a raw 32-byte public key.
absl::Status CheckEd25519(std::string_view public_key, std::string_view message,
                          std::string_view signature);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_PROOF_VERIFY_H_
