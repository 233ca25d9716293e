#include "storage/keyring.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "storage/crypto.h"

namespace jijian::storage {
namespace {

constexpr KeyDomain kAllDomains[] = {KeyDomain::kIdentity, KeyDomain::kContent, KeyDomain::kIndex,
                                     KeyDomain::kAuditSigning};

constexpr char kWrapAadPrefix[] = "jijian/kek/v1|";
constexpr char kFieldAadPrefix[] = "jijian/field/v1|";
constexpr char kAadSeparator = '|';
constexpr uint8_t kSealFormatVersion = 0x01;
constexpr size_t kSealHeaderBytes = 2;  // version byte and key id length byte
constexpr size_t kMaxKeyIdBytes = 255;  // the key id length is stored in one byte
constexpr size_t kKeyIdRandomBytes = 4;
constexpr size_t kKekIdHexDigits = 8;
constexpr size_t kKekHexDigits = 2 * kAes256KeyBytes;
constexpr size_t kBlindIndexBytes = 16;
constexpr size_t kDigestTagBytes = Keyring::kDigestBytes - kBlindIndexBytes;
// A KEK file is 64 hex digits and a newline; anything far larger is not a KEK file.
constexpr off_t kMaxKekFileBytes = 4096;
constexpr mode_t kKekFileMode = 0600;
constexpr mode_t kGroupOtherBits = 0077;

// Abseil here is built with its own string_view type, which std::string_view does not convert
// to implicitly.
absl::string_view AsAbsl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Owns a POSIX file descriptor and closes it on destruction.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports whether close succeeded (it can report a deferred write error).
  bool Close() {
    int fd = fd_;
    fd_ = -1;
    return close(fd) == 0;
  }

 private:
  int fd_;
};

// Wipes a string holding key material when it goes out of scope.
class Wiper {
 public:
  explicit Wiper(std::string& s) : s_(s) {}
  ~Wiper() { OPENSSL_cleanse(s_.data(), s_.size()); }
  Wiper(const Wiper&) = delete;
  Wiper& operator=(const Wiper&) = delete;

 private:
  std::string& s_;
};

std::string WrapAad(KeyDomain domain, std::string_view key_id) {
  return absl::StrCat(kWrapAadPrefix, AsAbsl(KeyDomainName(domain)), std::string(1, kAadSeparator),
                      AsAbsl(key_id));
}

// Key ids go into the one-byte length of the seal format and into '|'-separated AADs, so they
// must be 1..255 bytes with no separator.
absl::Status CheckKeyId(std::string_view key_id) {
  if (key_id.empty() || key_id.size() > kMaxKeyIdBytes ||
      key_id.find(kAadSeparator) != std::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key id \"", absl::CHexEscape(AsAbsl(key_id)), "\" is invalid; it must be 1 to ",
        kMaxKeyIdBytes, " bytes without '", std::string(1, kAadSeparator), "'"));
  }
  return absl::OkStatus();
}

// A separator inside table, column or row id would let two different places share one AAD.
absl::Status CheckFieldRef(const FieldRef& where) {
  for (std::string_view part : {where.table, where.column, where.row_id}) {
    if (part.find(kAadSeparator) != std::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "field reference ", absl::CHexEscape(AsAbsl(where.table)), ".",
          absl::CHexEscape(AsAbsl(where.column)), " row ", absl::CHexEscape(AsAbsl(where.row_id)),
          " contains '", std::string(1, kAadSeparator), "'; table, column and row id must not"));
    }
  }
  return absl::OkStatus();
}

std::string FieldAad(const FieldRef& where, std::string_view key_id) {
  const std::string sep(1, kAadSeparator);
  return absl::StrCat(kFieldAadPrefix, AsAbsl(where.table), sep, AsAbsl(where.column), sep,
                      AsAbsl(where.row_id), sep, AsAbsl(key_id));
}

