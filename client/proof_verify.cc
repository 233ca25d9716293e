// Verification follows RFC 9162 §2.1.3.2 and §2.1.4.2 step by step, with the step numbers
// in the comments, so that an auditor can hold this file next to the RFC. Nothing here is
// shared with the server's Merkle code.
//
// Status codes: INVALID_ARGUMENT when the inputs are malformed on their face (a hash that is
// not 32 bytes, a leaf index outside the tree, sizes going backwards, a proof of the wrong
// length); DATA_LOSS when well-formed inputs do not check out (a root or signature
// mismatch), which is what a log that rewrote history produces.
#include "client/proof_verify.h"

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace jijian::client {
namespace {

constexpr size_t kSha256Bytes = 32;
constexpr size_t kEd25519PublicKeyBytes = 32;
constexpr size_t kEd25519SignatureBytes = 64;
constexpr unsigned char kLeafPrefix = 0x00;
constexpr unsigned char kNodePrefix = 0x01;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// SHA-256 of prefix || a || b. EVP SHA-256 over memory fails only when allocation fails,
// which this program does not try to survive.
std::string Sha256(unsigned char prefix, std::string_view a, std::string_view b) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string out(kSha256Bytes, '\0');
  unsigned int len = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), &prefix, 1) != 1 ||
      EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != kSha256Bytes) {
    std::abort();
  }
  return out;
}

// HASH(0x01 || left || right), the interior node hash of RFC 9162 §2.1.1.
std::string HashChildren(std::string_view left, std::string_view right) {
  return Sha256(kNodePrefix, left, right);
}

// SHA-256 of the empty string: the root of the empty tree.
std::string EmptyTreeRoot() {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::string out(kSha256Bytes, '\0');
  unsigned int len = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) != 1 ||
      len != kSha256Bytes) {
    std::abort();
  }
  return out;
}

bool Lsb(uint64_t x) { return (x & 1) != 0; }

absl::Status RequireHash(absl::string_view what, std::string_view hash) {
  if (hash.size() == kSha256Bytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(what, " is ", hash.size(), " bytes; a SHA-256 hash is ", kSha256Bytes));
}

absl::Status RequireProofHashes(const std::vector<std::string>& proof) {
  for (size_t i = 0; i < proof.size(); ++i) {
    if (absl::Status s = RequireHash(absl::StrCat("proof hash ", i), proof[i]); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

// One step of the RFC 9162 loop on (fn, sn) alone, as in step 4.b/4.c of §2.1.3.2 (and
// 6.b/6.c of §2.1.4.2); returns whether the proof hash at this step is the left child.
bool Step(uint64_t& fn, uint64_t& sn) {
  const bool left = Lsb(fn) || fn == sn;
  if (left && !Lsb(fn)) {
    while (!Lsb(fn) && fn != 0) {
      fn >>= 1;
      sn >>= 1;
    }
  }
  fn >>= 1;
  sn >>= 1;
  return left;
}

// The number of loop iterations the RFC 9162 algorithm takes from (fn, sn) until sn
// reaches 0; a proof with any other number of hashes fails the algorithm.
uint64_t StepsToRoot(uint64_t fn, uint64_t sn) {
  uint64_t steps = 0;
  while (sn != 0) {
    Step(fn, sn);
    ++steps;
  }
  return steps;
}

}  // namespace

std::string AuditLeafHash(std::string_view leaf_bytes) {
  return Sha256(kLeafPrefix, leaf_bytes, {});
}

absl::Status CheckInclusion(uint64_t leaf_index, uint64_t tree_size, std::string_view leaf_hash,
                            const std::vector<std::string>& proof, std::string_view root) {
  // Step 1: leaf_index must be inside the tree.
  if (leaf_index >= tree_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("leaf index ", leaf_index, " is outside a tree of size ", tree_size));
  }
  if (absl::Status s = RequireHash("leaf hash", leaf_hash); !s.ok()) return s;
  if (absl::Status s = RequireHash("root", root); !s.ok()) return s;
  if (absl::Status s = RequireProofHashes(proof); !s.ok()) return s;
  // Steps 4.a and 5 reject any proof whose length is not the number of steps to the root;
  // saying so up front gives the clearer message.
  const uint64_t want = StepsToRoot(leaf_index, tree_size - 1);
  if (proof.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("inclusion proof has ", proof.size(),
                                                   " hashes; tree of size ", tree_size,
                                                   " at index ", leaf_index, " needs ", want));
  }
  // Steps 2 and 3.
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  std::string r(leaf_hash);
  // Step 4.
  for (const std::string& p : proof) {
    if (sn == 0) return absl::InvalidArgumentError("inclusion proof is longer than the path");
    r = Step(fn, sn) ? HashChildren(p, r) : HashChildren(r, p);
  }
  // Step 5.
  if (sn != 0) return absl::InvalidArgumentError("inclusion proof is shorter than the path");
  if (r != root) {
    return absl::DataLossError(absl::StrCat("root mismatch: inclusion proof for index ", leaf_index,
                                            " in tree of size ", tree_size,
                                            " leads to another root"));
  }
  return absl::OkStatus();
}

