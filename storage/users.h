// Rows of staff users and their client certificates. Plain records; no gRPC.
#ifndef JIJIAN_STORAGE_USERS_H_
#define JIJIAN_STORAGE_USERS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/store.h"

namespace jijian::storage {

struct UserRecord {
  std::string user_id;
  std::string display_name;
  std::string department;
  std::string roles;  // comma-separated role names
  bool enabled = true;
  int64_t version = 1;
  int64_t created_us = 0;
  int64_t updated_us = 0;
};

struct CertRecord {
  std::string serial_hex;
  std::string user_id;
  std::string fingerprint;
  int64_t not_before = 0;  // unix seconds
  int64_t not_after = 0;
  int64_t revoked_at = 0;  // unix seconds, 0 when not revoked
  std::string issued_by;
  int64_t issued_us = 0;
};

// Inserts a new user (version 1). ALREADY_EXISTS naming the id if taken.
absl::Status InsertUser(WriteTxn& txn, const UserRecord& user);
// Sets enabled and bumps the version; the caller has checked the version.
absl::Status SetUserEnabled(WriteTxn& txn, const std::string& user_id, bool enabled);

// NOT_FOUND naming the id if absent.
absl::StatusOr<UserRecord> GetUser(Db& db, const std::string& user_id);
absl::StatusOr<std::vector<UserRecord>> ListUsers(Db& db);

absl::Status InsertCert(WriteTxn& txn, const CertRecord& cert);
// Marks a certificate revoked at revoked_at (unix seconds); NOT_FOUND if unknown.
absl::Status RevokeCert(WriteTxn& txn, const std::string& serial_hex, int64_t revoked_at);

absl::StatusOr<CertRecord> GetCertByFingerprint(Db& db, const std::string& fingerprint);
absl::StatusOr<CertRecord> GetCertBySerial(Db& db, const std::string& serial_hex);
// Certificates of user_id (every user's when empty), oldest issue first.
absl::StatusOr<std::vector<CertRecord>> ListCerts(Db& db, const std::string& user_id);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_USERS_H_