// Unwraps a stored key with kek. A failed authentication means the KEK is not the one the key
// was wrapped under, reported as PERMISSION_DENIED with the key id.
absl::StatusOr<std::string> Unwrap(const Kek& kek, const WrappedKey& key) {
  if (absl::Status s = CheckKeyId(key.key_id); !s.ok()) return s;
  absl::StatusOr<std::string> dek =
      AeadOpen(kek.bytes(), key.wrapped, WrapAad(key.domain, key.key_id));
  if (absl::IsDataLoss(dek.status())) {
    return absl::PermissionDeniedError(
        absl::StrCat("key ", key.key_id, " (", AsAbsl(KeyDomainName(key.domain)),
                     ") does not unwrap under KEK ", kek.id(),
                     "; the KEK file is not the one this key was wrapped with, or the wrapped key "
                     "was altered"));
  }
  if (!dek.ok()) return dek.status();
  if (dek->size() != kAes256KeyBytes) {
    size_t size = dek->size();
    OPENSSL_cleanse(dek->data(), dek->size());
    return absl::DataLossError(absl::StrCat("key ", key.key_id, " unwraps to ", size,
                                            " bytes; expected ", kAes256KeyBytes));
  }
  return dek;
}

// Writes all of data to fd, retrying short writes and EINTR.
absl::Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, absl::StrCat("writing KEK file ", path));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

}  // namespace

std::string_view KeyDomainName(KeyDomain domain) {
  switch (domain) {
    case KeyDomain::kIdentity:
      return "identity";
    case KeyDomain::kContent:
      return "content";
    case KeyDomain::kIndex:
      return "index";
    case KeyDomain::kAuditSigning:
      return "audit_signing";
  }
  return "unknown";
}

absl::StatusOr<KeyDomain> ParseKeyDomain(std::string_view name) {
  for (KeyDomain domain : kAllDomains) {
    if (KeyDomainName(domain) == name) return domain;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown key domain \"", absl::CHexEscape(AsAbsl(name)),
                   "\"; allowed: identity, content, index, audit_signing"));
}

// Generates 32 random bytes and writes them as hex to a file created exclusively with mode
// 0600. A file left half-written by a failure is removed.
absl::StatusOr<Kek> Kek::Create(const std::string& path) {
  absl::StatusOr<std::string> raw = RandomBytes(kAes256KeyBytes);
  if (!raw.ok()) return raw.status();
  std::string text = ToHex(*raw) + "\n";
  Wiper wipe_text(text);

  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, kKekFileMode));
  if (fd.get() < 0) {
    if (errno == EEXIST) {
      return absl::AlreadyExistsError(
          absl::StrCat("KEK file ", path, " already exists; refusing to overwrite a key"));
    }
    return absl::ErrnoToStatus(errno, absl::StrCat("creating KEK file ", path));
  }
  // The umask may have cleared bits of the mode but never adds any; fchmod makes it exact.
  absl::Status status;
  if (fchmod(fd.get(), kKekFileMode) != 0) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("setting mode 0600 on KEK file ", path));
  }
  if (status.ok()) status = WriteAll(fd.get(), text, path);
  if (status.ok() && fsync(fd.get()) != 0) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("syncing KEK file ", path));
  }
  if (status.ok() && !fd.Close()) {
    status = absl::ErrnoToStatus(errno, absl::StrCat("closing KEK file ", path));
  }
  if (!status.ok()) {
    unlink(path.c_str());
    return status;
  }
  return Kek(*std::move(raw));
}

