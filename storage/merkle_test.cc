#include "storage/merkle.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::storage::merkle {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------------------
// An independent reference: RFC 6962 §2.1, §2.1.1 and §2.1.2 transcribed literally over a
// list of leaf hashes, hashing with OpenSSL directly.

std::string RefSha256(std::string_view data) {
  std::string out(32, '\0');
  unsigned int len = 0;
  EXPECT_EQ(EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), &len,
                       EVP_sha256(), nullptr),
            1);
  return out;
}

std::string RefNode(std::string_view l, std::string_view r) {
  return RefSha256(std::string(1, '\x01') + std::string(l) + std::string(r));
}

using Leaves = std::span<const std::string>;

size_t RefSplit(size_t n) {
  size_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

std::string RefMth(Leaves d) {
  if (d.empty()) return RefSha256("");
  if (d.size() == 1) return d[0];
  const size_t k = RefSplit(d.size());
  return RefNode(RefMth(d.subspan(0, k)), RefMth(d.subspan(k)));
}

std::vector<std::string> RefPath(size_t m, Leaves d) {
  if (d.size() == 1) return {};
  const size_t k = RefSplit(d.size());
  std::vector<std::string> out;
  if (m < k) {
    out = RefPath(m, d.subspan(0, k));
    out.push_back(RefMth(d.subspan(k)));
  } else {
    out = RefPath(m - k, d.subspan(k));
    out.push_back(RefMth(d.subspan(0, k)));
  }
  return out;
}

std::vector<std::string> RefSubproof(size_t m, Leaves d, bool b) {
  const size_t n = d.size();
  if (m == n) {
    if (b) return {};
    return {RefMth(d)};
  }
  const size_t k = RefSplit(n);
  std::vector<std::string> out;
  if (m <= k) {
    out = RefSubproof(m, d.subspan(0, k), b);
    out.push_back(RefMth(d.subspan(k)));
  } else {
    out = RefSubproof(m - k, d.subspan(k), false);
    out.push_back(RefMth(d.subspan(0, k)));
  }
  return out;
}

std::vector<std::string> RefProof(size_t m, Leaves d) { return RefSubproof(m, d, true); }

// ---------------------------------------------------------------------------------------
// Helpers.

std::string Unhex(std::string_view hex) {
  return absl::HexStringToBytes(absl::string_view(hex.data(), hex.size()));
}

std::vector<std::string> UnhexAll(const std::vector<std::string_view>& hexes) {
  std::vector<std::string> out;
  for (std::string_view h : hexes) out.push_back(Unhex(h));
  return out;
}

// A SubtreeFn over BuildLevels output; asking for a subtree that does not exist fails.
SubtreeFn LevelsFn(const std::vector<std::vector<std::string>>& levels) {
  return [&levels](uint64_t level, uint64_t index) -> absl::StatusOr<std::string> {
    if (level >= levels.size() || index >= levels[level].size()) {
      return absl::NotFoundError(absl::StrCat("no subtree (", level, ", ", index, ")"));
    }
    return levels[level][index];
  };
}

// The leaf inputs of the Certificate Transparency / transparency-dev test vectors.
std::vector<std::string> CtLeafHashes() {
  std::vector<std::string> out;
  for (std::string_view hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                               "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(LeafHash(Unhex(hex)));
  }
  return out;
}

std::vector<std::string> SyntheticLeafHashes(size_t n) {
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(LeafHash(absl::StrCat("event ", i)));
  return out;
}

// ---------------------------------------------------------------------------------------
// Hashing and the published vectors.

TEST(MerkleHashTest, PrefixesAndEmptyRootAreRfc6962) {
  EXPECT_EQ(absl::BytesToHexString(EmptyRoot()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(LeafHash("abc"), RefSha256(std::string("\x00"
                                                   "abc",
                                                   4)));
  EXPECT_EQ(NodeHash("left", "right"), RefSha256("\x01leftright"));
  EXPECT_NE(LeafHash("x"), RefSha256("x"));
}

// Roots published with the RFC 6962 test vectors (transparency-dev/merkle
// testonly/constants.go, also Trillian's merkle tests), for tree sizes 0 to 8.
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

TEST(MerkleVectorTest, RootsMatchPublishedVectorsAndReference) {
  const std::vector<std::string> leaves = CtLeafHashes();
  const auto levels = BuildLevels(leaves);
  for (uint64_t size = 0; size <= leaves.size(); ++size) {
    SCOPED_TRACE(absl::StrCat("size ", size));
    absl::StatusOr<std::string> root = Root(size, LevelsFn(levels));
    ASSERT_TRUE(root.ok()) << root.status();
    EXPECT_EQ(absl::BytesToHexString(*root), std::string(kCtRoots[size]));
    EXPECT_EQ(*root, RefMth(Leaves(leaves).first(size)));
  }
}

TEST(MerkleVectorTest, InclusionProofsMatchPublishedVectors) {
  const std::vector<std::string> leaves = CtLeafHashes();
  const auto levels = BuildLevels(leaves);
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
    absl::StatusOr<std::vector<std::string>> proof =
        InclusionProof(c.index, c.size, LevelsFn(levels));
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_THAT(*proof, ElementsAreArray(UnhexAll(c.proof)));
    EXPECT_TRUE(
        VerifyInclusion(c.index, c.size, leaves[c.index], *proof, Unhex(kCtRoots[c.size])).ok());
  }
}

TEST(MerkleVectorTest, ConsistencyProofsMatchPublishedVectors) {
  const std::vector<std::string> leaves = CtLeafHashes();
  const auto levels = BuildLevels(leaves);
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
    absl::StatusOr<std::vector<std::string>> proof =
        ConsistencyProof(c.old_size, c.new_size, LevelsFn(levels));
    ASSERT_TRUE(proof.ok()) << proof.status();
    EXPECT_THAT(*proof, ElementsAreArray(UnhexAll(c.proof)));
    EXPECT_TRUE(VerifyConsistency(c.old_size, c.new_size, Unhex(kCtRoots[c.old_size]),
                                  Unhex(kCtRoots[c.new_size]), *proof)
                    .ok());
  }
}

// The worked example of RFC 6962 §2.1.3: a tree of seven leaves d0..d6 with leaf hashes
// a, b, c, d, e, f, j and interior nodes g = (a, b), h = (c, d), i = (e, f), k = (g, h),
// l = (i, j).
TEST(MerkleVectorTest, Rfc6962WorkedExampleOfSevenLeaves) {
  const std::vector<std::string> leaves = CtLeafHashes();
  const auto levels = BuildLevels(leaves);
  const std::string a = leaves[0], b = leaves[1], c = leaves[2], d = leaves[3], e = leaves[4],
                    f = leaves[5], j = leaves[6];
  const std::string g = RefNode(a, b), h = RefNode(c, d), i = RefNode(e, f);
  const std::string k = RefNode(g, h), l = RefNode(i, j);
  const Leaves d7 = Leaves(leaves).first(7);

  auto path = [&](uint64_t m) { return *InclusionProof(m, 7, LevelsFn(levels)); };
  EXPECT_THAT(path(0), ElementsAreArray({b, h, l}));
  EXPECT_THAT(path(0), ElementsAreArray(RefPath(0, d7)));
  EXPECT_THAT(path(3), ElementsAreArray({c, g, l}));
  EXPECT_THAT(path(4), ElementsAreArray({f, j, k}));
  EXPECT_THAT(path(6), ElementsAreArray({i, k}));

  auto proof = [&](uint64_t m) { return *ConsistencyProof(m, 7, LevelsFn(levels)); };
  EXPECT_THAT(proof(3), ElementsAreArray({c, d, g, l}));
  EXPECT_THAT(proof(3), ElementsAreArray(RefProof(3, d7)));
  EXPECT_THAT(proof(4), ElementsAreArray({l}));
  EXPECT_THAT(proof(6), ElementsAreArray({i, j, k}));
  EXPECT_EQ(RefNode(k, l), Unhex(kCtRoots[7]));
}

// ---------------------------------------------------------------------------------------
// Agreement with the literal recursive definitions.

TEST(MerkleReferenceTest, EveryProofOfSmallTreesMatchesTheDefinition) {
  const std::vector<std::string> leaves = SyntheticLeafHashes(70);
  const auto levels = BuildLevels(leaves);
  for (uint64_t n = 1; n <= leaves.size(); ++n) {
    const Leaves dn = Leaves(leaves).first(n);
    const std::string root = RefMth(dn);
    ASSERT_EQ(*Root(n, LevelsFn(levels)), root) << "size " << n;
    for (uint64_t m = 0; m < n; ++m) {
      absl::StatusOr<std::vector<std::string>> path = InclusionProof(m, n, LevelsFn(levels));
      ASSERT_TRUE(path.ok()) << path.status();
      ASSERT_EQ(*path, RefPath(m, dn)) << "PATH(" << m << ", D[" << n << "])";
      ASSERT_TRUE(VerifyInclusion(m, n, leaves[m], *path, root).ok());
    }
    for (uint64_t m = 1; m <= n; ++m) {
      absl::StatusOr<std::vector<std::string>> proof = ConsistencyProof(m, n, LevelsFn(levels));
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_EQ(*proof, RefProof(m, dn)) << "PROOF(" << m << ", D[" << n << "])";
      ASSERT_TRUE(VerifyConsistency(m, n, RefMth(Leaves(leaves).first(m)), root, *proof).ok());
    }
  }
}

TEST(MerkleReferenceTest, BuildLevelsHoldsEveryCompleteSubtree) {
  const std::vector<std::string> leaves = SyntheticLeafHashes(13);
  const auto levels = BuildLevels(leaves);
  ASSERT_EQ(levels.size(), 4u);
  EXPECT_EQ(levels[0], leaves);
  for (size_t level = 0; level < levels.size(); ++level) {
    ASSERT_EQ(levels[level].size(), leaves.size() >> level);
    for (size_t index = 0; index < levels[level].size(); ++index) {
      const size_t width = size_t{1} << level;
      EXPECT_EQ(levels[level][index], RefMth(Leaves(leaves).subspan(index * width, width)))
          << "(" << level << ", " << index << ")";
    }
  }
  EXPECT_EQ(BuildLevels({}).size(), 1u);
  EXPECT_EQ(BuildLevels({leaves[0]}).size(), 1u);
}

// ---------------------------------------------------------------------------------------
// Properties over larger trees: proofs verify, and every single change is caught.

// Every proof obtained from a valid one by one change: a bit flipped in each element, each
// element dropped, an element added at either end, each adjacent pair swapped.
std::vector<std::pair<std::string, std::vector<std::string>>> Mutations(
    const std::vector<std::string>& proof, const std::string& extra) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (size_t i = 0; i < proof.size(); ++i) {
    std::vector<std::string> p = proof;
    p[i][(i * 7) % p[i].size()] ^= static_cast<char>(1 << (i % 8));
    out.emplace_back(absl::StrCat("flip a bit of element ", i), p);
    p = proof;
    p.erase(p.begin() + i);
    out.emplace_back(absl::StrCat("drop element ", i), p);
  }
  for (size_t i = 0; i + 1 < proof.size(); ++i) {
    std::vector<std::string> p = proof;
    std::swap(p[i], p[i + 1]);
    out.emplace_back(absl::StrCat("swap elements ", i, " and ", i + 1), p);
  }
  std::vector<std::string> p = proof;
  p.push_back(extra);
  out.emplace_back("append an element", p);
  p = proof;
  p.insert(p.begin(), extra);
  out.emplace_back("prepend an element", p);
  return out;
}

class MerklePropertyTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kMaxSize = 2000;

  void SetUp() override {
    leaves_ = SyntheticLeafHashes(kMaxSize + 1);
    levels_ = BuildLevels(leaves_);
    for (uint64_t n = 0; n <= kMaxSize + 1; ++n) roots_.push_back(*Root(n, LevelsFn(levels_)));
  }

  // Tree sizes: the edges, powers of two and their neighbours, and random sizes.
  std::vector<uint64_t> Sizes(std::mt19937_64& rng) const {
    std::vector<uint64_t> sizes = {1, 2, 3, 4, 5, 7, 8, 9, kMaxSize};
    for (uint64_t p = 16; p <= 1024; p *= 4) {
      sizes.insert(sizes.end(), {p - 1, p, p + 1});
    }
    std::uniform_int_distribution<uint64_t> dist(1, kMaxSize);
    for (int i = 0; i < 25; ++i) sizes.push_back(dist(rng));
    return sizes;
  }

  std::vector<std::string> leaves_;
  std::vector<std::vector<std::string>> levels_;
  std::vector<std::string> roots_;
};

TEST_F(MerklePropertyTest, InclusionProofsVerifyAndEveryMutationFails) {
  std::mt19937_64 rng(6962);
  for (uint64_t n : Sizes(rng)) {
    std::uniform_int_distribution<uint64_t> dist(0, n - 1);
    for (uint64_t m : {uint64_t{0}, n - 1, n / 2, dist(rng), dist(rng)}) {
      SCOPED_TRACE(absl::StrCat("index ", m, " size ", n));
      absl::StatusOr<std::vector<std::string>> proof = InclusionProof(m, n, LevelsFn(levels_));
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_TRUE(VerifyInclusion(m, n, leaves_[m], *proof, roots_[n]).ok());

      for (const auto& [what, bad] : Mutations(*proof, leaves_[kMaxSize])) {
        EXPECT_FALSE(VerifyInclusion(m, n, leaves_[m], bad, roots_[n]).ok()) << what;
      }
      if (n - 1 > m) {
        EXPECT_FALSE(VerifyInclusion(m, n - 1, leaves_[m], *proof, roots_[n - 1]).ok());
      }
      EXPECT_FALSE(VerifyInclusion(m, n + 1, leaves_[m], *proof, roots_[n + 1]).ok());
      if (m > 0) {
        EXPECT_FALSE(VerifyInclusion(m - 1, n, leaves_[m], *proof, roots_[n]).ok());
      }
      if (m + 1 < n) {
        EXPECT_FALSE(VerifyInclusion(m + 1, n, leaves_[m], *proof, roots_[n]).ok());
      }
      EXPECT_FALSE(VerifyInclusion(m, n, leaves_[kMaxSize], *proof, roots_[n]).ok());
      EXPECT_FALSE(VerifyInclusion(m, n, leaves_[m], *proof, roots_[n - 1]).ok());
    }
  }
}

