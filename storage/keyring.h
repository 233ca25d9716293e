// Envelope encryption: a key-encryption key (KEK) in its own file wraps random data keys
// (DEKs), one active per key domain. Field values are sealed with AES-256-GCM under the
// active DEK of their domain, with AAD binding them to their place (table, column, row id,
// key id), so a ciphertext copied to another row or column fails to open.
#ifndef JIJIAN_STORAGE_KEYRING_H_
#define JIJIAN_STORAGE_KEYRING_H_

#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jijian::storage {

// Key domains (DESIGN.md "Encryption at rest").
enum class KeyDomain {
  kIdentity,      // reporter's name, ID number, phone, address; subject's ID number
  kContent,       // petition text, summaries, notes, replies, reports, attachments
  kIndex,         // blind-index HMAC keys
  kAuditSigning,  // the Ed25519 seed that signs audit tree heads
};

// Stable lowercase name of a domain ("identity", "content", "index", "audit_signing").
std::string_view KeyDomainName(KeyDomain domain);
absl::StatusOr<KeyDomain> ParseKeyDomain(std::string_view name);

// The place a sealed value belongs to; part of its AAD.
struct FieldRef {
  std::string_view table;
  std::string_view column;
  std::string_view row_id;
};

// The KEK: 32 random bytes kept in a file of mode 0600, never in the database.
class Kek {
 public:
  // Creates a new KEK file (hex text, mode 0600). Refuses to overwrite (ALREADY_EXISTS).
  static absl::StatusOr<Kek> Create(const std::string& path);
  // Loads a KEK file; INVALID_ARGUMENT if it is not 64 hex digits,
  // FAILED_PRECONDITION if group or others can read it.
  static absl::StatusOr<Kek> Load(const std::string& path);
  // For tests and rotation: a KEK from raw bytes (must be 32).
  static absl::StatusOr<Kek> FromBytes(std::string_view raw);

  const std::string& bytes() const { return bytes_; }
  // A short public identifier (first 8 hex digits of SHA-256 of the key).
  std::string id() const;

 private:
  explicit Kek(std::string bytes) : bytes_(std::move(bytes)) {}
  std::string bytes_;
};

// A data key as stored: only its wrapped form ever reaches the database.
struct WrappedKey {
  std::string key_id;  // e.g. "identity-1a2b3c4d"
  KeyDomain domain = KeyDomain::kContent;
  std::string wrapped;  // AeadSeal(kek, dek, aad = "jijian/kek/v1|" + domain + "|" + key_id)
  bool active = false;  // the key new writes use; one per domain
};

// Makes a fresh random DEK for domain (for kAuditSigning, an Ed25519 seed) and wraps it.
absl::StatusOr<WrappedKey> NewWrappedKey(const Kek& kek, KeyDomain domain);

// Re-wraps a stored key under another KEK (KEK rotation).
absl::StatusOr<WrappedKey> RewrapKey(const Kek& old_kek, const Kek& new_kek, const WrappedKey& key);

// Holds the unwrapped DEKs. Thread-safe: keys are only ever added (data-key rotation adds
// a key and makes it the active one of its domain); every method may run concurrently.
class Keyring {
 public:
  // Unwraps every key; needs exactly one active key per domain. Index keys must come in
  // the order they were made, the active one last (their digests chain in that order).
  // A wrong KEK gives PERMISSION_DENIED naming the key id that did not open.
  static absl::StatusOr<std::unique_ptr<Keyring>> Open(const Kek& kek,
                                                       const std::vector<WrappedKey>& keys);

  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  // Seals plaintext under the active key of domain. Output layout:
  // 0x01 (format version) || len(key_id) (1 byte) || key_id || nonce || ciphertext || tag.
  // AAD = "jijian/field/v1|" table "|" column "|" row_id "|" key_id.
  absl::StatusOr<std::string> Seal(KeyDomain domain, const FieldRef& where,
                                   std::string_view plaintext) const;

