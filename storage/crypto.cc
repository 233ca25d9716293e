#include "storage/crypto.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <climits>
#include <cstdlib>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace jijian::storage {
namespace {

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* pkey) const { EVP_PKEY_free(pkey); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

constexpr int kGcmNonceBytesInt = static_cast<int>(kGcmNonceBytes);
constexpr int kGcmTagBytesInt = static_cast<int>(kGcmTagBytes);

// A non-null pointer to the bytes of s. OpenSSL rejects some null pointers even with a zero
// length, and an empty string_view may hold one.
const unsigned char* Bytes(std::string_view s) {
  static constexpr unsigned char kEmpty[1] = {0};
  return s.empty() ? kEmpty : reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* MutableBytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

// Abseil here is built with its own string_view type, which std::string_view does not convert
// to implicitly.
absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Builds an INTERNAL status for a failed OpenSSL call, with the library's reason for the most
// recent error, and empties this thread's OpenSSL error queue. OpenSSL reasons never contain
// key or message bytes.
absl::Status OpenSslError(std::string_view what) {
  unsigned long code = ERR_peek_last_error();
  std::string reason = "no OpenSSL error recorded";
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    reason = buf;
  }
  ERR_clear_error();
  return absl::InternalError(absl::StrCat("OpenSSL ", AsAbsl(what), " failed: ", reason));
}

// Rejects a length that OpenSSL's int-sized APIs cannot take.
absl::Status CheckIntLength(std::string_view what, size_t n) {
  if (n > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(what), " is ", n, " bytes; at most ", INT_MAX, " are supported"));
  }
  return absl::OkStatus();
}

absl::Status CheckAesKey(std::string_view key) {
  if (key.size() != kAes256KeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("AES-256-GCM key is ", key.size(), " bytes; it must be ", kAes256KeyBytes));
  }
  return absl::OkStatus();
}

// Builds an Ed25519 private key object from a raw 32-byte seed.
absl::StatusOr<PkeyPtr> Ed25519PrivateKey(std::string_view private_key) {
  if (private_key.size() != kEd25519KeyBytes) {
    return absl::InvalidArgumentError(absl::StrCat("Ed25519 private key is ", private_key.size(),
                                                   " bytes; it must be ", kEd25519KeyBytes));
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(private_key),
                                            private_key.size()));
  if (pkey == nullptr) return OpenSslError("EVP_PKEY_new_raw_private_key");
  return pkey;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

absl::StatusOr<std::string> RandomBytes(size_t n) {
  if (absl::Status s = CheckIntLength("random byte count", n); !s.ok()) return s;
  std::string out(n, '\0');
  if (n > 0 && RAND_bytes(MutableBytes(out), static_cast<int>(n)) != 1) {
    return OpenSslError("RAND_bytes");
  }
  return out;
}

// SHA-256 cannot fail short of a broken OpenSSL installation; rather than return a wrong
// digest that callers would store or compare, the process aborts.
std::string Sha256(std::string_view data) {
  std::string out(kSha256Bytes, '\0');
  unsigned int len = 0;
  if (EVP_Digest(Bytes(data), data.size(), MutableBytes(out), &len, EVP_sha256(), nullptr) != 1 ||
      len != kSha256Bytes) {
    std::abort();
  }
  return out;
}

// As with Sha256, HMAC-SHA256 can only fail if OpenSSL itself is broken, so that aborts.
std::string HmacSha256(std::string_view key, std::string_view data) {
  if (key.size() > static_cast<size_t>(INT_MAX)) std::abort();
  std::string out(kSha256Bytes, '\0');
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), Bytes(key), static_cast<int>(key.size()), Bytes(data), data.size(),
           MutableBytes(out), &len) == nullptr ||
      len != kSha256Bytes) {
    std::abort();
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0x0f]);
  }
  return out;
}

// Accepts upper- and lower-case digits. The error names the position, never the input, since
// the input may be key material.
absl::StatusOr<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("hex string has odd length ", hex.size(), "; it must be even"));
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("hex string has a non-hex character at offset ", hi < 0 ? i : i + 1,
                       "; allowed: 0-9, a-f"));
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

// Encrypts plaintext under key with AES-256-GCM and a fresh random 96-bit nonce, authenticating
// aad; the result is nonce || ciphertext || tag.
absl::StatusOr<std::string> AeadSeal(std::string_view key, std::string_view plaintext,
                                     std::string_view aad) {
  if (absl::Status s = CheckAesKey(key); !s.ok()) return s;
  if (absl::Status s = CheckIntLength("plaintext", plaintext.size()); !s.ok()) return s;
  if (absl::Status s = CheckIntLength("AAD", aad.size()); !s.ok()) return s;
  absl::StatusOr<std::string> nonce = RandomBytes(kGcmNonceBytes);
  if (!nonce.ok()) return nonce.status();

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return OpenSslError("EVP_CIPHER_CTX_new");
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmNonceBytesInt, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(*nonce)) != 1) {
    return OpenSslError("AES-256-GCM encrypt init");
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError("AES-256-GCM AAD");
  }

  std::string out(kGcmNonceBytes + plaintext.size() + kGcmTagBytes, '\0');
  out.replace(0, kGcmNonceBytes, *nonce);
  unsigned char* ciphertext = MutableBytes(out) + kGcmNonceBytes;
  if (!plaintext.empty() && (EVP_EncryptUpdate(ctx.get(), ciphertext, &len, Bytes(plaintext),
                                               static_cast<int>(plaintext.size())) != 1 ||
                             static_cast<size_t>(len) != plaintext.size())) {
    return OpenSslError("AES-256-GCM encrypt");
  }
  if (EVP_EncryptFinal_ex(ctx.get(), ciphertext + plaintext.size(), &len) != 1 || len != 0) {
    return OpenSslError("AES-256-GCM encrypt final");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytesInt,
                          ciphertext + plaintext.size()) != 1) {
    return OpenSslError("AES-256-GCM get tag");
  }
  return out;
}

