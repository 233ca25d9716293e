#include "server/pki.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client/csr.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::server {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::StartsWith;

template <auto FreeFn>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<X509_REQ_free>>;

constexpr absl::Duration kCaLifetime = absl::Hours(24 * 365 * 10);
constexpr absl::Duration kLeafLifetime = absl::Hours(24 * 90);
constexpr int64_t kClockSkewSeconds = 5 * 60;

// Parses a PEM certificate, or returns null.
X509Ptr ParseCert(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// Parses a PEM private key, or returns null.
EvpPkeyPtr ParseKey(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return EvpPkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// Parses a PEM certificate request, or returns null.
X509ReqPtr ParseCsr(std::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509ReqPtr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
}

// Returns the contents of a memory BIO.
std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

// Returns the DER encoding of a PEM certificate request.
std::string CsrDer(std::string_view pem) {
  X509ReqPtr request = ParseCsr(pem);
  if (request == nullptr) return std::string();
  unsigned char* der = nullptr;
  const int length = i2d_X509_REQ(request.get(), &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

// Wraps raw DER bytes as a PEM CERTIFICATE REQUEST block without parsing them.
std::string DerToCsrPem(const std::string& der) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio(bio.get(), "CERTIFICATE REQUEST", "",
                reinterpret_cast<const unsigned char*>(der.data()), static_cast<long>(der.size()));
  return BioContents(bio.get());
}

// Builds a CSR with CN=common_name carrying public_key but signed by signing_key (md is null
// for Ed25519).
std::string MakeCsr(EVP_PKEY* public_key, EVP_PKEY* signing_key, const EVP_MD* md,
                    std::string_view common_name) {
  X509ReqPtr request(X509_REQ_new());
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(request.get()), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.data()),
                             static_cast<int>(common_name.size()), -1, 0);
  X509_REQ_set_pubkey(request.get(), public_key);
  EXPECT_GT(X509_REQ_sign(request.get(), signing_key, md), 0);
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), request.get());
  return BioContents(bio.get());
}

// Returns the subject CN of cert.
std::string CommonName(X509* cert) {
  char buffer[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buffer, sizeof(buffer));
  return buffer;
}

// Returns whether the extension nid of cert is present and marked critical.
bool IsCritical(X509* cert, int nid) {
  const int index = X509_get_ext_by_NID(cert, nid, -1);
  return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<KeyAndCert> ca = CreateCa("jijian test CA", kCaLifetime);
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = *ca;
  }

  KeyAndCert ca_;
};

