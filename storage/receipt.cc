#include "storage/receipt.h"

#include "storage/crypto.h"

namespace jijian::storage {

absl::StatusOr<std::string> GenerateReceiptCode() {
  std::string code;
  // Rejection sampling keeps every character uniform over the 31-letter alphabet.
  const unsigned limit = 256 - (256 % kReceiptAlphabet.size());
  while (code.size() < kReceiptChars + 3) {
    absl::StatusOr<std::string> bytes = RandomBytes(32);
    if (!bytes.ok()) return bytes.status();
    for (unsigned char b : *bytes) {
      if (b >= limit) continue;
      if (code.size() == 5 || code.size() == 11 || code.size() == 17) code.push_back('-');
      code.push_back(kReceiptAlphabet[b % kReceiptAlphabet.size()]);
      if (code.size() == kReceiptChars + 3) break;
    }
  }
  return code;
}

absl::StatusOr<std::string> NormalizeReceiptCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (kReceiptAlphabet.find(c) == std::string_view::npos) {
      return absl::InvalidArgumentError(
          "receipt_code: only the letters and digits printed on the receipt are allowed");
    }
    out.push_back(c);
  }
  if (out.size() != kReceiptChars) {
    return absl::InvalidArgumentError("receipt_code: must be 20 characters (dashes optional)");
  }
  return out;
}

std::string ReceiptDigest(const Keyring& keyring, std::string_view normalized_code) {
  return keyring.BlindIndex("receipt", normalized_code);
}

std::vector<std::string> ReceiptDigests(const Keyring& keyring, std::string_view normalized_code) {
  return keyring.BlindIndexes("receipt", normalized_code);
}

}  // namespace jijian::storage