// Decrypts nonce || ciphertext || tag and checks the tag over ciphertext and aad. Any
// authentication failure is DATA_LOSS, and the partial plaintext is wiped before returning.
absl::StatusOr<std::string> AeadOpen(std::string_view key, std::string_view sealed,
                                     std::string_view aad) {
  if (absl::Status s = CheckAesKey(key); !s.ok()) return s;
  if (sealed.size() < kGcmNonceBytes + kGcmTagBytes) {
    return absl::DataLossError(absl::StrCat("sealed value is ", sealed.size(), " bytes; at least ",
                                            kGcmNonceBytes + kGcmTagBytes,
                                            " (nonce and tag) are required"));
  }
  if (absl::Status s = CheckIntLength("sealed value", sealed.size()); !s.ok()) return s;
  if (absl::Status s = CheckIntLength("AAD", aad.size()); !s.ok()) return s;
  std::string_view nonce = sealed.substr(0, kGcmNonceBytes);
  std::string_view ciphertext =
      sealed.substr(kGcmNonceBytes, sealed.size() - kGcmNonceBytes - kGcmTagBytes);
  // OpenSSL's SET_TAG takes a non-const pointer but only reads from it.
  std::string tag(sealed.substr(sealed.size() - kGcmTagBytes));

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (ctx == nullptr) return OpenSslError("EVP_CIPHER_CTX_new");
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kGcmNonceBytesInt, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1) {
    return OpenSslError("AES-256-GCM decrypt init");
  }
  int len = 0;
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad), static_cast<int>(aad.size())) != 1) {
    return OpenSslError("AES-256-GCM AAD");
  }
  std::string plaintext(ciphertext.size(), '\0');
  if (!ciphertext.empty() &&
      (EVP_DecryptUpdate(ctx.get(), MutableBytes(plaintext), &len, Bytes(ciphertext),
                         static_cast<int>(ciphertext.size())) != 1 ||
       static_cast<size_t>(len) != ciphertext.size())) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return OpenSslError("AES-256-GCM decrypt");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagBytesInt, tag.data()) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return OpenSslError("AES-256-GCM set tag");
  }
  if (EVP_DecryptFinal_ex(ctx.get(), MutableBytes(plaintext) + plaintext.size(), &len) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    ERR_clear_error();
    return absl::DataLossError(
        "AES-256-GCM authentication failed: the value was altered, moved, or opened with the "
        "wrong key");
  }
  return plaintext;
}

absl::StatusOr<Ed25519KeyPair> GenerateEd25519() {
  absl::StatusOr<std::string> seed = RandomBytes(kEd25519KeyBytes);
  if (!seed.ok()) return seed.status();
  absl::StatusOr<std::string> public_key = Ed25519PublicKey(*seed);
  if (!public_key.ok()) return public_key.status();
  return Ed25519KeyPair{.private_key = *std::move(seed), .public_key = *std::move(public_key)};
}

absl::StatusOr<std::string> Ed25519PublicKey(std::string_view private_key) {
  absl::StatusOr<PkeyPtr> pkey = Ed25519PrivateKey(private_key);
  if (!pkey.ok()) return pkey.status();
  std::string out(kEd25519KeyBytes, '\0');
  size_t len = out.size();
  if (EVP_PKEY_get_raw_public_key(pkey->get(), MutableBytes(out), &len) != 1 ||
      len != kEd25519KeyBytes) {
    return OpenSslError("EVP_PKEY_get_raw_public_key");
  }
  return out;
}

absl::StatusOr<std::string> Ed25519Sign(std::string_view private_key, std::string_view message) {
  absl::StatusOr<PkeyPtr> pkey = Ed25519PrivateKey(private_key);
  if (!pkey.ok()) return pkey.status();
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return OpenSslError("EVP_MD_CTX_new");
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey->get()) != 1) {
    return OpenSslError("EVP_DigestSignInit");
  }
  std::string signature(kEd25519SignatureBytes, '\0');
  size_t len = signature.size();
  if (EVP_DigestSign(ctx.get(), MutableBytes(signature), &len, Bytes(message), message.size()) !=
          1 ||
      len != kEd25519SignatureBytes) {
    return OpenSslError("EVP_DigestSign");
  }
  return signature;
}

// Returns false, never an error, for keys or signatures of the wrong size and for any OpenSSL
// failure: a signature that cannot be checked is not a valid one.
bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature) {
  if (public_key.size() != kEd25519KeyBytes || signature.size() != kEd25519SignatureBytes) {
    return false;
  }
  PkeyPtr pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  bool ok = pkey != nullptr && ctx != nullptr &&
            EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) == 1 &&
            EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                             message.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace jijian::storage
