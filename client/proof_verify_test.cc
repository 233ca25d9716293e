#include "client/proof_verify.h"

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/merkle.h"

namespace jijian::client {
namespace {

namespace merkle = ::jijian::storage::merkle;
using ::testing::HasSubstr;

std::string Unhex(std::string_view hex) {
  return absl::HexStringToBytes(absl::string_view(hex.data(), hex.size()));
}

std::vector<std::string> UnhexAll(const std::vector<std::string_view>& hexes) {
  std::vector<std::string> out;
  for (std::string_view h : hexes) out.push_back(Unhex(h));
  return out;
}

// SHA-256 straight from OpenSSL, to build expected values by hand in the tests.
std::string Sha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                       EVP_sha256(), nullptr),
            1);
  return out;
}

std::string Node(std::string_view l, std::string_view r) {
  return Sha256(std::string(1, '\x01') + std::string(l) + std::string(r));
}

// Both verifiers: the client's (RFC 9162 steps) and the server's (RFC 6962 recursion).
struct Verdicts {
  absl::Status client;
  absl::Status storage;
};

Verdicts Inclusion(uint64_t index, uint64_t size, const std::string& leaf,
                   const std::vector<std::string>& proof, const std::string& root) {
  return {CheckInclusion(index, size, leaf, proof, root),
          merkle::VerifyInclusion(index, size, leaf, proof, root)};
}

Verdicts Consistency(uint64_t old_size, uint64_t new_size, const std::string& old_root,
                     const std::string& new_root, const std::vector<std::string>& proof) {
  return {CheckConsistency(old_size, new_size, old_root, new_root, proof),
          merkle::VerifyConsistency(old_size, new_size, old_root, new_root, proof)};
}

#define EXPECT_BOTH_ACCEPT(v)                                                \
  do {                                                                       \
    const Verdicts verdicts_ = (v);                                          \
    EXPECT_TRUE(verdicts_.client.ok()) << "client: " << verdicts_.client;    \
    EXPECT_TRUE(verdicts_.storage.ok()) << "storage: " << verdicts_.storage; \
  } while (false)

#define EXPECT_BOTH_REJECT(v, what)                                         \
  do {                                                                      \
    const Verdicts verdicts_ = (v);                                         \
    EXPECT_FALSE(verdicts_.client.ok()) << "client accepted: " << (what);   \
    EXPECT_FALSE(verdicts_.storage.ok()) << "storage accepted: " << (what); \
  } while (false)

// ---------------------------------------------------------------------------------------
// RFC 6962 test vectors (transparency-dev/merkle testonly, Trillian): leaves, roots for
// sizes 0..8, and published inclusion and consistency proofs.

constexpr std::string_view kCtLeaves[] = {"",
                                          "00",
                                          "10",
                                          "2021",
                                          "3031",
                                          "40414243",
                                          "5051525354555657",
                                          "606162636465666768696a6b6c6d6e6f"};

constexpr std::string_view kCtRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<std::string> CtLeafHashes() {
  std::vector<std::string> out;
  for (std::string_view hex : kCtLeaves) out.push_back(AuditLeafHash(Unhex(hex)));
  return out;
}

TEST(ProofVerifyVectorTest, LeafHashIsPrefixedSha256) {
  EXPECT_EQ(AuditLeafHash(""), Unhex(kCtRoots[1]));
  EXPECT_EQ(AuditLeafHash("abc"), Sha256(std::string("\x00"
                                                     "abc",
                                                     4)));
  EXPECT_EQ(AuditLeafHash("abc"), merkle::LeafHash("abc"));
}

TEST(ProofVerifyVectorTest, PublishedInclusionProofsVerify) {
  const std::vector<std::string> leaves = CtLeafHashes();
  struct Case {
    uint64_t index;
    uint64_t size;
    std::vector<std::string_view> proof;
  };
  const Case cases[] = {
      {0, 1, {}},
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat("index ", c.index, " size ", c.size));
    const std::string root = Unhex(kCtRoots[c.size]);
    EXPECT_BOTH_ACCEPT(Inclusion(c.index, c.size, leaves[c.index], UnhexAll(c.proof), root));
    // The same proof does not place a neighbouring leaf there.
    const uint64_t other = (c.index + 1) % 8;
    EXPECT_BOTH_REJECT(Inclusion(c.index, c.size, leaves[other], UnhexAll(c.proof), root),
                       "another leaf");
  }
}

