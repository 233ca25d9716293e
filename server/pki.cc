#include "server/pki.h"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstddef>
#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace jijian::server {
namespace {

// Calls an OpenSSL free function on a non-null pointer; used as a unique_ptr deleter.
template <auto FreeFn>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<ASN1_INTEGER_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpenSslDeleter<GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<X509_REQ_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;

// Frees memory that OpenSSL allocated with OPENSSL_malloc (OPENSSL_free is a macro).
struct OpenSslBufferDeleter {
  void operator()(void* p) const { OPENSSL_free(p); }
};

// Certificates start this long before issuance so that peers with a slow clock accept them.
constexpr int64_t kClockSkewSeconds = 5 * 60;
constexpr int64_t kSecondsPerDay = 24 * 60 * 60;
// Serials are random 128-bit numbers with the top bit cleared so that they stay positive and
// fit the 20-octet limit of RFC 5280.
constexpr int kSerialBits = 128;
constexpr absl::Duration kMinLifetime = absl::Seconds(1);
constexpr absl::Duration kMaxLifetime = absl::Hours(24 * 365 * 100);
// RFC 5280 ub-common-name.
constexpr size_t kMaxCommonNameBytes = 64;
// RFC 1035 limit on the text form of a domain name.
constexpr size_t kMaxDnsNameBytes = 253;
// Certificates and requests are a few hundred bytes; anything far larger is not one.
constexpr size_t kMaxPemBytes = 64 * 1024;
constexpr char kOrganization[] = "jijian";

// One X.509v3 extension in OpenSSL's configuration syntax.
struct ExtensionSpec {
  int nid;
  const char* value;
};

// The CA may sign only end-entity certificates (pathlen:0).
constexpr ExtensionSpec kCaExtensions[] = {
    {NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
    {NID_key_usage, "critical,keyCertSign,cRLSign"},
    {NID_subject_key_identifier, "hash"},
};

constexpr ExtensionSpec kServerExtensions[] = {
    {NID_basic_constraints, "critical,CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature"},
    {NID_ext_key_usage, "serverAuth"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};

constexpr ExtensionSpec kClientExtensions[] = {
    {NID_basic_constraints, "critical,CA:FALSE"},
    {NID_key_usage, "critical,digitalSignature"},
    {NID_ext_key_usage, "clientAuth"},
    {NID_subject_key_identifier, "hash"},
    {NID_authority_key_identifier, "keyid:always"},
};

// Returns INTERNAL naming the failed operation and OpenSSL's first queued error, and empties
// this thread's OpenSSL error queue.
absl::Status OpenSslError(std::string_view operation) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  std::string message = std::string(operation) + " failed";
  if (code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    message += ": ";
    message += buffer;
  }
  return absl::InternalError(message);
}

// Returns INVALID_ARGUMENT with message after dropping any OpenSSL errors the bad input
// left queued on this thread.
absl::Status BadInput(std::string message) {
  ERR_clear_error();
  return absl::InvalidArgumentError(std::move(message));
}

// Wraps pem in a read-only memory BIO; INVALID_ARGUMENT names what if it is too large.
absl::StatusOr<BioPtr> PemBio(std::string_view pem, std::string_view what) {
  if (pem.size() > kMaxPemBytes) {
    return BadInput(std::string(what) + " PEM is " + std::to_string(pem.size()) +
                    " bytes; at most " + std::to_string(kMaxPemBytes) + " allowed");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OpenSslError("BIO_new_mem_buf");
  return bio;
}

// Parses the first PEM certificate in pem; INVALID_ARGUMENT names what if there is none.
absl::StatusOr<X509Ptr> ParseCertPem(std::string_view pem, std::string_view what) {
  absl::StatusOr<BioPtr> bio = PemBio(pem, what);
  if (!bio.ok()) return bio.status();
  X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return BadInput(std::string(what) +
                    " is not a PEM X.509 certificate (expected -----BEGIN CERTIFICATE-----)");
  }
  return cert;
}

// Parses a PEM private key (PKCS#8 or traditional); INVALID_ARGUMENT names what on failure.
absl::StatusOr<EvpPkeyPtr> ParseKeyPem(std::string_view pem, std::string_view what) {
  absl::StatusOr<BioPtr> bio = PemBio(pem, what);
  if (!bio.ok()) return bio.status();
  // A callback that gives no passphrase: without one OpenSSL would prompt on the terminal
  // for an encrypted key, and a server would hang at start.
  pem_password_cb* no_passphrase = [](char*, int, int, void*) -> int { return -1; };
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, no_passphrase, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    return BadInput(
        std::string(what) +
        " is not an unencrypted PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  }
  return key;
}

// Copies the contents of a memory BIO into a string.
std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (data == nullptr || length <= 0) return std::string();
  return std::string(data, static_cast<size_t>(length));
}

// Encodes cert as PEM.
absl::StatusOr<std::string> CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return OpenSslError("BIO_new");
  if (PEM_write_bio_X509(bio.get(), cert) != 1) return OpenSslError("PEM_write_bio_X509");
  return BioContents(bio.get());
}

// Encodes key as unencrypted PKCS#8 PEM.
absl::StatusOr<std::string> KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return OpenSslError("BIO_new");
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("PEM_write_bio_PrivateKey");
  }
  return BioContents(bio.get());
}

