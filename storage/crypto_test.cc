#include "storage/crypto.h"

#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Decodes hex that a test writes out literally; a typo fails the test.
std::string Unhex(std::string_view hex) {
  absl::StatusOr<std::string> bytes = FromHex(hex);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : std::string();
}

std::string TestKey(char fill) { return std::string(kAes256KeyBytes, fill); }

TEST(RandomBytesTest, ReturnsRequestedLengthAndFreshBytes) {
  absl::StatusOr<std::string> a = RandomBytes(32);
  absl::StatusOr<std::string> b = RandomBytes(32);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
  absl::StatusOr<std::string> empty = RandomBytes(0);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(Sha256Test, MatchesFipsVectors) {
  EXPECT_EQ(ToHex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(HmacSha256Test, MatchesRfc4231AndEmptyKey) {
  // RFC 4231 test case 2.
  EXPECT_EQ(ToHex(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(ToHex(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_NE(HmacSha256("key1", "data"), HmacSha256("key2", "data"));
}

TEST(HexTest, RoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  std::string hex = ToHex(all);
  EXPECT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(504), "fcfdfeff");
  absl::StatusOr<std::string> back = FromHex(hex);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, all);
  EXPECT_EQ(ToHex(""), "");
}

TEST(HexTest, AcceptsUpperCase) {
  absl::StatusOr<std::string> bytes = FromHex("ABcdEF");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes, "\xab\xcd\xef");
}

TEST(HexTest, RejectsBadHex) {
  for (std::string_view bad : {"0", "abc", "zz", "0g", "g0", "12 4", "-1", "0x12"}) {
    absl::StatusOr<std::string> bytes = FromHex(bad);
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument) << bad;
  }
}

TEST(AeadTest, RoundTrip) {
  const std::string key = TestKey('k');
  for (std::string_view plaintext : {std::string_view(""), std::string_view("举报人张三"),
                                     std::string_view("\0binary\xff", 8)}) {
    absl::StatusOr<std::string> sealed = AeadSeal(key, plaintext, "aad");
    ASSERT_TRUE(sealed.ok()) << sealed.status();
    EXPECT_EQ(sealed->size(), kGcmNonceBytes + plaintext.size() + kGcmTagBytes);
    absl::StatusOr<std::string> opened = AeadOpen(key, *sealed, "aad");
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(AeadTest, RoundTripWithEmptyAad) {
  const std::string key = TestKey('k');
  absl::StatusOr<std::string> sealed = AeadSeal(key, "secret", "");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  absl::StatusOr<std::string> opened = AeadOpen(key, *sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "secret");
}

TEST(AeadTest, OpensKnownAnswerVector) {
  // McGrew & Viega GCM test case 14: zero key, zero nonce, 16 zero bytes, no AAD.
  const std::string sealed = Unhex(
      "000000000000000000000000"
      "cea7403d4d606b6e074ec5d3baf39d18"
      "d0d1c8a799996bf0265b98b5d48ab919");
  absl::StatusOr<std::string> opened = AeadOpen(std::string(32, '\0'), sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, std::string(16, '\0'));
}

TEST(AeadTest, FlippingAnySingleBitFails) {
  const std::string key = TestKey('k');
  const std::string plaintext = "MARKER-plaintext";
  absl::StatusOr<std::string> sealed = AeadSeal(key, plaintext, "aad");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  for (size_t i = 0; i < sealed->size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string altered = *sealed;
      altered[i] = static_cast<char>(altered[i] ^ (1 << bit));
      absl::StatusOr<std::string> opened = AeadOpen(key, altered, "aad");
      ASSERT_EQ(opened.status().code(), absl::StatusCode::kDataLoss)
          << "byte " << i << " bit " << bit;
      EXPECT_THAT(opened.status().message(), Not(HasSubstr("MARKER")));
    }
  }
}

TEST(AeadTest, TruncatedOrExtendedFails) {
  const std::string key = TestKey('k');
  absl::StatusOr<std::string> sealed = AeadSeal(key, "secret", "aad");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  for (size_t n = 0; n < sealed->size(); ++n) {
    EXPECT_EQ(AeadOpen(key, sealed->substr(0, n), "aad").status().code(),
              absl::StatusCode::kDataLoss)
        << "length " << n;
  }
  EXPECT_EQ(AeadOpen(key, *sealed + "x", "aad").status().code(), absl::StatusCode::kDataLoss);
}

TEST(AeadTest, WrongAadFails) {
  const std::string key = TestKey('k');
  absl::StatusOr<std::string> sealed = AeadSeal(key, "secret", "row-1");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(AeadOpen(key, *sealed, "row-2").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(AeadOpen(key, *sealed, "").status().code(), absl::StatusCode::kDataLoss);
}

TEST(AeadTest, WrongKeyFails) {
  absl::StatusOr<std::string> sealed = AeadSeal(TestKey('k'), "secret", "aad");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  absl::StatusOr<std::string> opened = AeadOpen(TestKey('j'), *sealed, "aad");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(opened.status().message(), Not(HasSubstr("secret")));
}

TEST(AeadTest, WrongKeyLengthIsInvalidArgument) {
  for (size_t n : {0, 16, 31, 33, 64}) {
    const std::string key(n, 'k');
    EXPECT_EQ(AeadSeal(key, "secret", "aad").status().code(), absl::StatusCode::kInvalidArgument)
        << n;
    EXPECT_EQ(AeadOpen(key, std::string(40, 'x'), "aad").status().code(),
              absl::StatusCode::kInvalidArgument)
        << n;
  }
}

TEST(AeadTest, SealingTwiceUsesFreshNonces) {
  const std::string key = TestKey('k');
  absl::StatusOr<std::string> a = AeadSeal(key, "same plaintext", "aad");
  absl::StatusOr<std::string> b = AeadSeal(key, "same plaintext", "aad");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_NE(a->substr(0, kGcmNonceBytes), b->substr(0, kGcmNonceBytes));
}

TEST(Ed25519Test, MatchesRfc8032TestVector1) {
  const std::string private_key =
      Unhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
  absl::StatusOr<std::string> public_key = Ed25519PublicKey(private_key);
  ASSERT_TRUE(public_key.ok()) << public_key.status();
  EXPECT_EQ(ToHex(*public_key), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
  absl::StatusOr<std::string> signature = Ed25519Sign(private_key, "");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(ToHex(*signature),
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e"
            "39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
  EXPECT_TRUE(Ed25519Verify(*public_key, "", *signature));
}

TEST(Ed25519Test, SignVerifyRoundTrip) {
  absl::StatusOr<Ed25519KeyPair> pair = GenerateEd25519();
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->private_key.size(), kEd25519KeyBytes);
  EXPECT_EQ(pair->public_key.size(), kEd25519KeyBytes);
  EXPECT_EQ(*Ed25519PublicKey(pair->private_key), pair->public_key);
  absl::StatusOr<std::string> signature = Ed25519Sign(pair->private_key, "tree head 42");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(signature->size(), kEd25519SignatureBytes);
  EXPECT_TRUE(Ed25519Verify(pair->public_key, "tree head 42", *signature));
}

TEST(Ed25519Test, SignatureByAnotherKeyIsRejected) {
  absl::StatusOr<Ed25519KeyPair> signer = GenerateEd25519();
  absl::StatusOr<Ed25519KeyPair> other = GenerateEd25519();
  ASSERT_TRUE(signer.ok() && other.ok());
  EXPECT_NE(signer->public_key, other->public_key);
  absl::StatusOr<std::string> signature = Ed25519Sign(other->private_key, "tree head 42");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_FALSE(Ed25519Verify(signer->public_key, "tree head 42", *signature));
}

TEST(Ed25519Test, ModifiedMessageOrSignatureIsRejected) {
  absl::StatusOr<Ed25519KeyPair> pair = GenerateEd25519();
  ASSERT_TRUE(pair.ok()) << pair.status();
  absl::StatusOr<std::string> signature = Ed25519Sign(pair->private_key, "tree head 42");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_FALSE(Ed25519Verify(pair->public_key, "tree head 43", *signature));
  EXPECT_FALSE(Ed25519Verify(pair->public_key, "", *signature));
  std::string altered = *signature;
  altered[10] = static_cast<char>(altered[10] ^ 0x01);
  EXPECT_FALSE(Ed25519Verify(pair->public_key, "tree head 42", altered));
  EXPECT_FALSE(Ed25519Verify(pair->public_key, "tree head 42", signature->substr(0, 63)));
  EXPECT_FALSE(Ed25519Verify(pair->public_key.substr(0, 31), "tree head 42", *signature));
}

TEST(Ed25519Test, WrongPrivateKeyLengthIsInvalidArgument) {
  EXPECT_EQ(Ed25519Sign(std::string(31, 'k'), "m").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Ed25519PublicKey(std::string(64, 'k')).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jijian::storage