TEST_F(MerklePropertyTest, ConsistencyProofsVerifyAndEveryMutationFails) {
  std::mt19937_64 rng(9162);
  for (uint64_t n : Sizes(rng)) {
    std::uniform_int_distribution<uint64_t> dist(1, n);
    std::vector<uint64_t> olds = {1, n, n - 1 > 0 ? n - 1 : 1, dist(rng), dist(rng), dist(rng)};
    for (uint64_t p = 1; p < n; p *= 2) olds.push_back(p);
    for (uint64_t m : olds) {
      SCOPED_TRACE(absl::StrCat("sizes ", m, " to ", n));
      absl::StatusOr<std::vector<std::string>> proof = ConsistencyProof(m, n, LevelsFn(levels_));
      ASSERT_TRUE(proof.ok()) << proof.status();
      ASSERT_TRUE(VerifyConsistency(m, n, roots_[m], roots_[n], *proof).ok());

      for (const auto& [what, bad] : Mutations(*proof, leaves_[kMaxSize])) {
        EXPECT_FALSE(VerifyConsistency(m, n, roots_[m], roots_[n], bad).ok()) << what;
      }
      if (m > 1) {
        EXPECT_FALSE(VerifyConsistency(m - 1, n, roots_[m - 1], roots_[n], *proof).ok());
      }
      if (m < n) {
        EXPECT_FALSE(VerifyConsistency(m + 1, n, roots_[m + 1], roots_[n], *proof).ok());
      }
      EXPECT_FALSE(VerifyConsistency(m, n + 1, roots_[m], roots_[n + 1], *proof).ok());
      if (n - 1 >= m && n > 1) {
        EXPECT_FALSE(VerifyConsistency(m, n - 1, roots_[m], roots_[n - 1], *proof).ok());
      }
      EXPECT_FALSE(VerifyConsistency(m, n, roots_[m - 1], roots_[n], *proof).ok());
      EXPECT_FALSE(VerifyConsistency(m, n, roots_[m], roots_[n - 1], *proof).ok());
    }
  }
}