// Generates a fresh EC P-256 key pair.
absl::StatusOr<EvpPkeyPtr> GenerateP256Key() {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return OpenSslError("EVP_PKEY_Q_keygen(EC P-256)");
  return key;
}

// Checks that name is usable as a subject CN; field names the argument in the message.
absl::Status ValidateCommonName(std::string_view name, std::string_view field) {
  if (name.empty() || name.size() > kMaxCommonNameBytes ||
      name.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError(std::string(field) + " is " + std::to_string(name.size()) +
                                      " bytes; must be 1 to " +
                                      std::to_string(kMaxCommonNameBytes) + " bytes without NUL");
  }
  return absl::OkStatus();
}

// Checks that lifetime is a whole, bounded, positive duration.
absl::Status ValidateLifetime(absl::Duration lifetime) {
  if (lifetime < kMinLifetime || lifetime > kMaxLifetime) {
    return absl::InvalidArgumentError("lifetime is " + absl::FormatDuration(lifetime) +
                                      "; must be between " + absl::FormatDuration(kMinLifetime) +
                                      " and " + absl::FormatDuration(kMaxLifetime));
  }
  return absl::OkStatus();
}

// Checks that name is a plain DNS name (letters, digits, '-', '.', and '*' for wildcards), so
// that it cannot smuggle other subjectAltName types in.
absl::Status ValidateDnsName(std::string_view name) {
  bool chars_ok = true;
  for (const char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.' && c != '*') {
      chars_ok = false;
      break;
    }
  }
  if (name.empty() || name.size() > kMaxDnsNameBytes || !chars_ok) {
    return absl::InvalidArgumentError(
        "DNS name '" + std::string(name) + "' is invalid; must be 1 to " +
        std::to_string(kMaxDnsNameBytes) + " characters of letters, digits, '-', '.' or '*'");
  }
  return absl::OkStatus();
}

// Appends an entry field=value (UTF-8) to name.
absl::Status AddNameEntry(X509_NAME* name, const char* field, std::string_view value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return OpenSslError(std::string("X509_NAME_add_entry_by_txt(") + field + ")");
  }
  return absl::OkStatus();
}