TEST(ProofVerifyVectorTest, PublishedConsistencyProofsVerify) {
  struct Case {
    uint64_t old_size;
    uint64_t new_size;
    std::vector<std::string_view> proof;
  };
  const Case cases[] = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {2,
       8,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(absl::StrCat("sizes ", c.old_size, " to ", c.new_size));
    EXPECT_BOTH_ACCEPT(Consistency(c.old_size, c.new_size, Unhex(kCtRoots[c.old_size]),
                                   Unhex(kCtRoots[c.new_size]), UnhexAll(c.proof)));
  }
}

// RFC 6962 §2.1.3's worked example, assembled by hand from leaf hashes: seven leaves with
// hashes a, b, c, d, e, f, j and nodes g = (a, b), h = (c, d), i = (e, f), k = (g, h),
// l = (i, j); the root of the first three leaves is (g, c).
TEST(ProofVerifyVectorTest, Rfc6962WorkedExampleVerifies) {
  const std::vector<std::string> leaves = CtLeafHashes();
  const std::string a = leaves[0], b = leaves[1], c = leaves[2], d = leaves[3], e = leaves[4],
                    f = leaves[5], j = leaves[6];
  const std::string g = Node(a, b), h = Node(c, d), i = Node(e, f), k = Node(g, h), l = Node(i, j);
  const std::string root7 = Node(k, l);
  ASSERT_EQ(root7, Unhex(kCtRoots[7]));
  ASSERT_EQ(Node(g, c), Unhex(kCtRoots[3]));

  EXPECT_BOTH_ACCEPT(Inclusion(0, 7, a, {b, h, l}, root7));
  EXPECT_BOTH_ACCEPT(Inclusion(3, 7, d, {c, g, l}, root7));
  EXPECT_BOTH_ACCEPT(Inclusion(4, 7, e, {f, j, k}, root7));
  EXPECT_BOTH_ACCEPT(Inclusion(6, 7, j, {i, k}, root7));
  EXPECT_BOTH_REJECT(Inclusion(0, 7, a, {b, l, h}, root7), "siblings out of order");

  EXPECT_BOTH_ACCEPT(Consistency(3, 7, Node(g, c), root7, {c, d, g, l}));
  EXPECT_BOTH_ACCEPT(Consistency(4, 7, k, root7, {l}));
  EXPECT_BOTH_ACCEPT(Consistency(6, 7, Node(k, i), root7, {i, j, k}));
  EXPECT_BOTH_REJECT(Consistency(3, 7, Node(g, c), root7, {d, c, g, l}), "c and d swapped");
}

// ---------------------------------------------------------------------------------------
// Properties: every proof the server generates verifies with both verifiers, and every
// single change to it is rejected by both.

std::vector<std::pair<std::string, std::vector<std::string>>> Mutations(
    const std::vector<std::string>& proof, const std::string& extra) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (size_t i = 0; i < proof.size(); ++i) {
    for (size_t bit : {size_t{0}, size_t{255}, (i * 53) % 256}) {
      std::vector<std::string> p = proof;
      p[i][bit / 8] ^= static_cast<char>(1 << (bit % 8));
      out.emplace_back(absl::StrCat("flip bit ", bit, " of element ", i), p);
    }
    std::vector<std::string> p = proof;
    p.erase(p.begin() + i);
    out.emplace_back(absl::StrCat("drop element ", i), p);
    p = proof;
    p.insert(p.begin() + i, extra);
    out.emplace_back(absl::StrCat("insert an element before ", i), p);
  }
  for (size_t i = 0; i + 1 < proof.size(); ++i) {
    std::vector<std::string> p = proof;
    std::swap(p[i], p[i + 1]);
    out.emplace_back(absl::StrCat("swap elements ", i, " and ", i + 1), p);
  }
  std::vector<std::string> p = proof;
  p.push_back(extra);
  out.emplace_back("append an element", p);
  if (!proof.empty()) {
    p = proof;
    p.push_back(proof.back());
    out.emplace_back("repeat the last element", p);
  }
  return out;
}

class ProofVerifyPropertyTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kMaxSize = 2000;

  void SetUp() override {
    for (uint64_t i = 0; i <= kMaxSize + 1; ++i) {
      leaves_.push_back(AuditLeafHash(absl::StrCat("audit event ", i)));
    }
    levels_ = merkle::BuildLevels(leaves_);
    subtree_ = [this](uint64_t level, uint64_t index) -> absl::StatusOr<std::string> {
      return levels_.at(level).at(index);
    };
    for (uint64_t n = 0; n <= kMaxSize + 1; ++n) roots_.push_back(*merkle::Root(n, subtree_));
  }

  std::vector<uint64_t> Sizes(std::mt19937_64& rng) const {
    std::vector<uint64_t> sizes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17, kMaxSize};
    for (uint64_t p = 32; p <= 1024; p *= 2) sizes.insert(sizes.end(), {p - 1, p, p + 1});
    std::uniform_int_distribution<uint64_t> dist(1, kMaxSize);
    for (int i = 0; i < 40; ++i) sizes.push_back(dist(rng));
    return sizes;
  }

  std::vector<std::string> leaves_;
  std::vector<std::vector<std::string>> levels_;
  merkle::SubtreeFn subtree_;
  std::vector<std::string> roots_;
};

TEST_F(ProofVerifyPropertyTest, InclusionProofsVerifyAndEveryMutationIsRejected) {
  std::mt19937_64 rng(20260101);
  const std::string outsider = leaves_[kMaxSize + 1];
  for (uint64_t n : Sizes(rng)) {
    std::uniform_int_distribution<uint64_t> dist(0, n - 1);
    for (uint64_t m : {uint64_t{0}, n - 1, n / 2, dist(rng), dist(rng), dist(rng)}) {
      SCOPED_TRACE(absl::StrCat("index ", m, " size ", n));
      absl::StatusOr<std::vector<std::string>> proof = merkle::InclusionProof(m, n, subtree_);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_BOTH_ACCEPT(Inclusion(m, n, leaves_[m], *proof, roots_[n]));

      for (const auto& [what, bad] : Mutations(*proof, outsider)) {
        EXPECT_BOTH_REJECT(Inclusion(m, n, leaves_[m], bad, roots_[n]), what);
      }
      // Wrong tree size, each with its own true root.
      if (n - 1 > m) {
        EXPECT_BOTH_REJECT(Inclusion(m, n - 1, leaves_[m], *proof, roots_[n - 1]), "size - 1");
      }
      EXPECT_BOTH_REJECT(Inclusion(m, n + 1, leaves_[m], *proof, roots_[n + 1]), "size + 1");
      EXPECT_BOTH_REJECT(Inclusion(m, n * 2, leaves_[m], *proof, roots_[n]), "size * 2");
      // Wrong leaf index.
      if (m > 0) EXPECT_BOTH_REJECT(Inclusion(m - 1, n, leaves_[m], *proof, roots_[n]), "m - 1");
      if (m + 1 < n) {
        EXPECT_BOTH_REJECT(Inclusion(m + 1, n, leaves_[m], *proof, roots_[n]), "m + 1");
      }
      if ((m ^ 1) < n) {
        EXPECT_BOTH_REJECT(Inclusion(m ^ 1, n, leaves_[m], *proof, roots_[n]), "m ^ 1");
      }
      EXPECT_BOTH_REJECT(Inclusion(n, n, leaves_[m], *proof, roots_[n]), "index == size");
      // Wrong leaf, wrong root.
      EXPECT_BOTH_REJECT(Inclusion(m, n, outsider, *proof, roots_[n]), "another leaf");
      EXPECT_BOTH_REJECT(Inclusion(m, n, leaves_[m], *proof, roots_[n + 1]), "another root");
    }
  }
}