// ---------------------------------------------------------------------------------------
// Cost: O(log n) lookups, only of complete subtrees.

// A fake store for a tree of a given size: each subtree hash is SHA-256 of its coordinates.
// It counts lookups and records any request for a subtree not complete within the tree.
class CountingStore {
 public:
  explicit CountingStore(uint64_t tree_size) : tree_size_(tree_size) {}

  SubtreeFn Fn() {
    return [this](uint64_t level, uint64_t index) -> absl::StatusOr<std::string> {
      ++calls_;
      if (level >= 64 || ((index + 1) << level) > tree_size_) {
        ++incomplete_;
        return absl::NotFoundError("incomplete subtree");
      }
      return RefSha256(absl::StrCat(level, "/", index));
    };
  }

  int TakeCalls() { return std::exchange(calls_, 0); }
  int incomplete() const { return incomplete_; }

 private:
  uint64_t tree_size_;
  int calls_ = 0;
  int incomplete_ = 0;
};

TEST(MerkleCostTest, ProofsUseLogarithmicallyManyCompleteSubtrees) {
  std::mt19937_64 rng(20);
  for (uint64_t n :
       {uint64_t{1} << 20, (uint64_t{1} << 20) - 1, (uint64_t{1} << 20) + 1, uint64_t{1000003}}) {
    SCOPED_TRACE(absl::StrCat("size ", n));
    const int log2n = std::bit_width(n - 1);  // ceil(log2(n))
    const int bound = 2 * log2n + 2;
    CountingStore store(n);
    ASSERT_TRUE(Root(n, store.Fn()).ok());
    EXPECT_EQ(store.TakeCalls(), std::popcount(n));

    std::uniform_int_distribution<uint64_t> dist(0, n - 1);
    std::vector<uint64_t> points = {0, 1, n / 2, n - 1, (uint64_t{1} << 19) - 1, uint64_t{1} << 19};
    for (int i = 0; i < 500; ++i) points.push_back(dist(rng));
    int max_inclusion = 0;
    for (uint64_t p : points) {
      ASSERT_TRUE(InclusionProof(p, n, store.Fn()).ok()) << p;
      const int inclusion_calls = store.TakeCalls();
      ASSERT_LE(inclusion_calls, bound) << "inclusion proof for index " << p;
      max_inclusion = std::max(max_inclusion, inclusion_calls);
      ASSERT_TRUE(ConsistencyProof(p + 1, n, store.Fn()).ok()) << p + 1;
      ASSERT_LE(store.TakeCalls(), bound) << "consistency proof from size " << p + 1;
    }
    // The proof for the first leaf needs about one lookup per level.
    EXPECT_GE(max_inclusion, log2n - 1);
    EXPECT_EQ(store.incomplete(), 0);
  }
}

