// Receipt codes (查询码) for reporters: 20 characters from an alphabet without look-alike
// characters (no 0/O, 1/I/L), about 99 bits of entropy, shown once as XXXXX-XXXXX-XXXXX-XXXXX.
// Only a keyed digest is stored (Keyring::BlindIndex), so a stolen database cannot be
// searched for codes offline without the server's index key.
#ifndef JIJIAN_STORAGE_RECEIPT_H_
#define JIJIAN_STORAGE_RECEIPT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/keyring.h"

namespace jijian::storage {

inline constexpr std::string_view kReceiptAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr size_t kReceiptChars = 20;

// A fresh code, formatted in four groups of five.
absl::StatusOr<std::string> GenerateReceiptCode();

// Upper-cases, drops dashes and spaces, and checks length and alphabet. INVALID_ARGUMENT
// ("receipt_code: ...") otherwise; the message never echoes the code.
absl::StatusOr<std::string> NormalizeReceiptCode(std::string_view code);

// The stored digest of a normalised code (under the active index key).
std::string ReceiptDigest(const Keyring& keyring, std::string_view normalized_code);
// The code's digest at every generation of the index key chain, for lookups: a receipt
// stored before an index-key rotation's pass reached it still carries an older one.
std::vector<std::string> ReceiptDigests(const Keyring& keyring, std::string_view normalized_code);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_RECEIPT_H_
