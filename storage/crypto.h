// Cryptographic primitives over OpenSSL 3: randomness, hashes, AES-256-GCM, Ed25519.
// All functions are thread-safe and hold no state.
#ifndef JIJIAN_STORAGE_CRYPTO_H_
#define JIJIAN_STORAGE_CRYPTO_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jijian::storage {

inline constexpr size_t kAes256KeyBytes = 32;
inline constexpr size_t kGcmNonceBytes = 12;
inline constexpr size_t kGcmTagBytes = 16;
inline constexpr size_t kSha256Bytes = 32;
inline constexpr size_t kEd25519KeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

// Returns n bytes from the OpenSSL CSPRNG, or INTERNAL if it fails.
absl::StatusOr<std::string> RandomBytes(size_t n);

// SHA-256 of data (32 raw bytes).
std::string Sha256(std::string_view data);

// HMAC-SHA256 of data under key (32 raw bytes).
std::string HmacSha256(std::string_view key, std::string_view data);

// Lowercase hex of raw bytes, and its inverse (INVALID_ARGUMENT on bad hex).
std::string ToHex(std::string_view bytes);
absl::StatusOr<std::string> FromHex(std::string_view hex);

// AES-256-GCM with a fresh random 96-bit nonce. Returns nonce || ciphertext || tag.
// key must be 32 bytes (INVALID_ARGUMENT otherwise).
absl::StatusOr<std::string> AeadSeal(std::string_view key, std::string_view plaintext,
                                     std::string_view aad);

// Inverse of AeadSeal. A wrong key, wrong AAD or any modified byte gives DATA_LOSS;
// the message never contains plaintext.
absl::StatusOr<std::string> AeadOpen(std::string_view key, std::string_view sealed,
                                     std::string_view aad);

// An Ed25519 key pair as raw bytes (32-byte seed, 32-byte public key).
struct Ed25519KeyPair {
  std::string private_key;
  std::string public_key;
};

// Generates a fresh Ed25519 key pair.
absl::StatusOr<Ed25519KeyPair> GenerateEd25519();

// Derives the public key of a raw 32-byte private key.
absl::StatusOr<std::string> Ed25519PublicKey(std::string_view private_key);

// Signs message with a raw 32-byte private key; returns the 64-byte signature.
absl::StatusOr<std::string> Ed25519Sign(std::string_view private_key, std::string_view message);

// True when signature is a valid Ed25519 signature of message under the raw public key.
bool Ed25519Verify(std::string_view public_key, std::string_view message,
                   std::string_view signature);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_CRYPTO_H_