// Sets a random positive 128-bit serial number on cert.
absl::Status SetRandomSerial(X509* cert) {
  BignumPtr bn(BN_new());
  if (bn == nullptr) return OpenSslError("BN_new");
  do {
    if (BN_rand(bn.get(), kSerialBits, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1) {
      return OpenSslError("BN_rand");
    }
    if (BN_clear_bit(bn.get(), kSerialBits - 1) != 1) return OpenSslError("BN_clear_bit");
  } while (BN_is_zero(bn.get()));
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (serial == nullptr) return OpenSslError("BN_to_ASN1_INTEGER");
  if (X509_set_serialNumber(cert, serial.get()) != 1) {
    return OpenSslError("X509_set_serialNumber");
  }
  return absl::OkStatus();
}

// Sets notBefore to now minus the clock-skew allowance and notAfter to now plus lifetime.
absl::Status SetValidity(X509* cert, absl::Duration lifetime) {
  time_t now = absl::ToTimeT(absl::Now());  // X509_time_adj_ex takes a non-const pointer.
  const int64_t lifetime_seconds = absl::ToInt64Seconds(lifetime);
  if (X509_time_adj_ex(X509_getm_notBefore(cert), 0, -kClockSkewSeconds, &now) == nullptr) {
    return OpenSslError("X509_time_adj_ex(notBefore)");
  }
  if (X509_time_adj_ex(X509_getm_notAfter(cert),
                       static_cast<int>(lifetime_seconds / kSecondsPerDay),
                       static_cast<long>(lifetime_seconds % kSecondsPerDay), &now) == nullptr) {
    return OpenSslError("X509_time_adj_ex(notAfter)");
  }
  return absl::OkStatus();
}

// Creates an unsigned v3 certificate for public_key with subject CN=common_name (plus
// O=jijian when with_organization), a random serial and a validity window of lifetime.
// The issuer name is issuer's subject, or the certificate's own subject when issuer is null.
absl::StatusOr<X509Ptr> NewCertificate(EVP_PKEY* public_key, std::string_view common_name,
                                       bool with_organization, const X509* issuer,
                                       absl::Duration lifetime) {
  X509Ptr cert(X509_new());
  if (cert == nullptr) return OpenSslError("X509_new");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return OpenSslError("X509_set_version");
  if (absl::Status s = SetRandomSerial(cert.get()); !s.ok()) return s;
  if (absl::Status s = SetValidity(cert.get(), lifetime); !s.ok()) return s;

  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (absl::Status s = AddNameEntry(subject, "CN", common_name); !s.ok()) return s;
  if (with_organization) {
    if (absl::Status s = AddNameEntry(subject, "O", kOrganization); !s.ok()) return s;
  }
  const X509_NAME* issuer_name = issuer == nullptr ? subject : X509_get_subject_name(issuer);
  if (X509_set_issuer_name(cert.get(), issuer_name) != 1) {
    return OpenSslError("X509_set_issuer_name");
  }
  if (X509_set_pubkey(cert.get(), public_key) != 1) return OpenSslError("X509_set_pubkey");
  return cert;
}

// Adds each extension of specs to cert; issuer is the signing certificate (cert itself when
// self-signed) and must carry a subjectKeyIdentifier if an authorityKeyIdentifier is asked.
absl::Status AddExtensions(X509* cert, X509* issuer, std::span<const ExtensionSpec> specs) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  for (const ExtensionSpec& spec : specs) {
    X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, &ctx, spec.nid, spec.value));
    if (extension == nullptr) {
      return OpenSslError(std::string("X509V3_EXT_conf_nid(") + OBJ_nid2sn(spec.nid) + "=" +
                          spec.value + ")");
    }
    if (X509_add_ext(cert, extension.get(), -1) != 1) {
      return OpenSslError(std::string("X509_add_ext(") + OBJ_nid2sn(spec.nid) + ")");
    }
  }
  return absl::OkStatus();
}

