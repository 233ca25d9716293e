#include "storage/keyring.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/crypto.h"

namespace jijian::storage {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr KeyDomain kAllDomains[] = {KeyDomain::kIdentity, KeyDomain::kContent, KeyDomain::kIndex,
                                     KeyDomain::kAuditSigning};

constexpr FieldRef kReporterName = {
    .table = "petitions", .column = "reporter_name", .row_id = "XF-2026-000001"};

Kek NewKek() {
  absl::StatusOr<std::string> raw = RandomBytes(kAes256KeyBytes);
  EXPECT_TRUE(raw.ok());
  absl::StatusOr<Kek> kek = Kek::FromBytes(*raw);
  EXPECT_TRUE(kek.ok()) << kek.status();
  return *std::move(kek);
}

// One fresh active key for every domain, wrapped under kek.
std::vector<WrappedKey> NewKeySet(const Kek& kek) {
  std::vector<WrappedKey> keys;
  for (KeyDomain domain : kAllDomains) {
    absl::StatusOr<WrappedKey> key = NewWrappedKey(kek, domain);
    EXPECT_TRUE(key.ok()) << key.status();
    keys.push_back(*std::move(key));
  }
  return keys;
}

std::unique_ptr<Keyring> MustOpen(const Kek& kek, const std::vector<WrappedKey>& keys) {
  absl::StatusOr<std::unique_ptr<Keyring>> ring = Keyring::Open(kek, keys);
  EXPECT_TRUE(ring.ok()) << ring.status();
  return ring.ok() ? *std::move(ring) : nullptr;
}

// The raw DEK of a wrapped key, unwrapped the way the design specifies.
std::string UnwrapForTest(const Kek& kek, const WrappedKey& key) {
  absl::StatusOr<std::string> dek = AeadOpen(
      kek.bytes(), key.wrapped,
      absl::StrCat("jijian/kek/v1|", std::string(KeyDomainName(key.domain)), "|", key.key_id));
  EXPECT_TRUE(dek.ok()) << dek.status();
  return dek.ok() ? *dek : std::string();
}

class KeyringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = NewKeySet(kek_);
    ring_ = MustOpen(kek_, keys_);
    ASSERT_NE(ring_, nullptr);
  }

  std::string MustSeal(KeyDomain domain, const FieldRef& where, std::string_view plaintext) {
    absl::StatusOr<std::string> sealed = ring_->Seal(domain, where, plaintext);
    EXPECT_TRUE(sealed.ok()) << sealed.status();
    return sealed.ok() ? *sealed : std::string();
  }

  Kek kek_ = NewKek();
  std::vector<WrappedKey> keys_;
  std::unique_ptr<Keyring> ring_;
};

TEST(KeyDomainTest, NamesRoundTrip) {
  EXPECT_EQ(KeyDomainName(KeyDomain::kIdentity), "identity");
  EXPECT_EQ(KeyDomainName(KeyDomain::kContent), "content");
  EXPECT_EQ(KeyDomainName(KeyDomain::kIndex), "index");
  EXPECT_EQ(KeyDomainName(KeyDomain::kAuditSigning), "audit_signing");
  for (KeyDomain domain : kAllDomains) {
    absl::StatusOr<KeyDomain> parsed = ParseKeyDomain(KeyDomainName(domain));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, domain);
  }
  EXPECT_EQ(ParseKeyDomain("Identity").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseKeyDomain("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, SealOpenRoundTrip) {
  for (KeyDomain domain : {KeyDomain::kIdentity, KeyDomain::kContent}) {
    for (std::string_view plaintext : {"张三", "", "举报内容：某局长收受礼金"}) {
      std::string sealed = MustSeal(domain, kReporterName, plaintext);
      absl::StatusOr<std::string> opened = ring_->Open(kReporterName, sealed);
      ASSERT_TRUE(opened.ok()) << opened.status();
      EXPECT_EQ(*opened, plaintext);
    }
  }
}

TEST_F(KeyringTest, SealedLayoutCarriesVersionAndKeyId) {
  const std::string& key_id = ring_->active_key_id(KeyDomain::kIdentity);
  std::string sealed = MustSeal(KeyDomain::kIdentity, kReporterName, "张三");
  ASSERT_GE(sealed.size(), 2 + key_id.size());
  EXPECT_EQ(sealed[0], '\x01');
  EXPECT_EQ(static_cast<unsigned char>(sealed[1]), key_id.size());
  EXPECT_EQ(sealed.substr(2, key_id.size()), key_id);
  EXPECT_EQ(sealed.size(),
            2 + key_id.size() + kGcmNonceBytes + std::string("张三").size() + kGcmTagBytes);
  EXPECT_THAT(sealed, Not(HasSubstr("张三")));

  // The tail is a plain AeadSeal under the identity DEK with the documented AAD.
  std::string dek = UnwrapForTest(kek_, keys_[0]);
  absl::StatusOr<std::string> opened =
      AeadOpen(dek, sealed.substr(2 + key_id.size()),
               absl::StrCat("jijian/field/v1|petitions|reporter_name|XF-2026-000001|", key_id));
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "张三");
}