TEST_F(PkiTest, CaIsSelfSignedCaWithCertSignUsage) {
  X509Ptr ca = ParseCert(ca_.cert_pem);
  ASSERT_NE(ca, nullptr);
  EXPECT_EQ(X509_check_ca(ca.get()), 1);  // 1 means basicConstraints CA:TRUE.
  EXPECT_TRUE(IsCritical(ca.get(), NID_basic_constraints));
  EXPECT_EQ(X509_check_issued(ca.get(), ca.get()), X509_V_OK);
  EXPECT_EQ(X509_verify(ca.get(), X509_get0_pubkey(ca.get())), 1);
  EXPECT_EQ(X509_get_key_usage(ca.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_TRUE(IsCritical(ca.get(), NID_key_usage));
  EXPECT_NE(X509_get0_subject_key_id(ca.get()), nullptr);
  EXPECT_EQ(CommonName(ca.get()), "jijian test CA");
  char organization[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(ca.get()), NID_organizationName, organization,
                            sizeof(organization));
  EXPECT_STREQ(organization, "jijian");
  EXPECT_EQ(X509_get_signature_nid(ca.get()), NID_ecdsa_with_SHA256);

  EvpPkeyPtr key = ParseKey(ca_.key_pem);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(ca.get(), key.get()), 1);
  EXPECT_THAT(ca_.key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  EXPECT_TRUE(VerifyCertAgainstCa(ca_.cert_pem, ca_.cert_pem, absl::Now()).ok());
}

TEST_F(PkiTest, ServerCertVerifiesAndCarriesSans) {
  absl::StatusOr<KeyAndCert> server = IssueServerCert(
      ca_, "jijian-server", {"localhost", "jijian.example"}, {"127.0.0.1", "::1"}, kLeafLifetime);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(VerifyCertAgainstCa(ca_.cert_pem, server->cert_pem, absl::Now()).ok());

  X509Ptr cert = ParseCert(server->cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(CommonName(cert.get()), "jijian-server");
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "jijian.example", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_NE(X509_check_host(cert.get(), "evil.example", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 1);

  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_NE(X509_get0_authority_key_id(cert.get()), nullptr);

  EvpPkeyPtr key = ParseKey(server->key_pem);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
}

TEST_F(PkiTest, ServerCertRejectsBadNames) {
  EXPECT_EQ(IssueServerCert(ca_, "s", {"localhost,email:x@y"}, {}, kLeafLifetime).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueServerCert(ca_, "s", {}, {"999.1.1.1"}, kLeafLifetime).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueServerCert(ca_, "s", {}, {}, kLeafLifetime).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PkiTest, ClientCertFromCsrUsesUserIdAndCsrKey) {
  absl::StatusOr<client::KeyAndCsr> csr = client::GenerateKeyAndCsr("mallory-wants-admin");
  ASSERT_TRUE(csr.ok()) << csr.status();
  absl::StatusOr<std::string> cert_pem = SignClientCsr(ca_, csr->csr_pem, "u-alice", kLeafLifetime);
  ASSERT_TRUE(cert_pem.ok()) << cert_pem.status();
  EXPECT_TRUE(VerifyCertAgainstCa(ca_.cert_pem, *cert_pem, absl::Now()).ok());

  X509Ptr cert = ParseCert(*cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(CommonName(cert.get()), "u-alice");
  EXPECT_EQ(X509_NAME_entry_count(X509_get_subject_name(cert.get())), 1);
  absl::StatusOr<CertInfo> info = InspectCert(*cert_pem);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->common_name, "u-alice");

  EvpPkeyPtr key = ParseKey(csr->key_pem);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()), 1);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);

  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(X509_get_signature_nid(cert.get()), NID_ecdsa_with_SHA256);
}

TEST_F(PkiTest, Ed25519CsrIsAccepted) {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  ASSERT_NE(key, nullptr);
  const std::string csr = MakeCsr(key.get(), key.get(), nullptr, "whatever");
  absl::StatusOr<std::string> cert_pem = SignClientCsr(ca_, csr, "u-bob", kLeafLifetime);
  ASSERT_TRUE(cert_pem.ok()) << cert_pem.status();
  X509Ptr cert = ParseCert(*cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.get()), 1);
  EXPECT_TRUE(VerifyCertAgainstCa(ca_.cert_pem, *cert_pem, absl::Now()).ok());
}

TEST_F(PkiTest, CsrWithOtherKeyTypeIsRejected) {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  ASSERT_NE(key, nullptr);
  const std::string csr = MakeCsr(key.get(), key.get(), EVP_sha256(), "u-carol");
  absl::Status status = SignClientCsr(ca_, csr, "u-carol", kLeafLifetime).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("P-256 or Ed25519"));
}

TEST_F(PkiTest, TamperedCsrIsRejected) {
  absl::StatusOr<client::KeyAndCsr> csr = client::GenerateKeyAndCsr("mallory");
  ASSERT_TRUE(csr.ok()) << csr.status();
  const std::string der = CsrDer(csr->csr_pem);
  ASSERT_FALSE(der.empty());
  // The untouched request round-trips through the DER helpers and is accepted.
  ASSERT_TRUE(SignClientCsr(ca_, DerToCsrPem(der), "u-mallory", kLeafLifetime).ok());

  // A changed byte in the signed subject.
  std::string subject_changed = der;
  const size_t at = subject_changed.find("mallory");
  ASSERT_NE(at, std::string::npos);
  subject_changed[at] = 'n';
  absl::Status status =
      SignClientCsr(ca_, DerToCsrPem(subject_changed), "u-mallory", kLeafLifetime).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("signature"));

  // A changed byte in the signature value itself.
  std::string signature_changed = der;
  signature_changed.back() ^= 0x01;
  status = SignClientCsr(ca_, DerToCsrPem(signature_changed), "u-mallory", kLeafLifetime).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("signature"));
}