// ---------------------------------------------------------------------------------------
// Arguments and errors.

TEST(MerkleArgumentTest, ProofGeneratorsRejectImpossibleSizes) {
  const auto levels = BuildLevels(SyntheticLeafHashes(8));
  EXPECT_EQ(InclusionProof(8, 8, LevelsFn(levels)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(InclusionProof(0, 0, LevelsFn(levels)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(0, 8, LevelsFn(levels)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConsistencyProof(5, 4, LevelsFn(levels)).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<std::vector<std::string>> same = ConsistencyProof(5, 5, LevelsFn(levels));
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->empty());
}

TEST(MerkleArgumentTest, StoreErrorsAndBadHashesPropagate) {
  SubtreeFn failing = [](uint64_t, uint64_t) -> absl::StatusOr<std::string> {
    return absl::UnavailableError("disk gone");
  };
  EXPECT_EQ(Root(5, failing).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(InclusionProof(1, 5, failing).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ConsistencyProof(3, 5, failing).status().code(), absl::StatusCode::kUnavailable);

  SubtreeFn short_hash = [](uint64_t, uint64_t) -> absl::StatusOr<std::string> {
    return std::string("short");
  };
  EXPECT_EQ(Root(3, short_hash).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(InclusionProof(0, 3, short_hash).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ConsistencyProof(1, 3, short_hash).status().code(), absl::StatusCode::kDataLoss);
}

TEST(MerkleArgumentTest, VerifiersRejectMalformedInputsWithReasons) {
  const std::vector<std::string> leaves = SyntheticLeafHashes(7);
  const auto levels = BuildLevels(leaves);
  const std::string root7 = *Root(7, LevelsFn(levels));
  const std::string root3 = *Root(3, LevelsFn(levels));
  const std::vector<std::string> path = *InclusionProof(0, 7, LevelsFn(levels));
  const std::vector<std::string> proof = *ConsistencyProof(3, 7, LevelsFn(levels));

  absl::Status s = VerifyInclusion(7, 7, leaves[0], path, root7);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("outside a tree of size 7"));

  std::vector<std::string> longer = path;
  longer.push_back(path[0]);
  s = VerifyInclusion(0, 7, leaves[0], longer, root7);
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("inclusion proof has 4 hashes; tree of size 7 at index 0 needs 3"));

  s = VerifyInclusion(0, 7, leaves[1], path, root7);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("root mismatch"));

  EXPECT_EQ(VerifyInclusion(0, 7, leaves[0].substr(1), path, root7).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyInclusion(0, 7, leaves[0], path, root7 + "x").code(),
            absl::StatusCode::kInvalidArgument);
  std::vector<std::string> short_element = path;
  short_element[1].pop_back();
  EXPECT_EQ(VerifyInclusion(0, 7, leaves[0], short_element, root7).code(),
            absl::StatusCode::kInvalidArgument);

  s = VerifyConsistency(8, 7, root3, root7, proof);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  s = VerifyConsistency(3, 7, root3, root7, {});
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("consistency proof has 0 hashes; sizes 3 to 7 need 4"));
  s = VerifyConsistency(3, 7, root7, root7, proof);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("old root mismatch"));
  s = VerifyConsistency(3, 7, root3, root3, proof);
  EXPECT_THAT(std::string(s.message()), HasSubstr("new root mismatch"));

  // Equal sizes: empty proof and equal roots.
  EXPECT_TRUE(VerifyConsistency(7, 7, root7, root7, {}).ok());
  EXPECT_FALSE(VerifyConsistency(7, 7, root7, root3, {}).ok());
  EXPECT_FALSE(VerifyConsistency(7, 7, root7, root7, {root7}).ok());

  // From the empty tree: trivially consistent, but only with an empty proof and the empty
  // tree's root.
  EXPECT_TRUE(VerifyConsistency(0, 7, EmptyRoot(), root7, {}).ok());
  EXPECT_TRUE(VerifyConsistency(0, 0, EmptyRoot(), EmptyRoot(), {}).ok());
  EXPECT_FALSE(VerifyConsistency(0, 7, EmptyRoot(), root7, {root7}).ok());
  EXPECT_FALSE(VerifyConsistency(0, 7, root3, root7, {}).ok());
  EXPECT_FALSE(VerifyConsistency(0, 7, "", root7, {}).ok());
}

}  // namespace
}  // namespace jijian::storage::merkle
