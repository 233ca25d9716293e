#include "storage/receipt.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/crypto.h"
#include "storage/keyring.h"

namespace jijian::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int kDraws = 2000;

// True when code has the shape XXXXX-XXXXX-XXXXX-XXXXX over kReceiptAlphabet.
bool WellFormed(std::string_view code) {
  if (code.size() != kReceiptChars + 3) return false;
  for (size_t i = 0; i < code.size(); ++i) {
    if (i == 5 || i == 11 || i == 17) {
      if (code[i] != '-') return false;
    } else if (kReceiptAlphabet.find(code[i]) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string MustGenerate() {
  absl::StatusOr<std::string> code = GenerateReceiptCode();
  EXPECT_TRUE(code.ok()) << code.status();
  return code.ok() ? *code : std::string();
}

TEST(ReceiptCodeTest, AlphabetHasNoLookAlikes) {
  EXPECT_EQ(kReceiptAlphabet.size(), 31u);
  for (char c : std::string_view("0O1IL")) {
    EXPECT_EQ(kReceiptAlphabet.find(c), std::string_view::npos) << c;
  }
  // 20 characters of a 31-letter alphabet carry more than the 80 bits the issue asks for.
  EXPECT_GE(kReceiptChars, 17u);  // 31^17 > 2^84
}

TEST(ReceiptCodeTest, FormatIsFourGroupsOfFive) {
  for (int i = 0; i < 200; ++i) {
    std::string code = MustGenerate();
    EXPECT_TRUE(WellFormed(code)) << code;
    for (char c : std::string_view("0O1IL")) {
      EXPECT_EQ(code.find(c), std::string::npos) << code;
    }
  }
}

TEST(ReceiptCodeTest, CodesDifferAcrossDraws) {
  std::set<std::string> seen;
  for (int i = 0; i < kDraws; ++i) seen.insert(MustGenerate());
  EXPECT_EQ(seen.size(), static_cast<size_t>(kDraws));
}

TEST(ReceiptCodeTest, CharactersAreRoughlyUniform) {
  std::map<char, int> counts;
  for (int i = 0; i < kDraws; ++i) {
    for (char c : MustGenerate()) {
      if (c != '-') ++counts[c];
    }
  }
  const double total = static_cast<double>(kDraws) * kReceiptChars;  // 40000
  const double expected = total / kReceiptAlphabet.size();           // about 1290
  for (char c : kReceiptAlphabet) {
    EXPECT_GT(counts[c], 0) << "never drew " << c;
    // About 35 is one standard deviation; these bounds are more than 8 away.
    EXPECT_GT(counts[c], expected - 300) << c;
    EXPECT_LT(counts[c], expected + 300) << c;
  }
  EXPECT_EQ(counts.size(), kReceiptAlphabet.size());
  // A plain `byte % 31` would draw the first 8 letters (256 % 31 == 8) with probability
  // 9/256 instead of 8/248: their total would be near 11250 instead of 10323 (sd about 87).
  int first_eight = 0;
  for (char c : kReceiptAlphabet.substr(0, 8)) first_eight += counts[c];
  const double uniform_first_eight = total * 8 / kReceiptAlphabet.size();
  EXPECT_LT(first_eight, uniform_first_eight + 450);
  EXPECT_GT(first_eight, uniform_first_eight - 450);
}

TEST(NormalizeReceiptCodeTest, GeneratedCodeRoundTrips) {
  std::string code = MustGenerate();
  absl::StatusOr<std::string> norm = NormalizeReceiptCode(code);
  ASSERT_TRUE(norm.ok()) << norm.status();
  std::string expected = code;
  std::erase(expected, '-');
  EXPECT_EQ(*norm, expected);
  EXPECT_EQ(norm->size(), kReceiptChars);
}

TEST(NormalizeReceiptCodeTest, LowerCaseDashesAndSpaces) {
  const std::string canonical = "ABCDE23456FGHJK789MN";
  for (std::string_view variant :
       {"ABCDE-23456-FGHJK-789MN", "abcde-23456-fghjk-789mn", "abcde 23456 fghjk 789mn",
        "AbCdE23456fGhJk789Mn", " ABCDE--23456 - FGHJK-789MN ", "ABCDE23456FGHJK789MN"}) {
    absl::StatusOr<std::string> norm = NormalizeReceiptCode(variant);
    ASSERT_TRUE(norm.ok()) << variant << ": " << norm.status();
    EXPECT_EQ(*norm, canonical) << variant;
  }
}

TEST(NormalizeReceiptCodeTest, WrongLengthRefusedWithoutEcho) {
  for (std::string_view bad :
       {"", "ABCDE-23456-FGHJK-789M", "ABCDE-23456-FGHJK-789MNP", "-----", "ABCDE"}) {
    absl::StatusOr<std::string> norm = NormalizeReceiptCode(bad);
    ASSERT_FALSE(norm.ok()) << bad;
    EXPECT_EQ(norm.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(norm.status().message(), "receipt_code: ")) << norm.status();
    if (bad.size() >= 5) {
      EXPECT_THAT(std::string(norm.status().message()), Not(HasSubstr(std::string(bad))));
      EXPECT_THAT(std::string(norm.status().message()), Not(HasSubstr("ABCDE")));
    }
  }
}

TEST(NormalizeReceiptCodeTest, LookAlikesAndForeignCharactersRefusedWithoutEcho) {
  // Each is a valid code with one character replaced.
  for (std::string_view bad :
       {"ABCDE-23456-FGHJK-789M0", "ABCDE-23456-FGHJK-789MO", "ABCDE-23456-FGHJK-789Mo",
        "ABCDE-23456-FGHJK-789M1", "ABCDE-23456-FGHJK-789MI", "ABCDE-23456-FGHJK-789Mi",
        "ABCDE-23456-FGHJK-789ML", "ABCDE-23456-FGHJK-789Ml", "ABCDE-23456-FGHJK-789M_",
        "ABCDE-23456-FGHJK-789M\t", "ABCDE-23456-FGHJK-789M码"}) {
    absl::StatusOr<std::string> norm = NormalizeReceiptCode(bad);
    ASSERT_FALSE(norm.ok()) << bad;
    EXPECT_EQ(norm.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StartsWith(norm.status().message(), "receipt_code: ")) << norm.status();
    EXPECT_THAT(std::string(norm.status().message()), Not(HasSubstr("ABCDE")));
    EXPECT_THAT(std::string(norm.status().message()), Not(HasSubstr("789M")));
  }
}

// A keyring with a fresh KEK and one fresh active key per domain.
std::unique_ptr<Keyring> NewKeyring() {
  absl::StatusOr<std::string> raw = RandomBytes(kAes256KeyBytes);
  EXPECT_TRUE(raw.ok());
  absl::StatusOr<Kek> kek = Kek::FromBytes(raw.ok() ? *raw : std::string());
  EXPECT_TRUE(kek.ok()) << kek.status();
  if (!kek.ok()) return nullptr;
  std::vector<WrappedKey> keys;
  for (KeyDomain domain :
       {KeyDomain::kIdentity, KeyDomain::kContent, KeyDomain::kIndex, KeyDomain::kAuditSigning}) {
    absl::StatusOr<WrappedKey> key = NewWrappedKey(*kek, domain);
    EXPECT_TRUE(key.ok()) << key.status();
    if (!key.ok()) return nullptr;
    keys.push_back(*std::move(key));
  }
  absl::StatusOr<std::unique_ptr<Keyring>> ring = Keyring::Open(*kek, keys);
  EXPECT_TRUE(ring.ok()) << ring.status();
  return ring.ok() ? *std::move(ring) : nullptr;
}

TEST(ReceiptDigestTest, DependsOnIndexKeyAndCode) {
  std::unique_ptr<Keyring> a = NewKeyring();
  std::unique_ptr<Keyring> b = NewKeyring();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  const std::string code = "ABCDE23456FGHJK789MN";
  const std::string other = "ABCDE23456FGHJK789MP";

  std::string digest = ReceiptDigest(*a, code);
  EXPECT_FALSE(digest.empty());
  EXPECT_EQ(ReceiptDigest(*a, code), digest);   // stable under the same key
  EXPECT_NE(ReceiptDigest(*b, code), digest);   // another server key: another digest
  EXPECT_NE(ReceiptDigest(*a, other), digest);  // one character changes it
  EXPECT_THAT(digest, Not(HasSubstr(code)));    // not the code itself
  // Not a bare unkeyed hash of the code either.
  EXPECT_THAT(Sha256(code), Not(HasSubstr(digest)));
  // Separated from other blind indexes of the same value.
  EXPECT_NE(a->BlindIndex("subject", code), digest);
}

}  // namespace
}  // namespace jijian::storage