TEST_F(KeyringTest, ValueMovedToAnotherPlaceFails) {
  std::string sealed = MustSeal(KeyDomain::kIdentity, kReporterName, "MARKER-张三");
  const FieldRef other_row = {kReporterName.table, kReporterName.column, "XF-2026-000002"};
  const FieldRef other_column = {kReporterName.table, "reporter_phone", kReporterName.row_id};
  const FieldRef other_table = {"leads", kReporterName.column, kReporterName.row_id};
  for (const FieldRef& where : {other_row, other_column, other_table}) {
    absl::StatusOr<std::string> opened = ring_->Open(where, sealed);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss)
        << where.table << "." << where.column << " " << where.row_id;
    EXPECT_THAT(opened.status().message(), Not(HasSubstr("MARKER")));
  }
}

TEST_F(KeyringTest, AlteredValueFails) {
  std::string sealed = MustSeal(KeyDomain::kContent, kReporterName, "secret");
  const size_t body = 2 + ring_->active_key_id(KeyDomain::kContent).size();
  for (size_t i = body; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = static_cast<char>(altered[i] ^ 0x80);
    EXPECT_EQ(ring_->Open(kReporterName, altered).status().code(), absl::StatusCode::kDataLoss)
        << "byte " << i;
  }
}

TEST_F(KeyringTest, TruncatedOrUnknownVersionIsDataLoss) {
  std::string sealed = MustSeal(KeyDomain::kContent, kReporterName, "secret");
  const size_t header = 2 + ring_->active_key_id(KeyDomain::kContent).size();
  for (size_t n :
       {size_t{0}, size_t{1}, size_t{2}, header, header + kGcmNonceBytes, sealed.size() - 1}) {
    EXPECT_EQ(ring_->Open(kReporterName, sealed.substr(0, n)).status().code(),
              absl::StatusCode::kDataLoss)
        << "length " << n;
  }
  std::string wrong_version = sealed;
  wrong_version[0] = '\x02';
  EXPECT_EQ(ring_->Open(kReporterName, wrong_version).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(KeyringTest, UnknownKeyIdIsNotFound) {
  std::string sealed = MustSeal(KeyDomain::kContent, kReporterName, "secret");
  sealed[2 + 1] = 'X';  // "content-..." becomes "cXntent-...", a key id not in the ring
  absl::StatusOr<std::string> opened = ring_->Open(kReporterName, sealed);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(opened.status().message(), HasSubstr("cXntent-"));
}

TEST_F(KeyringTest, SeparatorInFieldRefIsInvalidArgument) {
  const FieldRef bad = {"petitions", "reporter_name|x", "XF-2026-000001"};
  EXPECT_EQ(ring_->Seal(KeyDomain::kIdentity, bad, "v").status().code(),
            absl::StatusCode::kInvalidArgument);
  std::string sealed = MustSeal(KeyDomain::kIdentity, kReporterName, "v");
  EXPECT_EQ(ring_->Open(bad, sealed).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(KeyringTest, ValueFromKeyringWithOtherDeksFails) {
  std::string sealed = MustSeal(KeyDomain::kIdentity, kReporterName, "张三");

  // Other DEKs under other key ids: the key id is unknown.
  std::unique_ptr<Keyring> other = MustOpen(kek_, NewKeySet(kek_));
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->Open(kReporterName, sealed).status().code(), absl::StatusCode::kNotFound);

  // Other DEKs under the same key ids: authentication fails.
  std::vector<WrappedKey> forged = keys_;
  for (WrappedKey& key : forged) {
    absl::StatusOr<std::string> dek = RandomBytes(kAes256KeyBytes);
    ASSERT_TRUE(dek.ok());
    absl::StatusOr<std::string> wrapped = AeadSeal(
        kek_.bytes(), *dek,
        absl::StrCat("jijian/kek/v1|", std::string(KeyDomainName(key.domain)), "|", key.key_id));
    ASSERT_TRUE(wrapped.ok());
    key.wrapped = *wrapped;
  }
  std::unique_ptr<Keyring> same_ids = MustOpen(kek_, forged);
  ASSERT_NE(same_ids, nullptr);
  EXPECT_EQ(same_ids->active_key_id(KeyDomain::kIdentity),
            ring_->active_key_id(KeyDomain::kIdentity));
  EXPECT_EQ(same_ids->Open(kReporterName, sealed).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(KeyringTest, NewWrappedKeyHasDomainIdAndWrapsA32ByteKey) {
  for (size_t i = 0; i < keys_.size(); ++i) {
    const WrappedKey& key = keys_[i];
    EXPECT_EQ(key.domain, kAllDomains[i]);
    EXPECT_THAT(key.key_id,
                MatchesRegex(absl::StrCat(std::string(KeyDomainName(key.domain)), "-[0-9a-f]{8}")));
    EXPECT_TRUE(key.active);
    EXPECT_EQ(key.wrapped.size(), kGcmNonceBytes + kAes256KeyBytes + kGcmTagBytes);
    EXPECT_EQ(UnwrapForTest(kek_, key).size(), kAes256KeyBytes);
    EXPECT_EQ(ring_->active_key_id(key.domain), key.key_id);
  }
  absl::StatusOr<WrappedKey> again = NewWrappedKey(kek_, KeyDomain::kIdentity);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(again->key_id, keys_[0].key_id);
  EXPECT_NE(UnwrapForTest(kek_, *again), UnwrapForTest(kek_, keys_[0]));
}

TEST_F(KeyringTest, WrappedKeysUnwrapToTheSameDeks) {
  // A second keyring opened from the stored (wrapped) keys opens what the first sealed.
  std::string sealed = MustSeal(KeyDomain::kContent, kReporterName, "举报内容");
  std::unique_ptr<Keyring> reopened = MustOpen(kek_, keys_);
  ASSERT_NE(reopened, nullptr);
  absl::StatusOr<std::string> opened = reopened->Open(kReporterName, sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "举报内容");
  EXPECT_EQ(reopened->audit_public_key(), ring_->audit_public_key());
  EXPECT_EQ(reopened->BlindIndex("name", "张三"), ring_->BlindIndex("name", "张三"));
}

TEST_F(KeyringTest, WrappedKeyBoundToItsIdAndDomain) {
  std::vector<WrappedKey> renamed = keys_;
  renamed[1].key_id = "content-00000000";
  absl::StatusOr<std::unique_ptr<Keyring>> ring = Keyring::Open(kek_, renamed);
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kPermissionDenied);

  std::vector<WrappedKey> moved = keys_;
  std::swap(moved[0].domain, moved[1].domain);
  ring = Keyring::Open(kek_, moved);
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(KeyringTest, RewrapUnderNewKek) {
  std::string sealed = MustSeal(KeyDomain::kIdentity, kReporterName, "张三");
  const Kek new_kek = NewKek();
  std::vector<WrappedKey> rewrapped;
  for (const WrappedKey& key : keys_) {
    absl::StatusOr<WrappedKey> r = RewrapKey(kek_, new_kek, key);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->key_id, key.key_id);
    EXPECT_EQ(r->domain, key.domain);
    EXPECT_EQ(r->active, key.active);
    EXPECT_NE(r->wrapped, key.wrapped);
    rewrapped.push_back(*std::move(r));
  }

  std::unique_ptr<Keyring> ring = MustOpen(new_kek, rewrapped);
  ASSERT_NE(ring, nullptr);
  absl::StatusOr<std::string> opened = ring->Open(kReporterName, sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "张三");

  absl::StatusOr<std::unique_ptr<Keyring>> with_old = Keyring::Open(kek_, rewrapped);
  EXPECT_EQ(with_old.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(with_old.status().message(), HasSubstr(rewrapped[0].key_id));
}

TEST_F(KeyringTest, RewrapWithWrongOldKekIsPermissionDenied) {
  const Kek stranger = NewKek();
  absl::StatusOr<WrappedKey> r = RewrapKey(stranger, NewKek(), keys_[0]);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(r.status().message(), HasSubstr(keys_[0].key_id));
}

TEST_F(KeyringTest, WrongKekIsPermissionDeniedNamingTheKey) {
  absl::StatusOr<std::unique_ptr<Keyring>> ring = Keyring::Open(NewKek(), keys_);
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(ring.status().message(), HasSubstr(keys_[0].key_id));
}

TEST_F(KeyringTest, MissingDomainIsFailedPrecondition) {
  for (size_t i = 0; i < keys_.size(); ++i) {
    std::vector<WrappedKey> partial = keys_;
    partial.erase(partial.begin() + static_cast<std::ptrdiff_t>(i));
    absl::StatusOr<std::unique_ptr<Keyring>> ring = Keyring::Open(kek_, partial);
    EXPECT_EQ(ring.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_THAT(ring.status().message(), HasSubstr(KeyDomainName(kAllDomains[i])));
  }
  EXPECT_EQ(Keyring::Open(kek_, {}).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(KeyringTest, InactiveOnlyDomainIsFailedPrecondition) {
  std::vector<WrappedKey> keys = keys_;
  keys[2].active = false;
  absl::StatusOr<std::unique_ptr<Keyring>> ring = Keyring::Open(kek_, keys);
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ring.status().message(), HasSubstr("index"));
}

TEST_F(KeyringTest, TwoActiveKeysInOneDomainIsFailedPrecondition) {
  std::vector<WrappedKey> keys = keys_;
  absl::StatusOr<WrappedKey> extra = NewWrappedKey(kek_, KeyDomain::kContent);
  ASSERT_TRUE(extra.ok());
  keys.push_back(*extra);
  absl::StatusOr<std::unique_ptr<Keyring>> ring = Keyring::Open(kek_, keys);
  EXPECT_EQ(ring.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(ring.status().message(), HasSubstr("content"));
}

TEST_F(KeyringTest, DuplicateKeyIdIsFailedPrecondition) {
  std::vector<WrappedKey> keys = keys_;
  keys.push_back(keys_[1]);
  keys.back().active = false;
  EXPECT_EQ(Keyring::Open(kek_, keys).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(KeyringTest, RotatedDekSealsWithNewKeyAndOpensOldValues) {
  std::string old_sealed = MustSeal(KeyDomain::kContent, kReporterName, "旧内容");
  std::vector<WrappedKey> keys = keys_;
  keys[1].active = false;
  absl::StatusOr<WrappedKey> fresh = NewWrappedKey(kek_, KeyDomain::kContent);
  ASSERT_TRUE(fresh.ok());
  keys.push_back(*fresh);
  std::unique_ptr<Keyring> ring = MustOpen(kek_, keys);
  ASSERT_NE(ring, nullptr);
  EXPECT_EQ(ring->active_key_id(KeyDomain::kContent), fresh->key_id);

  absl::StatusOr<std::string> opened = ring->Open(kReporterName, old_sealed);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "旧内容");
  absl::StatusOr<std::string> new_sealed = ring->Seal(KeyDomain::kContent, kReporterName, "新");
  ASSERT_TRUE(new_sealed.ok());
  EXPECT_EQ(new_sealed->substr(2, fresh->key_id.size()), fresh->key_id);
}

TEST_F(KeyringTest, BlindIndexIsHmacOfPurposeAndNormalizedValue) {
  std::string index_key = UnwrapForTest(kek_, keys_[2]);
  std::string expected = HmacSha256(index_key, std::string("name\0abc 123", 12)).substr(0, 16);
  // The digest is followed by the tag of the key it was made under (its id's last 8).
  const std::string tag = keys_[2].key_id.substr(keys_[2].key_id.size() - 8);
  EXPECT_EQ(ring_->BlindIndex("name", "  ＡＢＣ　１２３ "), expected + tag);
  EXPECT_EQ(Keyring::DigestTag(keys_[2].key_id), tag);
}

// A second index key extends the chain: the new digest is the HMAC, under the new key, of
// the old digest's 16 bytes; lookups get both generations; AdvanceDigest carries an old
// digest to the new generation without the value.
TEST_F(KeyringTest, RotatedIndexKeyChainsDigestsAndAdvancesOldOnes) {
  const std::string old_digest = ring_->BlindIndex("person:id", "110105194912310021");
  absl::StatusOr<WrappedKey> fresh = NewWrappedKey(kek_, KeyDomain::kIndex);
  ASSERT_TRUE(fresh.ok());
  fresh->active = false;
  EXPECT_EQ(ring_->AddKey(kek_, *fresh).code(), absl::StatusCode::kInvalidArgument);
  fresh->active = true;
  ASSERT_TRUE(ring_->AddKey(kek_, *fresh).ok());
  EXPECT_EQ(ring_->active_key_id(KeyDomain::kIndex), fresh->key_id);

  const std::string new_key = UnwrapForTest(kek_, *fresh);
  const std::string expected =
      HmacSha256(new_key, old_digest.substr(0, 16)).substr(0, 16) + Keyring::DigestTag(fresh->key_id);
  const std::string new_digest = ring_->BlindIndex("person:id", "110105194912310021");
  EXPECT_EQ(new_digest, expected);
  EXPECT_EQ(new_digest.size(), Keyring::kDigestBytes);
  EXPECT_EQ(ring_->BlindIndexes("person:id", "110105194912310021"),
            (std::vector<std::string>{old_digest, new_digest}));

  absl::StatusOr<std::string> advanced = ring_->AdvanceDigest(old_digest);
  ASSERT_TRUE(advanced.ok()) << advanced.status();
  EXPECT_EQ(*advanced, new_digest);
  absl::StatusOr<std::string> same = ring_->AdvanceDigest(new_digest);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(*same, new_digest);
  // A digest naming no key of the chain, or of the wrong size, is refused.
  std::string unknown = old_digest;
  unknown.replace(16, 8, "zzzzzzzz");
  EXPECT_EQ(ring_->AdvanceDigest(unknown).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(ring_->AdvanceDigest(old_digest.substr(0, 16)).status().code(),
            absl::StatusCode::kDataLoss);

  // Reopened from storage, in creation order, the keyring computes the same digests.
  std::vector<WrappedKey> keys = keys_;
  keys[2].active = false;
  keys.push_back(*fresh);
  std::unique_ptr<Keyring> reopened = MustOpen(kek_, keys);
  ASSERT_NE(reopened, nullptr);
  EXPECT_EQ(reopened->BlindIndex("person:id", "110105194912310021"), new_digest);
  // Out of order (the active index key not the newest) is refused.
  std::vector<WrappedKey> swapped = {keys[0], keys[1], *fresh, keys[3], keys[2]};
  EXPECT_EQ(Keyring::Open(kek_, swapped).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(KeyringTest, IndexKeyWhoseTagIsTakenIsRefused) {
  absl::StatusOr<WrappedKey> fresh = NewWrappedKey(kek_, KeyDomain::kIndex);
  ASSERT_TRUE(fresh.ok());
  WrappedKey clash = *fresh;
  clash.active = true;
  // Same last 8 characters as the existing index key, another id.
  clash.key_id = "index-x" + keys_[2].key_id.substr(keys_[2].key_id.size() - 8);
  absl::StatusOr<std::string> dek = AeadOpen(kek_.bytes(), fresh->wrapped,
                                             "jijian/kek/v1|index|" + fresh->key_id);
  ASSERT_TRUE(dek.ok());
  absl::StatusOr<std::string> rewrapped =
      AeadSeal(kek_.bytes(), *dek, "jijian/kek/v1|index|" + clash.key_id);
  ASSERT_TRUE(rewrapped.ok());
  clash.wrapped = *rewrapped;
  absl::Status st = ring_->AddKey(kek_, clash);
  EXPECT_EQ(st.code(), absl::StatusCode::kAlreadyExists) << st;
  EXPECT_EQ(ring_->active_key_id(KeyDomain::kIndex), keys_[2].key_id);
}

TEST_F(KeyringTest, BlindIndexStableAcrossEquivalentInputs) {
  const std::string a = ring_->BlindIndex("name", "张三 ");
  EXPECT_EQ(a.size(), Keyring::kDigestBytes);
  EXPECT_EQ(a, ring_->BlindIndex("name", "张三"));
  EXPECT_EQ(a, ring_->BlindIndex("name", "　张三"));
  EXPECT_EQ(ring_->BlindIndex("id", "ＡＢＣ１２３"), ring_->BlindIndex("id", "abc123"));
  EXPECT_EQ(ring_->BlindIndex("id", "ABC123"), ring_->BlindIndex("id", "abc123"));
}

TEST_F(KeyringTest, BlindIndexDistinguishesValuesPurposesAndKeys) {
  const std::string a = ring_->BlindIndex("name", "张三");
  EXPECT_NE(a, ring_->BlindIndex("name", "李四"));
  EXPECT_NE(a, ring_->BlindIndex("name", "张 三"));
  EXPECT_NE(a, ring_->BlindIndex("phone", "张三"));
  std::unique_ptr<Keyring> other = MustOpen(kek_, NewKeySet(kek_));
  ASSERT_NE(other, nullptr);
  EXPECT_NE(a, other->BlindIndex("name", "张三"));
  EXPECT_EQ(other->BlindIndex("name", "张三").size(), Keyring::kDigestBytes);
}

TEST(NormalizeTest, Table) {
  struct Case {
    std::string_view in;
    std::string_view out;
  };
  const Case cases[] = {
      {"", ""},
      {"   ", ""},
      {"张三 ", "张三"},
      {"张三", "张三"},
      {"  Hello \t\n World  ", "hello world"},
      {"ＡＢＣ１２３", "abc123"},
      {"Ｚｚ", "zz"},
      {"！～", "!~"},       // U+FF01 and U+FF5E, the ends of the full-width range
      {"｟", "｟"},         // U+FF5F is outside it
      {"张　三", "张 三"},  // U+3000 ideographic space
      {"　张三　　", "张三"},
      {"\r\n李\v\f四\t", "李 四"},
      {"ÄÖ", "ÄÖ"},  // only ASCII letters are lower-cased
      {"\xff"
       "A",
       "\xff"
       "a"},  // invalid bytes pass through
      {"\xe5\x90"
       "A",
       "\xe5\x90"
       "a"},  // truncated sequence passes through
      {"\xc0\xa0"
       "x",
       "\xc0\xa0"
       "x"},                             // overlong space is not a space
      {"\xed\xa0\x80", "\xed\xa0\x80"},  // a surrogate passes through
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Keyring::Normalize(c.in), c.out) << "input: " << c.in;
  }
}

TEST_F(KeyringTest, SignAuditVerifiesWithAuditPublicKey) {
  absl::StatusOr<std::string> signature = ring_->SignAudit("tree head 7");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(signature->size(), kEd25519SignatureBytes);
  EXPECT_TRUE(Ed25519Verify(ring_->audit_public_key(), "tree head 7", *signature));
  EXPECT_FALSE(Ed25519Verify(ring_->audit_public_key(), "tree head 8", *signature));

  absl::StatusOr<std::string> derived = Ed25519PublicKey(UnwrapForTest(kek_, keys_[3]));
  ASSERT_TRUE(derived.ok());
  EXPECT_EQ(ring_->audit_public_key(), *derived);

  std::unique_ptr<Keyring> other = MustOpen(kek_, NewKeySet(kek_));
  ASSERT_NE(other, nullptr);
  EXPECT_FALSE(Ed25519Verify(other->audit_public_key(), "tree head 7", *signature));
}

// Each test gets its own directory under the GoogleTest temp dir.
class KekFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "kek_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/kek.hex";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteFile(const std::string& content, mode_t mode) {
    int fd = open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, mode);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
    close(fd);
    ASSERT_EQ(chmod(path_.c_str(), mode), 0);
  }

  std::string ReadFile() {
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::string dir_;
  std::string path_;
};

TEST_F(KekFileTest, CreateWritesHexWithMode0600AndLoadReadsIt) {
  absl::StatusOr<Kek> created = Kek::Create(path_);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->bytes().size(), kAes256KeyBytes);

  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(ReadFile(), ToHex(created->bytes()) + "\n");
  EXPECT_THAT(ReadFile(), MatchesRegex("[0-9a-f]{64}\n"));

  absl::StatusOr<Kek> loaded = Kek::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->bytes(), created->bytes());
  EXPECT_EQ(loaded->id(), created->id());
}

TEST_F(KekFileTest, CreateRefusesExistingPath) {
  ASSERT_TRUE(Kek::Create(path_).ok());
  const std::string before = ReadFile();
  absl::StatusOr<Kek> again = Kek::Create(path_);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadFile(), before);
}

TEST_F(KekFileTest, LoadRefusesFileReadableByGroupOrOthers) {
  absl::StatusOr<Kek> created = Kek::Create(path_);
  ASSERT_TRUE(created.ok());
  for (mode_t mode : {0644, 0640, 0604}) {
    ASSERT_EQ(chmod(path_.c_str(), mode), 0);
    absl::StatusOr<Kek> loaded = Kek::Load(path_);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition) << std::oct << mode;
    EXPECT_THAT(loaded.status().message(), HasSubstr(path_));
    EXPECT_THAT(loaded.status().message(), HasSubstr("0600"));
    EXPECT_THAT(loaded.status().message(), Not(HasSubstr(ToHex(created->bytes()))));
  }
  ASSERT_EQ(chmod(path_.c_str(), 0600), 0);
  EXPECT_TRUE(Kek::Load(path_).ok());
  ASSERT_EQ(chmod(path_.c_str(), 0400), 0);
  EXPECT_TRUE(Kek::Load(path_).ok());
}

TEST_F(KekFileTest, LoadRejectsContentThatIsNot64HexDigits) {
  const std::string good = std::string(64, 'a');
  for (const std::string& bad :
       {std::string("garbage\n"), std::string(""), good.substr(1) + "\n", good + "a\n",
        std::string(63, 'a') + "g\n", std::string(10000, 'a')}) {
    WriteFile(bad, 0600);
    absl::StatusOr<Kek> loaded = Kek::Load(path_);
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument) << bad.size();
    EXPECT_THAT(loaded.status().message(), Not(HasSubstr("aaaaaaaa")));
  }
  WriteFile(good, 0600);  // the newline is optional
  absl::StatusOr<Kek> loaded = Kek::Load(path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->bytes(), std::string(32, '\xaa'));
}

TEST_F(KekFileTest, LoadMissingFileIsNotFound) {
  EXPECT_EQ(Kek::Load(path_).status().code(), absl::StatusCode::kNotFound);
}

TEST(KekTest, FromBytesChecksLengthAndIdIsHashPrefix) {
  EXPECT_EQ(Kek::FromBytes(std::string(31, 'k')).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Kek::FromBytes(std::string(33, 'k')).status().code(),
            absl::StatusCode::kInvalidArgument);
  absl::StatusOr<Kek> kek = Kek::FromBytes(std::string(32, 'k'));
  ASSERT_TRUE(kek.ok()) << kek.status();
  EXPECT_EQ(kek->id(), ToHex(Sha256(std::string(32, 'k'))).substr(0, 8));
  EXPECT_THAT(kek->id(), MatchesRegex("[0-9a-f]{8}"));
  EXPECT_NE(kek->id(), NewKek().id());
}

}  // namespace
}  // namespace jijian::storage