TEST_F(PkiTest, CsrSignedByAnotherKeyIsRejected) {
  EvpPkeyPtr claimed(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  EvpPkeyPtr signer(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  ASSERT_NE(claimed, nullptr);
  ASSERT_NE(signer, nullptr);
  const std::string csr = MakeCsr(claimed.get(), signer.get(), EVP_sha256(), "u-eve");
  absl::Status status = SignClientCsr(ca_, csr, "u-eve", kLeafLifetime).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("signature"));
}

TEST_F(PkiTest, GarbagePemIsRejected) {
  EXPECT_EQ(SignClientCsr(ca_, "not a pem", "u-a", kLeafLifetime).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A certificate is not a certificate request.
  EXPECT_EQ(SignClientCsr(ca_, ca_.cert_pem, "u-a", kLeafLifetime).status().code(),
            absl::StatusCode::kInvalidArgument);
  const std::string corrupt_body =
      "-----BEGIN CERTIFICATE REQUEST-----\nAAAA!!!!\n-----END CERTIFICATE REQUEST-----\n";
  EXPECT_EQ(SignClientCsr(ca_, corrupt_body, "u-a", kLeafLifetime).status().code(),
            absl::StatusCode::kInvalidArgument);

  absl::Status status = InspectCert("garbage").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("certificate"));
  EXPECT_EQ(VerifyCertAgainstCa(ca_.cert_pem, "garbage", absl::Now()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(VerifyCertAgainstCa("garbage", ca_.cert_pem, absl::Now()).code(),
            absl::StatusCode::kInvalidArgument);

  const KeyAndCert broken_ca{"garbage", ca_.cert_pem};
  status = IssueClientCert(broken_ca, "u-a", kLeafLifetime).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("CA private key"));
}

TEST_F(PkiTest, CaKeyMustMatchCaCert) {
  absl::StatusOr<KeyAndCert> other = CreateCa("other CA", kCaLifetime);
  ASSERT_TRUE(other.ok()) << other.status();
  const KeyAndCert mixed{other->key_pem, ca_.cert_pem};
  absl::Status status = IssueClientCert(mixed, "u-a", kLeafLifetime).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("does not match"));
}

TEST_F(PkiTest, LeafCannotActAsCa) {
  absl::StatusOr<KeyAndCert> leaf = IssueClientCert(ca_, "u-a", kLeafLifetime);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_EQ(IssueClientCert(*leaf, "u-b", kLeafLifetime).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(PkiTest, BadUserIdAndLifetimeAreRejected) {
  EXPECT_EQ(IssueClientCert(ca_, "", kLeafLifetime).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueClientCert(ca_, std::string(65, 'x'), kLeafLifetime).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueClientCert(ca_, "u-a", absl::ZeroDuration()).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(IssueClientCert(ca_, "u-a", -absl::Hours(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CreateCa("", kCaLifetime).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PkiTest, CertFromAnotherCaFailsVerification) {
  absl::StatusOr<KeyAndCert> other_ca = CreateCa("jijian test CA", kCaLifetime);
  ASSERT_TRUE(other_ca.ok()) << other_ca.status();
  absl::StatusOr<KeyAndCert> foreign = IssueClientCert(*other_ca, "u-alice", kLeafLifetime);
  ASSERT_TRUE(foreign.ok()) << foreign.status();
  ASSERT_TRUE(VerifyCertAgainstCa(other_ca->cert_pem, foreign->cert_pem, absl::Now()).ok());

  // Same CA name, different key: the signature does not chain to ca_.
  absl::Status status = VerifyCertAgainstCa(ca_.cert_pem, foreign->cert_pem, absl::Now());
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("does not verify"));
  EXPECT_FALSE(VerifyCertAgainstCa(ca_.cert_pem, other_ca->cert_pem, absl::Now()).ok());
}

TEST_F(PkiTest, ExpiredAndNotYetValidCertsFailVerification) {
  absl::StatusOr<KeyAndCert> leaf = IssueClientCert(ca_, "u-alice", kLeafLifetime);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  absl::StatusOr<CertInfo> info = InspectCert(leaf->cert_pem);
  ASSERT_TRUE(info.ok()) << info.status();

  // OpenSSL treats notBefore as inclusive and notAfter as exclusive.
  EXPECT_TRUE(VerifyCertAgainstCa(ca_.cert_pem, leaf->cert_pem,
                                  absl::FromUnixSeconds(info->not_before_unix))
                  .ok());
  EXPECT_TRUE(VerifyCertAgainstCa(ca_.cert_pem, leaf->cert_pem,
                                  absl::FromUnixSeconds(info->not_after_unix - 1))
                  .ok());
  absl::Status expired = VerifyCertAgainstCa(ca_.cert_pem, leaf->cert_pem,
                                             absl::FromUnixSeconds(info->not_after_unix + 1));
  EXPECT_FALSE(expired.ok());
  EXPECT_THAT(expired.message(),
              HasSubstr(X509_verify_cert_error_string(X509_V_ERR_CERT_HAS_EXPIRED)));

  absl::Status early = VerifyCertAgainstCa(ca_.cert_pem, leaf->cert_pem,
                                           absl::FromUnixSeconds(info->not_before_unix - 1));
  EXPECT_FALSE(early.ok());
  EXPECT_THAT(early.message(),
              HasSubstr(X509_verify_cert_error_string(X509_V_ERR_CERT_NOT_YET_VALID)));
}

TEST_F(PkiTest, SerialsAreRandomPositive128Bit) {
  absl::StatusOr<KeyAndCert> first = IssueClientCert(ca_, "u-alice", kLeafLifetime);
  absl::StatusOr<KeyAndCert> second = IssueClientCert(ca_, "u-alice", kLeafLifetime);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_TRUE(second.ok()) << second.status();
  absl::StatusOr<CertInfo> first_info = InspectCert(first->cert_pem);
  absl::StatusOr<CertInfo> second_info = InspectCert(second->cert_pem);
  ASSERT_TRUE(first_info.ok()) << first_info.status();
  ASSERT_TRUE(second_info.ok()) << second_info.status();
  EXPECT_NE(first_info->serial_hex, second_info->serial_hex);

  for (const CertInfo* info : {&*first_info, &*second_info}) {
    EXPECT_THAT(info->serial_hex, MatchesRegex("[0-9a-f]+"));
    // Below 17 hex digits (2^64) has probability 2^-63 for a 127-bit random value.
    EXPECT_GT(info->serial_hex.size(), 16u);
    EXPECT_LE(info->serial_hex.size(), 32u);
  }
  X509Ptr cert = ParseCert(first->cert_pem);
  ASSERT_NE(cert, nullptr);
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  ASSERT_NE(serial, nullptr);
  EXPECT_FALSE(BN_is_negative(serial.get()));
  EXPECT_LE(BN_num_bits(serial.get()), 127);
  char* upper = BN_bn2hex(serial.get());
  std::string lowered(upper);
  OPENSSL_free(upper);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(first_info->serial_hex, lowered);
}

TEST_F(PkiTest, FingerprintIsSha256OfDer) {
  absl::StatusOr<CertInfo> info = InspectCert(ca_.cert_pem);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_THAT(info->fingerprint_sha256, MatchesRegex("[0-9a-f]{64}"));

  X509Ptr cert = ParseCert(ca_.cert_pem);
  ASSERT_NE(cert, nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ASSERT_EQ(X509_digest(cert.get(), EVP_sha256(), digest, &length), 1);
  ASSERT_EQ(length, 32u);
  std::string expected;
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned int i = 0; i < length; ++i) {
    expected.push_back(kDigits[digest[i] >> 4]);
    expected.push_back(kDigits[digest[i] & 0x0f]);
  }
  EXPECT_EQ(info->fingerprint_sha256, expected);

  absl::StatusOr<KeyAndCert> leaf = IssueClientCert(ca_, "u-a", kLeafLifetime);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  absl::StatusOr<CertInfo> other = InspectCert(leaf->cert_pem);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(other->fingerprint_sha256, info->fingerprint_sha256);

  // The fast fingerprint (base64 only, no parse) is the same value for both certificates.
  EXPECT_EQ(CertFingerprint(ca_.cert_pem).value_or(""), info->fingerprint_sha256);
  EXPECT_EQ(CertFingerprint(leaf->cert_pem).value_or(""), other->fingerprint_sha256);
}

TEST_F(PkiTest, FastFingerprintRefusesWhatIsNotACertificate) {
  for (const std::string& bad :
       {std::string("garbage"), std::string(),
        std::string("-----BEGIN CERTIFICATE-----\nAAAA!!!!\n-----END CERTIFICATE-----\n"),
        std::string("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n")}) {
    absl::Status status = CertFingerprint(bad).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(status.message(), HasSubstr("not a PEM X.509 certificate")) << bad;
  }
  absl::StatusOr<KeyAndCert> leaf = IssueClientCert(ca_, "u-a", kLeafLifetime);
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  // A private key PEM is not a certificate either.
  EXPECT_EQ(CertFingerprint(leaf->key_pem).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(PkiTest, ValidityWindowIsLifetimePlusClockSkew) {
  const int64_t before = absl::ToUnixSeconds(absl::Now());
  absl::StatusOr<KeyAndCert> leaf = IssueClientCert(ca_, "u-alice", kLeafLifetime);
  const int64_t after = absl::ToUnixSeconds(absl::Now());
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  absl::StatusOr<CertInfo> info = InspectCert(leaf->cert_pem);
  ASSERT_TRUE(info.ok()) << info.status();

  const int64_t lifetime = absl::ToInt64Seconds(kLeafLifetime);
  EXPECT_NEAR(info->not_after_unix - info->not_before_unix, lifetime + kClockSkewSeconds, 2);
  EXPECT_GE(info->not_before_unix, before - kClockSkewSeconds - 1);
  EXPECT_LE(info->not_before_unix, after - kClockSkewSeconds + 1);
  EXPECT_GE(info->not_after_unix, before + lifetime - 1);
  EXPECT_LE(info->not_after_unix, after + lifetime + 1);

  absl::StatusOr<CertInfo> ca_info = InspectCert(ca_.cert_pem);
  ASSERT_TRUE(ca_info.ok()) << ca_info.status();
  EXPECT_NEAR(ca_info->not_after_unix - ca_info->not_before_unix,
              absl::ToInt64Seconds(kCaLifetime) + kClockSkewSeconds, 2);
}

TEST_F(PkiTest, IssuedClientKeyMatchesCert) {
  absl::StatusOr<KeyAndCert> issued = IssueClientCert(ca_, "u-admin", kLeafLifetime);
  ASSERT_TRUE(issued.ok()) << issued.status();
  EXPECT_THAT(issued->key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  X509Ptr cert = ParseCert(issued->cert_pem);
  EvpPkeyPtr key = ParseKey(issued->key_pem);
  ASSERT_NE(cert, nullptr);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_EQ(CommonName(cert.get()), "u-admin");
  EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_CLIENT, 0), 1);
  EXPECT_TRUE(VerifyCertAgainstCa(ca_.cert_pem, issued->cert_pem, absl::Now()).ok());

  EvpPkeyPtr ca_key = ParseKey(ca_.key_pem);
  ASSERT_NE(ca_key, nullptr);
  EXPECT_NE(X509_check_private_key(cert.get(), ca_key.get()), 1);
}

TEST_F(PkiTest, KeyPairCheckNamesTheKeyThatDoesNotBelong) {
  absl::StatusOr<KeyAndCert> a = IssueClientCert(ca_, "u-a", absl::Hours(1));
  absl::StatusOr<KeyAndCert> b = IssueClientCert(ca_, "u-b", absl::Hours(1));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(CheckKeyPair(a->cert_pem, a->key_pem, "cert_a", "key_a").ok());
  // A chain after the leaf is allowed: the first certificate is the one checked.
  EXPECT_TRUE(CheckKeyPair(a->cert_pem + ca_.cert_pem, a->key_pem, "cert_a", "key_a").ok());
  absl::Status other = CheckKeyPair(a->cert_pem, b->key_pem, "cert_a", "key_b");
  EXPECT_EQ(other.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(other.message()),
              HasSubstr("key_b: the key does not belong to the certificate in cert_a"));
  absl::Status not_cert = CheckKeyPair(a->key_pem, a->key_pem, "cert_x", "key_a");
  EXPECT_EQ(not_cert.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(not_cert.message()), HasSubstr("cert_x"));
  absl::Status not_key = CheckKeyPair(a->cert_pem, a->cert_pem, "cert_a", "key_x");
  EXPECT_EQ(not_key.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(not_key.message()), HasSubstr("key_x"));
}

TEST(CsrTest, GeneratesP256KeyAndSha256SignedRequest) {
  absl::StatusOr<client::KeyAndCsr> csr = client::GenerateKeyAndCsr("u-alice");
  ASSERT_TRUE(csr.ok()) << csr.status();
  EXPECT_THAT(csr->key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  EXPECT_THAT(csr->csr_pem, StartsWith("-----BEGIN CERTIFICATE REQUEST-----"));

  X509ReqPtr request = ParseCsr(csr->csr_pem);
  EvpPkeyPtr key = ParseKey(csr->key_pem);
  ASSERT_NE(request, nullptr);
  ASSERT_NE(key, nullptr);
  EVP_PKEY* request_key = X509_REQ_get0_pubkey(request.get());
  EXPECT_EQ(X509_REQ_verify(request.get(), request_key), 1);
  EXPECT_EQ(EVP_PKEY_eq(request_key, key.get()), 1);
  EXPECT_EQ(X509_REQ_get_signature_nid(request.get()), NID_ecdsa_with_SHA256);
  char group[64] = {};
  size_t group_length = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &group_length), 1);
  EXPECT_STREQ(group, "prime256v1");
  char cn[128] = {};
  X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(request.get()), NID_commonName, cn,
                            sizeof(cn));
  EXPECT_STREQ(cn, "u-alice");

  EXPECT_EQ(client::GenerateKeyAndCsr("").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jijian::server