// Reads a KEK file, refusing one that group or others can access before reading any byte.
absl::StatusOr<Kek> Kek::Load(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("opening KEK file ", path));
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("stat of KEK file ", path));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat("KEK file ", path, " is not a regular file"));
  }
  if ((st.st_mode & kGroupOtherBits) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "KEK file %s has mode %04o; it must be 0600 (no access for group or others): "
        "chmod 600 %s",
        path, st.st_mode & 07777, path));
  }
  if (st.st_size > kMaxKekFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("KEK file ", path, " is ", st.st_size, " bytes; it must hold 64 hex digits"));
  }

  std::string text(static_cast<size_t>(kMaxKekFileBytes) + 1, '\0');
  Wiper wipe_text(text);
  size_t used = 0;
  while (used < text.size()) {
    ssize_t n = read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::ErrnoToStatus(errno, absl::StrCat("reading KEK file ", path));
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  std::string_view content(text.data(), used);
  while (!content.empty() && (content.back() == '\n' || content.back() == '\r' ||
                              content.back() == ' ' || content.back() == '\t')) {
    content.remove_suffix(1);
  }
  // The message never quotes the content: it could reveal key digits.
  const absl::Status bad_content = absl::InvalidArgumentError(absl::StrCat(
      "KEK file ", path, " must contain exactly ", kKekHexDigits,
      " hex digits and a newline; it holds ", content.size(), " characters that are not that"));
  if (content.size() != kKekHexDigits) return bad_content;
  absl::StatusOr<std::string> raw = FromHex(content);
  if (!raw.ok()) return bad_content;
  return Kek(*std::move(raw));
}

absl::StatusOr<Kek> Kek::FromBytes(std::string_view raw) {
  if (raw.size() != kAes256KeyBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("KEK is ", raw.size(), " bytes; it must be ", kAes256KeyBytes));
  }
  return Kek(std::string(raw));
}

std::string Kek::id() const { return ToHex(Sha256(bytes_)).substr(0, kKekIdHexDigits); }

// Every domain's DEK is 32 random bytes: an AES-256 key, an HMAC key, or an Ed25519 seed. The
// new key is marked active, since a key is made to be used; on rotation the caller clears the
// flag of the key it replaces.
absl::StatusOr<WrappedKey> NewWrappedKey(const Kek& kek, KeyDomain domain) {
  absl::StatusOr<std::string> suffix = RandomBytes(kKeyIdRandomBytes);
  if (!suffix.ok()) return suffix.status();
  absl::StatusOr<std::string> dek = RandomBytes(kAes256KeyBytes);
  if (!dek.ok()) return dek.status();
  Wiper wipe_dek(*dek);

  WrappedKey key;
  key.key_id = absl::StrCat(AsAbsl(KeyDomainName(domain)), "-", ToHex(*suffix));
  key.domain = domain;
  key.active = true;
  absl::StatusOr<std::string> wrapped = AeadSeal(kek.bytes(), *dek, WrapAad(domain, key.key_id));
  if (!wrapped.ok()) return wrapped.status();
  key.wrapped = *std::move(wrapped);
  return key;
}

// Unwraps under old_kek and wraps the same DEK under new_kek; key id, domain and active flag
// are kept.
absl::StatusOr<WrappedKey> RewrapKey(const Kek& old_kek, const Kek& new_kek,
                                     const WrappedKey& key) {
  absl::StatusOr<std::string> dek = Unwrap(old_kek, key);
  if (!dek.ok()) return dek.status();
  Wiper wipe_dek(*dek);
  absl::StatusOr<std::string> wrapped =
      AeadSeal(new_kek.bytes(), *dek, WrapAad(key.domain, key.key_id));
  if (!wrapped.ok()) return wrapped.status();
  WrappedKey out = key;
  out.wrapped = *std::move(wrapped);
  return out;
}

