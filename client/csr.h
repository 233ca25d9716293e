// Client-side key generation: the private key of a user's certificate is made on the
// client and never sent to the server.
#ifndef JIJIAN_CLIENT_CSR_H_
#define JIJIAN_CLIENT_CSR_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jijian::client {

struct KeyAndCsr {
  std::string key_pem;  // PKCS#8 PEM, EC P-256
  std::string csr_pem;  // PKCS#10 PEM, subject CN=common_name, signed with SHA-256
};

// Generates an EC P-256 key and a certificate signing request for it.
absl::StatusOr<KeyAndCsr> GenerateKeyAndCsr(std::string_view common_name);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_CSR_H_
