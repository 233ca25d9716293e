// The deployment's own PKI over OpenSSL 3: a CA, the server certificate and user client
// certificates. Keys are EC P-256, signatures SHA-256, lifetimes bounded. Thread-safe.
#ifndef JIJIAN_SERVER_PKI_H_
#define JIJIAN_SERVER_PKI_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jijian::server {

// A private key and its certificate, both PEM.
struct KeyAndCert {
  std::string key_pem;
  std::string cert_pem;
};

// What the service needs to know of a certificate.
struct CertInfo {
  std::string serial_hex;          // lowercase hex, no leading zeros stripped beyond OpenSSL's
  std::string common_name;         // subject CN (the user id for client certificates)
  std::string fingerprint_sha256;  // SHA-256 of the DER encoding, lowercase hex
  int64_t not_before_unix = 0;
  int64_t not_after_unix = 0;
};

// Creates a self-signed CA (basicConstraints CA:TRUE, keyCertSign|cRLSign).
absl::StatusOr<KeyAndCert> CreateCa(std::string_view common_name, absl::Duration lifetime);

// Issues a TLS server certificate signed by ca with the given DNS and IP subjectAltNames
// (extendedKeyUsage serverAuth).
absl::StatusOr<KeyAndCert> IssueServerCert(const KeyAndCert& ca, std::string_view common_name,
                                           const std::vector<std::string>& dns_names,
                                           const std::vector<std::string>& ip_addresses,
                                           absl::Duration lifetime);

// Signs a PEM PKCS#10 request as a client certificate for user_id: the subject is
// CN=user_id whatever the request says, extendedKeyUsage clientAuth, a random 128-bit
// serial. INVALID_ARGUMENT names the problem if the request is malformed, its signature
// does not verify, or its key is not EC P-256 or Ed25519.
absl::StatusOr<std::string> SignClientCsr(const KeyAndCert& ca, std::string_view csr_pem,
                                          std::string_view user_id, absl::Duration lifetime);

// Generates a key and a client certificate for user_id in one step (init's first admin).
absl::StatusOr<KeyAndCert> IssueClientCert(const KeyAndCert& ca, std::string_view user_id,
                                           absl::Duration lifetime);

// Parses a PEM certificate.
absl::StatusOr<CertInfo> InspectCert(std::string_view cert_pem);

// The SHA-256 fingerprint (lowercase hex) of the first PEM certificate in cert_pem, the same
// as InspectCert's, without parsing the certificate: only its base64 is decoded. For a
// certificate the TLS layer has already verified, where parsing costs more than the rest of a
// call (docs/BENCHMARKS.md, "Intake").
absl::StatusOr<std::string> CertFingerprint(std::string_view cert_pem);

// OK when key_pem is an unencrypted PEM private key belonging to the first certificate in
// cert_pem (a chain may follow it). INVALID_ARGUMENT otherwise, naming cert_what or key_what
// (a configuration key, say).
absl::Status CheckKeyPair(std::string_view cert_pem, std::string_view key_pem,
                          std::string_view cert_what, std::string_view key_what);

// OK when cert_pem chains to ca_pem and is within its validity at now.
absl::Status VerifyCertAgainstCa(std::string_view ca_pem, std::string_view cert_pem,
                                 absl::Time now);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_PKI_H_