// Unwraps every key, then checks that each domain has exactly one active key and derives the
// audit public key from the active audit signing seed.
absl::StatusOr<std::unique_ptr<Keyring>> Keyring::Open(const Kek& kek,
                                                       const std::vector<WrappedKey>& keys) {
  std::unique_ptr<Keyring> ring(new Keyring());
  for (const WrappedKey& key : keys) {
    absl::StatusOr<std::string> dek = Unwrap(kek, key);
    if (!dek.ok()) return dek.status();
    ring->domain_of_[key.key_id] = key.domain;
    if (!ring->keys_.emplace(key.key_id, *std::move(dek)).second) {
      return absl::FailedPreconditionError(
          absl::StrCat("key id ", key.key_id, " appears twice; key ids must be unique"));
    }
    if (key.domain == KeyDomain::kIndex) {
      if (absl::Status st = ring->ExtendIndexChain(key.key_id); !st.ok()) return st;
    }
    if (!key.active) continue;
    auto [it, inserted] = ring->active_.emplace(key.domain, key.key_id);
    if (!inserted) {
      return absl::FailedPreconditionError(
          absl::StrCat("domain ", AsAbsl(KeyDomainName(key.domain)), " has two active keys (",
                       it->second, " and ", key.key_id, "); exactly one must be active"));
    }
  }
  for (KeyDomain domain : kAllDomains) {
    if (!ring->active_.contains(domain)) {
      return absl::FailedPreconditionError(
          absl::StrCat("domain ", AsAbsl(KeyDomainName(domain)),
                       " has no active key; exactly one active key per domain is required"));
    }
  }
  if (ring->index_chain_.back() != ring->active_.at(KeyDomain::kIndex)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the active index key ", ring->active_.at(KeyDomain::kIndex),
                     " is not the newest (", ring->index_chain_.back(),
                     "); index digests chain through the keys in the order they were made"));
  }
  absl::StatusOr<std::string> audit_public_key =
      Ed25519PublicKey(ring->keys_.at(ring->active_.at(KeyDomain::kAuditSigning)));
  if (!audit_public_key.ok()) return audit_public_key.status();
  ring->audit_public_key_ = *std::move(audit_public_key);
  return ring;
}

absl::StatusOr<std::string> Keyring::Seal(KeyDomain domain, const FieldRef& where,
                                          std::string_view plaintext) const {
  if (absl::Status s = CheckFieldRef(where); !s.ok()) return s;
  auto [key_id, raw] = ActiveKey(domain);
  Wiper wipe_key(raw);
  absl::StatusOr<std::string> sealed = AeadSeal(raw, plaintext, FieldAad(where, key_id));
  if (!sealed.ok()) return sealed.status();
  std::string out;
  out.reserve(kSealHeaderBytes + key_id.size() + sealed->size());
  out.push_back(static_cast<char>(kSealFormatVersion));
  out.push_back(static_cast<char>(key_id.size()));
  out.append(key_id);
  out.append(*sealed);
  return out;
}

// Parses the format version and key id from the sealed value, then opens it with the AAD rebuilt
// from where and that key id.
absl::StatusOr<std::string> Keyring::Open(const FieldRef& where, std::string_view sealed) const {
  if (absl::Status s = CheckFieldRef(where); !s.ok()) return s;
  const std::string place =
      absl::StrCat(AsAbsl(where.table), ".", AsAbsl(where.column), " row ", AsAbsl(where.row_id));
  if (sealed.size() < kSealHeaderBytes) {
    return absl::DataLossError(
        absl::StrCat("sealed value at ", place, " is truncated (", sealed.size(), " bytes)"));
  }
  const uint8_t version = static_cast<uint8_t>(sealed[0]);
  if (version != kSealFormatVersion) {
    return absl::DataLossError(
        absl::StrFormat("sealed value at %s has format version 0x%02x; expected 0x%02x", place,
                        version, kSealFormatVersion));
  }
  const size_t key_id_size = static_cast<uint8_t>(sealed[1]);
  if (sealed.size() < kSealHeaderBytes + key_id_size + kGcmNonceBytes + kGcmTagBytes) {
    return absl::DataLossError(
        absl::StrCat("sealed value at ", place, " is truncated (", sealed.size(), " bytes)"));
  }
  std::string_view key_id = sealed.substr(kSealHeaderBytes, key_id_size);
  std::string raw;
  {
    std::shared_lock lock(mu_);
    auto key = keys_.find(key_id);
    if (key == keys_.end()) {
      return absl::NotFoundError(absl::StrCat("sealed value at ", place, " uses key id \"",
                                              absl::CHexEscape(AsAbsl(key_id)),
                                              "\", which is not in the keyring"));
    }
    raw = key->second;
  }
  Wiper wipe_key(raw);
  absl::StatusOr<std::string> plaintext =
      AeadOpen(raw, sealed.substr(kSealHeaderBytes + key_id_size), FieldAad(where, key_id));
  if (absl::IsDataLoss(plaintext.status())) {
    return absl::DataLossError(absl::StrCat(
        "sealed value at ", place, " (key ", AsAbsl(key_id),
        ") failed authentication: it was altered, copied from another place, or sealed under "
        "another key"));
  }
  return plaintext;
}