// Adds a subjectAltName extension listing dns_names and ip_addresses (IPv4 or IPv6 text).
absl::Status AddSubjectAltNames(X509* cert, const std::vector<std::string>& dns_names,
                                const std::vector<std::string>& ip_addresses) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (names == nullptr) return OpenSslError("sk_GENERAL_NAME_new_null");
  for (const std::string& dns_name : dns_names) {
    if (absl::Status s = ValidateDnsName(dns_name); !s.ok()) return s;
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    if (ia5 == nullptr) return OpenSslError("ASN1_IA5STRING_new");
    GeneralNamePtr name(GENERAL_NAME_new());
    if (name == nullptr) {
      ASN1_IA5STRING_free(ia5);
      return OpenSslError("GENERAL_NAME_new");
    }
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, ia5);  // name owns ia5 from here on.
    if (ASN1_STRING_set(ia5, dns_name.data(), static_cast<int>(dns_name.size())) != 1) {
      return OpenSslError("ASN1_STRING_set");
    }
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) {
      return OpenSslError("sk_GENERAL_NAME_push");
    }
    name.release();  // Owned by names.
  }
  for (const std::string& ip : ip_addresses) {
    ASN1_OCTET_STRING* octets = a2i_IPADDRESS(ip.c_str());
    if (octets == nullptr) {
      return BadInput("IP address '" + ip + "' is invalid; expected IPv4 or IPv6 text");
    }
    GeneralNamePtr name(GENERAL_NAME_new());
    if (name == nullptr) {
      ASN1_OCTET_STRING_free(octets);
      return OpenSslError("GENERAL_NAME_new");
    }
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets);  // name owns octets from here on.
    if (sk_GENERAL_NAME_push(names.get(), name.get()) <= 0) {
      return OpenSslError("sk_GENERAL_NAME_push");
    }
    name.release();  // Owned by names.
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), /*crit=*/0, X509V3_ADD_DEFAULT) !=
      1) {
    return OpenSslError("X509_add1_ext_i2d(subjectAltName)");
  }
  return absl::OkStatus();
}

// Signs cert with key using SHA-256.
absl::Status SignCertificate(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) return OpenSslError("X509_sign");
  return absl::OkStatus();
}

// A parsed CA certificate and its private key.
struct LoadedCa {
  X509Ptr cert;
  EvpPkeyPtr key;
};

// Parses ca and checks that its certificate is a CA and its key belongs to it.
absl::StatusOr<LoadedCa> LoadCa(const KeyAndCert& ca) {
  absl::StatusOr<X509Ptr> cert = ParseCertPem(ca.cert_pem, "CA certificate");
  if (!cert.ok()) return cert.status();
  absl::StatusOr<EvpPkeyPtr> key = ParseKeyPem(ca.key_pem, "CA private key");
  if (!key.ok()) return key.status();
  if (X509_check_ca(cert->get()) != 1) {
    return BadInput("CA certificate is not a CA; expected basicConstraints CA:TRUE");
  }
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    return BadInput("CA private key does not match the CA certificate's public key");
  }
  return LoadedCa{*std::move(cert), *std::move(key)};
}

// Issues a certificate signed by ca for public_key with subject CN=common_name and the
// client extensions; returns it as PEM.
absl::StatusOr<std::string> IssueClientCertForKey(const LoadedCa& ca, EVP_PKEY* public_key,
                                                  std::string_view user_id,
                                                  absl::Duration lifetime) {
  absl::StatusOr<X509Ptr> cert =
      NewCertificate(public_key, user_id, /*with_organization=*/false, ca.cert.get(), lifetime);
  if (!cert.ok()) return cert.status();
  if (absl::Status s = AddExtensions(cert->get(), ca.cert.get(), kClientExtensions); !s.ok()) {
    return s;
  }
  if (absl::Status s = SignCertificate(cert->get(), ca.key.get()); !s.ok()) return s;
  return CertToPem(cert->get());
}

// Returns OK when key is an EC P-256 or Ed25519 public key, INVALID_ARGUMENT otherwise.
absl::Status CheckClientKeyType(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "ED25519")) return absl::OkStatus();
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[80] = {};
    size_t group_length = 0;
    if (EVP_PKEY_get_group_name(key, group, sizeof(group), &group_length) == 1) {
      int nid = OBJ_sn2nid(group);
      if (nid == NID_undef) nid = EC_curve_nist2nid(group);
      if (nid == NID_X9_62_prime256v1) return absl::OkStatus();
    }
    return BadInput(std::string("certificate signing request key is EC curve '") + group +
                    "'; only EC P-256 or Ed25519 keys are accepted");
  }
  const char* type = EVP_PKEY_get0_type_name(key);
  return BadInput(std::string("certificate signing request key is ") +
                  (type != nullptr ? type : "of an unknown type") +
                  "; only EC P-256 or Ed25519 keys are accepted");
}