// Consistency from the empty tree (old_size 0) holds trivially, since every tree extends
// the empty one; it is accepted with an empty proof when old_root is the empty tree's root
// (SHA-256 of the empty string), so a head of size 0 cannot carry an arbitrary root.
absl::Status CheckConsistency(uint64_t old_size, uint64_t new_size, std::string_view old_root,
                              std::string_view new_root, const std::vector<std::string>& proof) {
  if (old_size > new_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("old tree size ", old_size, " is larger than new tree size ", new_size));
  }
  if (absl::Status s = RequireHash("old root", old_root); !s.ok()) return s;
  if (absl::Status s = RequireHash("new root", new_root); !s.ok()) return s;
  if (absl::Status s = RequireProofHashes(proof); !s.ok()) return s;

  if (old_size == 0 || old_size == new_size) {
    if (!proof.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("consistency proof has ", proof.size(),
                                                     " hashes; sizes ", old_size, " to ", new_size,
                                                     " need 0"));
    }
    if (old_size == 0) {
      if (old_root != EmptyTreeRoot()) {
        return absl::DataLossError("old root of the empty tree is not SHA-256 of the empty string");
      }
      return absl::OkStatus();
    }
    if (old_root != new_root) {
      return absl::DataLossError(
          absl::StrCat("root mismatch: two different roots for tree size ", old_size));
    }
    return absl::OkStatus();
  }

  // Step 1: an empty proof fails (old_size < new_size here).
  if (proof.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("consistency proof is empty; sizes ", old_size,
                                                   " to ", new_size, " need hashes"));
  }
  // Step 2: when old_size is a power of two, old_root is the first node of the path.
  const bool old_is_power_of_two = (old_size & (old_size - 1)) == 0;
  std::vector<std::string_view> path;
  path.reserve(proof.size() + 1);
  if (old_is_power_of_two) path.push_back(old_root);
  for (const std::string& c : proof) path.push_back(c);
  // Step 3.
  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  // Step 4.
  while (Lsb(fn)) {
    fn >>= 1;
    sn >>= 1;
  }
  // Steps 6.a and 7 reject any other length; say so up front with the expected count.
  const uint64_t want = 1 + StepsToRoot(fn, sn) - (old_is_power_of_two ? 1 : 0);
  if (proof.size() != want) {
    return absl::InvalidArgumentError(absl::StrCat("consistency proof has ", proof.size(),
                                                   " hashes; sizes ", old_size, " to ", new_size,
                                                   " need ", want));
  }
  // Step 5.
  std::string fr(path[0]);
  std::string sr(path[0]);
  // Step 6.
  for (size_t i = 1; i < path.size(); ++i) {
    const std::string_view c = path[i];
    if (sn == 0) return absl::InvalidArgumentError("consistency proof is longer than the path");
    if (Lsb(fn) || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if (!Lsb(fn)) {
        while (!Lsb(fn) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  // Step 7.
  if (sn != 0) return absl::InvalidArgumentError("consistency proof is shorter than the path");
  if (fr != old_root) {
    return absl::DataLossError(absl::StrCat("old root mismatch: consistency proof from size ",
                                            old_size, " to ", new_size,
                                            " leads to another old root"));
  }
  if (sr != new_root) {
    return absl::DataLossError(absl::StrCat("new root mismatch: consistency proof from size ",
                                            old_size, " to ", new_size,
                                            " leads to another new root"));
  }
  return absl::OkStatus();
}

absl::Status CheckEd25519(std::string_view public_key, std::string_view message,
                          std::string_view signature) {
  if (public_key.size() != kEd25519PublicKeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("Ed25519 public key is ", public_key.size(),
                                                   " bytes; need ", kEd25519PublicKeyBytes));
  }
  if (signature.size() != kEd25519SignatureBytes) {
    return absl::InvalidArgumentError(absl::StrCat("Ed25519 signature is ", signature.size(),
                                                   " bytes; need ", kEd25519SignatureBytes));
  }
  PkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                          reinterpret_cast<const unsigned char*>(public_key.data()),
                                          public_key.size()));
  if (key == nullptr) {
    ERR_clear_error();
    return absl::InvalidArgumentError("Ed25519 public key is not usable");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return absl::InternalError("cannot set up Ed25519 verification");
  }
  if (EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
    ERR_clear_error();
    return absl::DataLossError("Ed25519 signature does not verify under the pinned key");
  }
  return absl::OkStatus();
}

}  // namespace jijian::client
