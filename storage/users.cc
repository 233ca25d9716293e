#include "storage/users.h"

#include "absl/strings/str_cat.h"

namespace jijian::storage {
namespace {

constexpr std::string_view kUserColumns =
    "user_id, display_name, department, roles, enabled, version, created_us, updated_us";
constexpr std::string_view kCertColumns =
    "serial_hex, user_id, fingerprint, not_before, not_after, revoked_at, issued_by, issued_us";

UserRecord UserFromRow(const Stmt& q) {
  return UserRecord{q.Text(0),     q.Text(1), q.Text(2), q.Text(3),
                    q.Int(4) == 1, q.Int(5),  q.Int(6),  q.Int(7)};
}

CertRecord CertFromRow(const Stmt& q) {
  return CertRecord{q.Text(0), q.Text(1), q.Text(2), q.Int(3),
                    q.Int(4),  q.Int(5),  q.Text(6), q.Int(7)};
}

absl::StatusOr<CertRecord> GetCertWhere(Db& db, std::string_view column, const std::string& value) {
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", std::string(kCertColumns), " FROM certificates WHERE ",
                              std::string(column), " = ?"));
  if (!q.ok()) return q.status();
  q->Bind(value);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("certificate ", value, " is not known"));
  return CertFromRow(*q);
}

}  // namespace

absl::Status InsertUser(WriteTxn& txn, const UserRecord& u) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(absl::StrCat(
      "INSERT OR IGNORE INTO users(", std::string(kUserColumns), ") VALUES (?,?,?,?,?,1,?,?)"));
  if (!q.ok()) return q.status();
  q->Bind(u.user_id, u.display_name, u.department, u.roles, u.enabled, txn.now_us(), txn.now_us());
  if (absl::Status st = q->Run(); !st.ok()) return st;
  if (txn.db().Changes() == 0) {
    return absl::AlreadyExistsError(absl::StrCat("user_id: user ", u.user_id, " already exists"));
  }
  return absl::OkStatus();
}

absl::Status SetUserEnabled(WriteTxn& txn, const std::string& user_id, bool enabled) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "UPDATE users SET enabled = ?, version = version + 1, updated_us = ? WHERE user_id = ?");
  if (!q.ok()) return q.status();
  q->Bind(enabled, txn.now_us(), user_id);
  return q->Run();
}

absl::StatusOr<UserRecord> GetUser(Db& db, const std::string& user_id) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", std::string(kUserColumns), " FROM users WHERE user_id = ?"));
  if (!q.ok()) return q.status();
  q->Bind(user_id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("user ", user_id, " does not exist"));
  return UserFromRow(*q);
}

absl::StatusOr<std::vector<UserRecord>> ListUsers(Db& db) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", std::string(kUserColumns), " FROM users ORDER BY user_id"));
  if (!q.ok()) return q.status();
  std::vector<UserRecord> out;
  while (true) {
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    out.push_back(UserFromRow(*q));
  }
}

absl::Status InsertCert(WriteTxn& txn, const CertRecord& c) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(absl::StrCat(
      "INSERT INTO certificates(", std::string(kCertColumns), ") VALUES (?,?,?,?,?,0,?,?)"));
  if (!q.ok()) return q.status();
  q->Bind(c.serial_hex, c.user_id, c.fingerprint, c.not_before, c.not_after, c.issued_by,
          txn.now_us());
  return q->Run();
}

absl::Status RevokeCert(WriteTxn& txn, const std::string& serial_hex, int64_t revoked_at) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "UPDATE certificates SET revoked_at = ? WHERE serial_hex = ? AND revoked_at = 0");
  if (!q.ok()) return q.status();
  q->Bind(revoked_at, serial_hex);
  return q->Run();
}

absl::StatusOr<CertRecord> GetCertByFingerprint(Db& db, const std::string& fingerprint) {
  return GetCertWhere(db, "fingerprint", fingerprint);
}

absl::StatusOr<CertRecord> GetCertBySerial(Db& db, const std::string& serial_hex) {
  return GetCertWhere(db, "serial_hex", serial_hex);
}

absl::StatusOr<std::vector<CertRecord>> ListCerts(Db& db, const std::string& user_id) {
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat(
      "SELECT ", std::string(kCertColumns),
      " FROM certificates WHERE ? = '' OR user_id = ? ORDER BY issued_us, serial_hex"));
  if (!q.ok()) return q.status();
  q->Bind(user_id, user_id);
  return q->Collect<CertRecord>(CertFromRow);
}

}  // namespace jijian::storage