TEST_F(ProofVerifyPropertyTest, ConsistencyProofsVerifyAndEveryMutationIsRejected) {
  std::mt19937_64 rng(6962);
  const std::string outsider = leaves_[kMaxSize + 1];
  for (uint64_t n : Sizes(rng)) {
    std::uniform_int_distribution<uint64_t> dist(1, n);
    std::vector<uint64_t> olds = {1, n, dist(rng), dist(rng), dist(rng), dist(rng)};
    if (n > 1) olds.push_back(n - 1);
    for (uint64_t p = 2; p < n; p *= 2) olds.insert(olds.end(), {p - 1, p, p + 1});
    for (uint64_t m : olds) {
      if (m > n) continue;
      SCOPED_TRACE(absl::StrCat("sizes ", m, " to ", n));
      absl::StatusOr<std::vector<std::string>> proof = merkle::ConsistencyProof(m, n, subtree_);
      ASSERT_TRUE(proof.ok()) << proof.status();
      EXPECT_BOTH_ACCEPT(Consistency(m, n, roots_[m], roots_[n], *proof));

      for (const auto& [what, bad] : Mutations(*proof, outsider)) {
        EXPECT_BOTH_REJECT(Consistency(m, n, roots_[m], roots_[n], bad), what);
      }
      // Wrong sizes, each with its own true root.
      if (m > 1) {
        EXPECT_BOTH_REJECT(Consistency(m - 1, n, roots_[m - 1], roots_[n], *proof), "old - 1");
      }
      if (m < n) {
        EXPECT_BOTH_REJECT(Consistency(m + 1, n, roots_[m + 1], roots_[n], *proof), "old + 1");
      }
      if (n - 1 >= m && n > 1) {
        EXPECT_BOTH_REJECT(Consistency(m, n - 1, roots_[m], roots_[n - 1], *proof), "new - 1");
      }
      EXPECT_BOTH_REJECT(Consistency(m, n + 1, roots_[m], roots_[n + 1], *proof), "new + 1");
      // Wrong roots.
      EXPECT_BOTH_REJECT(Consistency(m, n, roots_[m - 1], roots_[n], *proof), "old root");
      EXPECT_BOTH_REJECT(Consistency(m, n, roots_[m], roots_[n + 1], *proof), "new root");
    }
  }
}

// ---------------------------------------------------------------------------------------
// Edge cases and messages of the client verifier.

TEST(ProofVerifyEdgeTest, SizesAndLengthsAreChecked) {
  const std::vector<std::string> leaves = CtLeafHashes();
  const std::string root7 = Unhex(kCtRoots[7]);
  const std::string root3 = Unhex(kCtRoots[3]);
  const std::string empty = Unhex(kCtRoots[0]);
  const std::string g = Node(leaves[0], leaves[1]), h = Node(leaves[2], leaves[3]);
  const std::string l = Node(Node(leaves[4], leaves[5]), leaves[6]);
  const std::vector<std::string> path0 = {leaves[1], h, l};

  absl::Status s = CheckInclusion(7, 7, leaves[0], path0, root7);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("outside a tree of size 7"));
  s = CheckInclusion(0, 7, leaves[0], {leaves[1], h}, root7);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("inclusion proof has 2 hashes; tree of size 7 at index 0 needs 3"));
  s = CheckInclusion(0, 7, leaves[1], path0, root7);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("root mismatch"));
  EXPECT_EQ(CheckInclusion(0, 0, leaves[0], {}, empty).code(), absl::StatusCode::kInvalidArgument);

  // Hashes must be 32 bytes: leaf, root and every proof element.
  EXPECT_EQ(CheckInclusion(0, 7, leaves[0] + "x", path0, root7).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckInclusion(0, 7, leaves[0], path0, root7.substr(1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckInclusion(0, 7, leaves[0], {leaves[1], h, l + "x"}, root7).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckInclusion(0, 1, "", {}, "").code(), absl::StatusCode::kInvalidArgument);

  const std::vector<std::string> proof37 = {leaves[2], leaves[3], g, l};
  ASSERT_TRUE(CheckConsistency(3, 7, root3, root7, proof37).ok());
  s = CheckConsistency(7, 3, root7, root3, proof37);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("larger than new tree size"));
  s = CheckConsistency(3, 7, root3, root7, {leaves[2], leaves[3], g});
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("consistency proof has 3 hashes; sizes 3 to 7 need 4"));
  s = CheckConsistency(3, 7, root3, root7, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = CheckConsistency(3, 7, Unhex(kCtRoots[2]), root7, proof37);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("old root mismatch"));
  s = CheckConsistency(3, 7, root3, Unhex(kCtRoots[6]), proof37);
  EXPECT_THAT(std::string(s.message()), HasSubstr("new root mismatch"));
  EXPECT_EQ(CheckConsistency(3, 7, root3, root7, {leaves[2], leaves[3], g, l.substr(2)}).code(),
            absl::StatusCode::kInvalidArgument);

  // Equal sizes: only an empty proof between equal roots.
  EXPECT_TRUE(CheckConsistency(7, 7, root7, root7, {}).ok());
  EXPECT_FALSE(CheckConsistency(7, 7, root7, root3, {}).ok());
  EXPECT_FALSE(CheckConsistency(7, 7, root7, root7, {l}).ok());

  // From the empty tree: trivially consistent, with an empty proof and the empty root.
  EXPECT_TRUE(CheckConsistency(0, 7, empty, root7, {}).ok());
  EXPECT_TRUE(CheckConsistency(0, 0, empty, empty, {}).ok());
  EXPECT_FALSE(CheckConsistency(0, 7, empty, root7, {l}).ok());
  EXPECT_FALSE(CheckConsistency(0, 7, root3, root7, {}).ok());
  EXPECT_FALSE(CheckConsistency(0, 7, "", root7, {}).ok());
  EXPECT_FALSE(CheckConsistency(0, 7, empty, "", {}).ok());
}