std::string Keyring::DigestTag(std::string_view key_id) {
  return std::string(key_id.size() <= kDigestTagBytes ? key_id
                                                      : key_id.substr(key_id.size() - kDigestTagBytes));
}

std::vector<std::string> Keyring::BlindIndexes(std::string_view purpose,
                                               std::string_view value) const {
  std::string message = absl::StrCat(AsAbsl(purpose), std::string(1, '\0'), Normalize(value));
  Wiper wipe_message(message);
  std::vector<std::string> out;
  std::shared_lock lock(mu_);
  out.reserve(index_chain_.size());
  std::string digest;
  for (const std::string& key_id : index_chain_) {
    digest = HmacSha256(keys_.at(key_id), out.empty() ? std::string_view(message)
                                                      : std::string_view(digest))
                 .substr(0, kBlindIndexBytes);
    out.push_back(digest + DigestTag(key_id));
  }
  return out;
}

std::string Keyring::BlindIndex(std::string_view purpose, std::string_view value) const {
  return BlindIndexes(purpose, value).back();
}

absl::StatusOr<std::string> Keyring::AdvanceDigest(std::string_view stored) const {
  if (stored.size() != kDigestBytes) {
    return absl::DataLossError(absl::StrCat("a stored blind-index digest has ", stored.size(),
                                            " bytes; expected ", kDigestBytes));
  }
  const std::string_view tag = stored.substr(kBlindIndexBytes);
  std::shared_lock lock(mu_);
  size_t g = 0;
  while (g < index_chain_.size() && DigestTag(index_chain_[g]) != tag) ++g;
  if (g == index_chain_.size()) {
    return absl::DataLossError(absl::StrCat("a stored blind-index digest names index key tag \"",
                                            absl::CHexEscape(AsAbsl(tag)),
                                            "\", which is not in the keyring"));
  }
  std::string digest(stored.substr(0, kBlindIndexBytes));
  for (++g; g < index_chain_.size(); ++g) {
    digest = HmacSha256(keys_.at(index_chain_[g]), digest).substr(0, kBlindIndexBytes);
  }
  return digest + DigestTag(index_chain_.back());
}

namespace {

constexpr char32_t kFullwidthFirst = 0xFF01;  // ！
constexpr char32_t kFullwidthLast = 0xFF5E;   // ～
constexpr char32_t kFullwidthOffset = 0xFF01 - 0x21;
constexpr char32_t kIdeographicSpace = 0x3000;

// Decodes one well-formed UTF-8 sequence at the start of s. Returns its length and stores the
// code point, or returns 0 if s does not start with one (bad lead byte, bad continuation,
// overlong form, surrogate, or beyond U+10FFFF).
size_t DecodeUtf8(std::string_view s, char32_t* cp) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t lead = byte(0);
  size_t len;
  char32_t min;
  if (lead < 0x80) {
    *cp = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *cp = lead & 0x07;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    *cp = (*cp << 6) | (byte(i) & 0x3F);
  }
  if (*cp < min || *cp > 0x10FFFF || (*cp >= 0xD800 && *cp <= 0xDFFF)) return 0;
  return len;
}

bool IsAsciiSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\v' || cp == '\f' || cp == '\r';
}

}  // namespace