  // Opens a sealed value at its place. DATA_LOSS if it was moved, altered, or the key is
  // wrong; NOT_FOUND if its key id is unknown. Messages never contain plaintext.
  absl::StatusOr<std::string> Open(const FieldRef& where, std::string_view sealed) const;

  // Blind index of a value under the active index key, as stored. The index keys form a
  // chain in the order they were made (k1, k2, ..., kn, the active one last):
  //   d1 = HMAC-SHA256(k1, purpose || 0x00 || Normalize(value))[0:16]
  //   dg = HMAC-SHA256(kg, d(g-1))[0:16]
  // and the stored digest is dn followed by the tag of kn (DigestTag). Chaining lets a
  // rotation re-digest every stored value without its plaintext (receipt codes exist only
  // as digests), and a digest under the newest key says nothing to someone holding only
  // the older keys. Stable for the same keys, different after a rotation.
  std::string BlindIndex(std::string_view purpose, std::string_view value) const;

  // The value's digest at every generation of the chain (oldest first, active last), for
  // lookups that must find a row whatever generation it was stored at: during a rotation's
  // pass, rows not yet re-digested still carry an older generation.
  std::vector<std::string> BlindIndexes(std::string_view purpose, std::string_view value) const;

  // Carries a stored digest forward to the active index key (a rotation's pass). A digest
  // already at the active key is returned unchanged. DATA_LOSS if its tag names no index
  // key of the keyring, or it is not a digest.
  absl::StatusOr<std::string> AdvanceDigest(std::string_view stored) const;

  // The tag an index key's digests end with: the last 8 characters of its key id.
  static std::string DigestTag(std::string_view key_id);
  // Bytes in a stored digest: 16 of HMAC and the 8-character tag.
  static constexpr size_t kDigestBytes = 24;

  // Normalises a value for blind indexing: full-width ASCII to half-width, ideographic
  // space to space, trims and collapses whitespace, ASCII to lower case.
  static std::string Normalize(std::string_view value);

  // Signs with the audit signing key (Ed25519); 64-byte signature.
  absl::StatusOr<std::string> SignAudit(std::string_view message) const;
  // The audit public key, raw 32 bytes.
  const std::string& audit_public_key() const { return audit_public_key_; }

  // The active key id of a domain.
  std::string active_key_id(KeyDomain domain) const;

  // Unwraps key with kek and adds it; if key.active it becomes the key new values of its
  // domain are sealed with (data-key rotation; not for the audit signing domain). An index
  // key must be active: it extends the digest chain. ALREADY_EXISTS if the key id (or, for
  // an index key, its digest tag) is known.
  absl::Status AddKey(const Kek& kek, const WrappedKey& key);

  // The key id a sealed value names in its header; nullopt if it has no valid header.
  static std::optional<std::string> KeyIdOf(std::string_view sealed);

  // The domain of a known key id.
  std::optional<KeyDomain> DomainOfKey(std::string_view key_id) const;

 private:
  Keyring() = default;
  // Appends an index key to the digest chain; ALREADY_EXISTS if its tag is taken. Called
  // with mu_ held for writing (or before the keyring is shared).
  absl::Status ExtendIndexChain(const std::string& key_id);
  // The raw key and id a new value of domain is sealed with, read under the lock.
  std::pair<std::string, std::string> ActiveKey(KeyDomain domain) const;

  mutable std::shared_mutex mu_;
  std::map<std::string, std::string, std::less<>> keys_;     // key id -> raw key
  std::map<std::string, KeyDomain, std::less<>> domain_of_;  // key id -> domain
  std::map<KeyDomain, std::string> active_;                  // domain -> key id
  std::vector<std::string> index_chain_;  // index key ids, oldest first; the last is active
  std::string audit_public_key_;  // fixed at Open (the signing key is not rotated)
};

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_KEYRING_H_