// ---------------------------------------------------------------------------------------
// Ed25519.

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct TestKey {
  PkeyPtr key;
  std::string public_key;
};

TestKey NewKey() {
  TestKey out;
  out.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  EXPECT_NE(out.key, nullptr);
  size_t len = 32;
  out.public_key.resize(len);
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(
                out.key.get(), reinterpret_cast<unsigned char*>(out.public_key.data()), &len),
            1);
  EXPECT_EQ(len, 32u);
  return out;
}

std::string Sign(EVP_PKEY* key, std::string_view message) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string sig(64, '\0');
  size_t len = sig.size();
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key), 1);
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                           reinterpret_cast<const unsigned char*>(message.data()), message.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EXPECT_EQ(len, 64u);
  return sig;
}

TEST(CheckEd25519Test, AcceptsValidSignatureAndRejectsForgeries) {
  const TestKey key = NewKey();
  const TestKey other = NewKey();
  const std::string message = "tree_size=7 root=ddb89be4 timestamp=1767225600";
  const std::string sig = Sign(key.key.get(), message);

  EXPECT_TRUE(CheckEd25519(key.public_key, message, sig).ok());

  absl::Status s = CheckEd25519(other.public_key, message, sig);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("does not verify"));
  EXPECT_FALSE(CheckEd25519(other.public_key, message, Sign(key.key.get(), message)).ok());

  std::string changed = message;
  changed[10] ^= 1;
  EXPECT_FALSE(CheckEd25519(key.public_key, changed, sig).ok());
  EXPECT_FALSE(CheckEd25519(key.public_key, message + " ", sig).ok());

  std::string bad_sig = sig;
  bad_sig[0] ^= 0x80;
  EXPECT_FALSE(CheckEd25519(key.public_key, message, bad_sig).ok());

  EXPECT_EQ(CheckEd25519(key.public_key.substr(1), message, sig).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckEd25519(key.public_key, message, sig.substr(1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckEd25519(key.public_key, message, sig + "x").code(),
            absl::StatusCode::kInvalidArgument);
}

// RFC 8032 §7.1, test 1: the empty message under a fixed key.
TEST(CheckEd25519Test, AcceptsRfc8032TestVector) {
  const std::string public_key =
      Unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  const std::string sig = Unhex(
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
      "f9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(CheckEd25519(public_key, "", sig).ok());
  EXPECT_FALSE(CheckEd25519(public_key, std::string(1, '\0'), sig).ok());
}

}  // namespace
}  // namespace jijian::client