// Converts an ASN.1 UTCTime/GeneralizedTime to seconds since the Unix epoch.
absl::StatusOr<int64_t> Asn1TimeToUnix(const ASN1_TIME* time, std::string_view what) {
  struct tm tm = {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &tm) != 1) {
    return BadInput("certificate " + std::string(what) + " is not a valid time");
  }
  const absl::CivilSecond civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                                tm.tm_sec);
  return absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone()));
}

// Returns the UTF-8 value of the first subject CN of cert, or "" when it has none.
absl::StatusOr<std::string> SubjectCommonName(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return std::string();
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return BadInput("certificate subject CN is not a valid string");
  std::unique_ptr<unsigned char, OpenSslBufferDeleter> owned(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
}

// Returns the lowercase hex of bytes.
std::string LowerHex(const unsigned char* bytes, size_t length) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (size_t i = 0; i < length; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0x0f]);
  }
  return out;
}

// Returns the serial number of cert as lowercase hex.
absl::StatusOr<std::string> SerialHex(X509* cert) {
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (bn == nullptr) return OpenSslError("ASN1_INTEGER_to_BN");
  std::unique_ptr<char, OpenSslBufferDeleter> hex(BN_bn2hex(bn.get()));
  if (hex == nullptr) return OpenSslError("BN_bn2hex");
  std::string out(hex.get());
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Returns the lowercase hex SHA-256 of the DER encoding of cert.
absl::StatusOr<std::string> DerSha256Hex(X509* cert) {
  const int der_length = i2d_X509(cert, nullptr);
  if (der_length <= 0) return OpenSslError("i2d_X509");
  std::string der(static_cast<size_t>(der_length), '\0');
  unsigned char* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_X509(cert, &out) != der_length) return OpenSslError("i2d_X509");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_Digest(der.data(), der.size(), digest, &digest_length, EVP_sha256(), nullptr) != 1) {
    return OpenSslError("EVP_Digest(SHA-256)");
  }
  return LowerHex(digest, digest_length);
}

}  // namespace

absl::StatusOr<KeyAndCert> CreateCa(std::string_view common_name, absl::Duration lifetime) {
  if (absl::Status s = ValidateCommonName(common_name, "CA common name"); !s.ok()) return s;
  if (absl::Status s = ValidateLifetime(lifetime); !s.ok()) return s;
  absl::StatusOr<EvpPkeyPtr> key = GenerateP256Key();
  if (!key.ok()) return key.status();
  absl::StatusOr<X509Ptr> cert = NewCertificate(key->get(), common_name,
                                                /*with_organization=*/true, nullptr, lifetime);
  if (!cert.ok()) return cert.status();
  if (absl::Status s = AddExtensions(cert->get(), cert->get(), kCaExtensions); !s.ok()) return s;
  if (absl::Status s = SignCertificate(cert->get(), key->get()); !s.ok()) return s;

  absl::StatusOr<std::string> key_pem = KeyToPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<std::string> cert_pem = CertToPem(cert->get());
  if (!cert_pem.ok()) return cert_pem.status();
  return KeyAndCert{*std::move(key_pem), *std::move(cert_pem)};
}

