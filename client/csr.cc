#include "client/csr.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jijian::client {
namespace {

// Calls an OpenSSL free function on a non-null pointer; used as a unique_ptr deleter.
template <auto FreeFn>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509ReqPtr = std::unique_ptr<X509_REQ, OpenSslDeleter<X509_REQ_free>>;

// RFC 5280 ub-common-name.
constexpr size_t kMaxCommonNameBytes = 64;

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

// Copies the contents of a memory BIO into a string.
std::string BioContents(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  if (data == nullptr || length <= 0) return std::string();
  return std::string(data, static_cast<size_t>(length));
}

}  // namespace

absl::StatusOr<KeyAndCsr> GenerateKeyAndCsr(std::string_view common_name) {
  if (common_name.empty() || common_name.size() > kMaxCommonNameBytes ||
      common_name.find('\0') != std::string_view::npos) {
    return absl::InvalidArgumentError("common name is " + std::to_string(common_name.size()) +
                                      " bytes; must be 1 to " +
                                      std::to_string(kMaxCommonNameBytes) + " bytes without NUL");
  }
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) return OpenSslError("EVP_PKEY_Q_keygen(EC P-256)");

  X509ReqPtr request(X509_REQ_new());
  if (request == nullptr) return OpenSslError("X509_REQ_new");
  if (X509_REQ_set_version(request.get(), X509_REQ_VERSION_1) != 1) {
    return OpenSslError("X509_REQ_set_version");
  }
  X509_NAME* subject = X509_REQ_get_subject_name(request.get());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    return OpenSslError("X509_NAME_add_entry_by_txt(CN)");
  }
  if (X509_REQ_set_pubkey(request.get(), key.get()) != 1) {
    return OpenSslError("X509_REQ_set_pubkey");
  }
  if (X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0) {
    return OpenSslError("X509_REQ_sign");
  }

  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (key_bio == nullptr) return OpenSslError("BIO_new");
  if (PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
      1) {
    return OpenSslError("PEM_write_bio_PrivateKey");
  }
  BioPtr csr_bio(BIO_new(BIO_s_mem()));
  if (csr_bio == nullptr) return OpenSslError("BIO_new");
  if (PEM_write_bio_X509_REQ(csr_bio.get(), request.get()) != 1) {
    return OpenSslError("PEM_write_bio_X509_REQ");
  }
  return KeyAndCsr{BioContents(key_bio.get()), BioContents(csr_bio.get())};
}

}  // namespace jijian::client