// Walks the value one code point at a time. Whitespace is not copied but remembered, and one
// space is written before the next other character, which trims both ends and collapses runs.
// Bytes that are not well-formed UTF-8 are copied unchanged.
std::string Keyring::Normalize(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  while (!value.empty()) {
    char32_t cp = 0;
    size_t len = DecodeUtf8(value, &cp);
    std::string_view original = value.substr(0, len == 0 ? 1 : len);
    value.remove_prefix(original.size());
    if (len != 0) {
      if (cp >= kFullwidthFirst && cp <= kFullwidthLast) cp -= kFullwidthOffset;
      if (cp == kIdeographicSpace) cp = ' ';
      if (IsAsciiSpace(cp)) {
        pending_space = true;
        continue;
      }
    }
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    if (len != 0 && cp < 0x80) {
      if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
      out.push_back(static_cast<char>(cp));
    } else {
      out.append(original);  // unchanged: a non-ASCII code point or an invalid byte
    }
  }
  return out;
}

absl::StatusOr<std::string> Keyring::SignAudit(std::string_view message) const {
  auto [key_id, raw] = ActiveKey(KeyDomain::kAuditSigning);
  Wiper wipe_key(raw);
  return Ed25519Sign(raw, message);
}

// Every domain has an active key once Open has succeeded, so the lookup cannot miss.
std::string Keyring::active_key_id(KeyDomain domain) const {
  std::shared_lock lock(mu_);
  return active_.at(domain);
}

std::pair<std::string, std::string> Keyring::ActiveKey(KeyDomain domain) const {
  std::shared_lock lock(mu_);
  const std::string& id = active_.at(domain);
  return {id, keys_.at(id)};
}

absl::Status Keyring::AddKey(const Kek& kek, const WrappedKey& key) {
  if (key.domain == KeyDomain::kAuditSigning) {
    return absl::InvalidArgumentError(
        "the audit signing key is not rotated here: every verifier pins its public key");
  }
  if (key.domain == KeyDomain::kIndex && !key.active) {
    return absl::InvalidArgumentError(
        absl::StrCat("index key ", key.key_id,
                     " must be added as the active one: index keys extend the digest chain"));
  }
  absl::StatusOr<std::string> dek = Unwrap(kek, key);
  if (!dek.ok()) return dek.status();
  std::unique_lock lock(mu_);
  if (keys_.contains(key.key_id)) {
    return absl::AlreadyExistsError(absl::StrCat("key id ", key.key_id, " is already known"));
  }
  if (key.domain == KeyDomain::kIndex) {
    if (absl::Status st = ExtendIndexChain(key.key_id); !st.ok()) return st;
  }
  keys_.emplace(key.key_id, *std::move(dek));
  domain_of_[key.key_id] = key.domain;
  if (key.active) active_[key.domain] = key.key_id;
  return absl::OkStatus();
}

absl::Status Keyring::ExtendIndexChain(const std::string& key_id) {
  const std::string tag = DigestTag(key_id);
  for (const std::string& other : index_chain_) {
    if (DigestTag(other) == tag) {
      return absl::AlreadyExistsError(absl::StrCat("index keys ", other, " and ", key_id,
                                                   " share the digest tag \"", tag,
                                                   "\"; an index key needs a tag of its own"));
    }
  }
  index_chain_.push_back(key_id);
  return absl::OkStatus();
}

std::optional<std::string> Keyring::KeyIdOf(std::string_view sealed) {
  if (sealed.size() < kSealHeaderBytes ||
      static_cast<uint8_t>(sealed[0]) != kSealFormatVersion) {
    return std::nullopt;
  }
  const size_t n = static_cast<uint8_t>(sealed[1]);
  if (sealed.size() < kSealHeaderBytes + n) return std::nullopt;
  return std::string(sealed.substr(kSealHeaderBytes, n));
}

std::optional<KeyDomain> Keyring::DomainOfKey(std::string_view key_id) const {
  std::shared_lock lock(mu_);
  auto it = domain_of_.find(key_id);
  if (it == domain_of_.end()) return std::nullopt;
  return it->second;
}

}  // namespace jijian::storage