absl::StatusOr<KeyAndCert> IssueServerCert(const KeyAndCert& ca, std::string_view common_name,
                                           const std::vector<std::string>& dns_names,
                                           const std::vector<std::string>& ip_addresses,
                                           absl::Duration lifetime) {
  if (absl::Status s = ValidateCommonName(common_name, "server common name"); !s.ok()) return s;
  if (absl::Status s = ValidateLifetime(lifetime); !s.ok()) return s;
  if (dns_names.empty() && ip_addresses.empty()) {
    return absl::InvalidArgumentError(
        "server certificate needs at least one DNS name or IP address for subjectAltName");
  }
  absl::StatusOr<LoadedCa> loaded = LoadCa(ca);
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<EvpPkeyPtr> key = GenerateP256Key();
  if (!key.ok()) return key.status();
  absl::StatusOr<X509Ptr> cert =
      NewCertificate(key->get(), common_name,
                     /*with_organization=*/false, loaded->cert.get(), lifetime);
  if (!cert.ok()) return cert.status();
  if (absl::Status s = AddExtensions(cert->get(), loaded->cert.get(), kServerExtensions); !s.ok()) {
    return s;
  }
  if (absl::Status s = AddSubjectAltNames(cert->get(), dns_names, ip_addresses); !s.ok()) {
    return s;
  }
  if (absl::Status s = SignCertificate(cert->get(), loaded->key.get()); !s.ok()) return s;

  absl::StatusOr<std::string> key_pem = KeyToPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<std::string> cert_pem = CertToPem(cert->get());
  if (!cert_pem.ok()) return cert_pem.status();
  return KeyAndCert{*std::move(key_pem), *std::move(cert_pem)};
}

absl::StatusOr<std::string> SignClientCsr(const KeyAndCert& ca, std::string_view csr_pem,
                                          std::string_view user_id, absl::Duration lifetime) {
  if (absl::Status s = ValidateCommonName(user_id, "user id"); !s.ok()) return s;
  if (absl::Status s = ValidateLifetime(lifetime); !s.ok()) return s;
  absl::StatusOr<LoadedCa> loaded = LoadCa(ca);
  if (!loaded.ok()) return loaded.status();

  absl::StatusOr<BioPtr> bio = PemBio(csr_pem, "certificate signing request");
  if (!bio.ok()) return bio.status();
  X509ReqPtr request(PEM_read_bio_X509_REQ(bio->get(), nullptr, nullptr, nullptr));
  if (request == nullptr) {
    return BadInput(
        "certificate signing request is not a PEM PKCS#10 request (expected -----BEGIN "
        "CERTIFICATE REQUEST-----)");
  }
  EVP_PKEY* public_key = X509_REQ_get0_pubkey(request.get());
  if (public_key == nullptr) {
    return BadInput("certificate signing request has no readable public key");
  }
  if (absl::Status s = CheckClientKeyType(public_key); !s.ok()) return s;
  if (X509_REQ_verify(request.get(), public_key) != 1) {
    return BadInput(
        "certificate signing request signature does not verify with its own public key");
  }
  return IssueClientCertForKey(*loaded, public_key, user_id, lifetime);
}

absl::StatusOr<KeyAndCert> IssueClientCert(const KeyAndCert& ca, std::string_view user_id,
                                           absl::Duration lifetime) {
  if (absl::Status s = ValidateCommonName(user_id, "user id"); !s.ok()) return s;
  if (absl::Status s = ValidateLifetime(lifetime); !s.ok()) return s;
  absl::StatusOr<LoadedCa> loaded = LoadCa(ca);
  if (!loaded.ok()) return loaded.status();
  absl::StatusOr<EvpPkeyPtr> key = GenerateP256Key();
  if (!key.ok()) return key.status();
  absl::StatusOr<std::string> cert_pem =
      IssueClientCertForKey(*loaded, key->get(), user_id, lifetime);
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::string> key_pem = KeyToPem(key->get());
  if (!key_pem.ok()) return key_pem.status();
  return KeyAndCert{*std::move(key_pem), *std::move(cert_pem)};
}

absl::StatusOr<CertInfo> InspectCert(std::string_view cert_pem) {
  absl::StatusOr<X509Ptr> cert = ParseCertPem(cert_pem, "certificate");
  if (!cert.ok()) return cert.status();
  CertInfo info;
  absl::StatusOr<std::string> serial = SerialHex(cert->get());
  if (!serial.ok()) return serial.status();
  info.serial_hex = *std::move(serial);
  absl::StatusOr<std::string> common_name = SubjectCommonName(cert->get());
  if (!common_name.ok()) return common_name.status();
  info.common_name = *std::move(common_name);
  absl::StatusOr<std::string> fingerprint = DerSha256Hex(cert->get());
  if (!fingerprint.ok()) return fingerprint.status();
  info.fingerprint_sha256 = *std::move(fingerprint);
  absl::StatusOr<int64_t> not_before =
      Asn1TimeToUnix(X509_get0_notBefore(cert->get()), "notBefore");
  if (!not_before.ok()) return not_before.status();
  info.not_before_unix = *not_before;
  absl::StatusOr<int64_t> not_after = Asn1TimeToUnix(X509_get0_notAfter(cert->get()), "notAfter");
  if (!not_after.ok()) return not_after.status();
  info.not_after_unix = *not_after;
  return info;
}

absl::StatusOr<std::string> CertFingerprint(std::string_view cert_pem) {
  absl::StatusOr<BioPtr> bio = PemBio(cert_pem, "certificate");
  if (!bio.ok()) return bio.status();
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* der = nullptr;
  long der_length = 0;
  const int read = PEM_read_bio(bio->get(), &name, &header, &der, &der_length);
  std::unique_ptr<char, OpenSslBufferDeleter> owned_name(name), owned_header(header);
  std::unique_ptr<unsigned char, OpenSslBufferDeleter> owned_der(der);
  if (read != 1 || name == nullptr || std::string_view(name) != PEM_STRING_X509 ||
      der_length <= 0) {
    return BadInput("certificate is not a PEM X.509 certificate (expected -----BEGIN CERTIFICATE-----)");
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  if (EVP_Digest(der, static_cast<size_t>(der_length), digest, &digest_length, EVP_sha256(),
                 nullptr) != 1) {
    return OpenSslError("EVP_Digest(SHA-256)");
  }
  return LowerHex(digest, digest_length);
}

absl::Status CheckKeyPair(std::string_view cert_pem, std::string_view key_pem,
                          std::string_view cert_what, std::string_view key_what) {
  absl::StatusOr<X509Ptr> cert = ParseCertPem(cert_pem, cert_what);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<EvpPkeyPtr> key = ParseKeyPem(key_pem, key_what);
  if (!key.ok()) return key.status();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return BadInput(std::string(key_what) + ": the key does not belong to the certificate in " +
                    std::string(cert_what) + " (its public key differs)");
  }
  return absl::OkStatus();
}

absl::Status VerifyCertAgainstCa(std::string_view ca_pem, std::string_view cert_pem,
                                 absl::Time now) {
  absl::StatusOr<X509Ptr> ca = ParseCertPem(ca_pem, "CA certificate");
  if (!ca.ok()) return ca.status();
  absl::StatusOr<X509Ptr> cert = ParseCertPem(cert_pem, "certificate");
  if (!cert.ok()) return cert.status();

  X509StorePtr store(X509_STORE_new());
  if (store == nullptr) return OpenSslError("X509_STORE_new");
  if (X509_STORE_add_cert(store.get(), ca->get()) != 1) {
    return OpenSslError("X509_STORE_add_cert");
  }
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (ctx == nullptr) return OpenSslError("X509_STORE_CTX_new");
  if (X509_STORE_CTX_init(ctx.get(), store.get(), cert->get(), nullptr) != 1) {
    return OpenSslError("X509_STORE_CTX_init");
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, absl::ToTimeT(now));
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_USE_CHECK_TIME);

  const int verified = X509_verify_cert(ctx.get());
  ERR_clear_error();
  if (verified == 1) return absl::OkStatus();
  const int error = X509_STORE_CTX_get_error(ctx.get());
  return absl::UnauthenticatedError(
      "certificate does not verify against the CA at " + absl::FormatTime(now) + ": " +
      X509_verify_cert_error_string(error) + " (depth " +
      std::to_string(X509_STORE_CTX_get_error_depth(ctx.get())) + ")");
}

}  // namespace jijian::server
