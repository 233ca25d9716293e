#include "storage/audit.h"

#include "absl/strings/str_cat.h"

namespace jijian::storage {
namespace {

void PutU64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}
void PutString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out.append(s);
}

// Reads big-endian integers and length-prefixed strings; fails on truncation.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool U64(uint64_t& v) {
    if (in_.size() < 8) return false;
    v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(8);
    return true;
  }
  bool String(std::string& s) {
    if (in_.size() < 4) return false;
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<uint8_t>(in_[i]);
    in_.remove_prefix(4);
    if (in_.size() < n) return false;
    s.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool Byte(uint8_t& b) {
    if (in_.empty()) return false;
    b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

}  // namespace

std::string CanonicalEventBytes(const AuditEvent& e) {
  std::string out;
  out.reserve(128);
  out.push_back(static_cast<char>(kAuditEventFormatV1));
  PutU64(out, static_cast<uint64_t>(e.seq));
  PutU64(out, static_cast<uint64_t>(e.ts_us));
  for (const std::string* s : {&e.actor, &e.role, &e.cert_fingerprint, &e.action, &e.object_type,
                               &e.object_id, &e.state_before, &e.state_after, &e.reason,
                               &e.request_id}) {
    PutString(out, *s);
  }
  return out;
}

absl::StatusOr<AuditEvent> ParseCanonicalEvent(std::string_view bytes) {
  Reader r(bytes);
  uint8_t version = 0;
  uint64_t seq = 0, ts = 0;
  if (!r.Byte(version) || version != kAuditEventFormatV1) {
    return absl::InvalidArgumentError("audit event: unknown format version");
  }
  AuditEvent e;
  bool ok = r.U64(seq) && r.U64(ts);
  for (std::string* s : {&e.actor, &e.role, &e.cert_fingerprint, &e.action, &e.object_type,
                         &e.object_id, &e.state_before, &e.state_after, &e.reason,
                         &e.request_id}) {
    ok = ok && r.String(*s);
  }
  if (!ok || !r.done()) return absl::InvalidArgumentError("audit event: malformed bytes");
  e.seq = static_cast<int64_t>(seq);
  e.ts_us = static_cast<int64_t>(ts);
  return e;
}

absl::Status AppendAuditEvent(Db& db, const AuditEvent& e) {
  std::string leaf = CanonicalEventBytes(e);
  absl::StatusOr<Stmt> ins = db.Prepare(
      "INSERT INTO audit_events(seq, ts_us, actor, role, cert_fp, action, object_type, "
      "object_id, state_before, state_after, reason, request_id, leaf) "
      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!ins.ok()) return ins.status();
  ins->Bind(e.seq, e.ts_us, e.actor, e.role, e.cert_fingerprint, e.action, e.object_type,
            e.object_id, e.state_before, e.state_after, e.reason, e.request_id, Blob{leaf});
  if (absl::Status st = ins->Run(); !st.ok()) return st;

  // Store the leaf, then every subtree this leaf completes (one per trailing 1 bit).
  absl::StatusOr<Stmt> put = db.Prepare("INSERT INTO merkle_nodes(level, idx, hash) VALUES (?,?,?)");
  if (!put.ok()) return put.status();
  std::string hash = merkle::LeafHash(leaf);
  put->Bind(int64_t{0}, e.seq, Blob{hash});
  if (absl::Status st = put->Run(); !st.ok()) return st;
  int64_t level = 0;
  int64_t idx = e.seq;
  merkle::SubtreeFn subtree = StoredSubtrees(db);
  while (idx % 2 == 1) {
    absl::StatusOr<std::string> left = subtree(level, idx - 1);
    if (!left.ok()) return left.status();
    hash = merkle::NodeHash(*left, hash);
    ++level;
    idx /= 2;
    absl::StatusOr<Stmt> up = db.Prepare("INSERT INTO merkle_nodes(level, idx, hash) VALUES (?,?,?)");
    if (!up.ok()) return up.status();
    up->Bind(level, idx, Blob{hash});
    if (absl::Status st = up->Run(); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> AuditLogSize(Db& db) {
  absl::StatusOr<std::optional<int64_t>> max = db.QueryInt("SELECT MAX(seq) FROM audit_events");
  if (!max.ok()) return max.status();
  return max->has_value() ? **max + 1 : 0;
}

merkle::SubtreeFn StoredSubtrees(Db& db) {
  return [&db](uint64_t level, uint64_t index) -> absl::StatusOr<std::string> {
    absl::StatusOr<Stmt> q = db.Prepare("SELECT hash FROM merkle_nodes WHERE level=? AND idx=?");
    if (!q.ok()) return q.status();
    q->Bind(static_cast<int64_t>(level), static_cast<int64_t>(index));
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) {
      return absl::DataLossError(
          absl::StrCat("merkle node (level ", level, ", index ", index, ") is missing"));
    }
    return q->BlobAt(0);
  };
}

std::string TreeHeadSignedBytes(int64_t tree_size, int64_t ts_us, std::string_view root) {
  std::string out = "jijian/tree-head/v1";
  PutU64(out, static_cast<uint64_t>(tree_size));
  PutU64(out, static_cast<uint64_t>(ts_us));
  out.append(root);
  return out;
}

absl::StatusOr<std::vector<AuditEvent>> ReadAuditEvents(Db& db, int64_t from, int64_t to) {
  absl::StatusOr<Stmt> q = db.Prepare(
      "SELECT leaf FROM audit_events WHERE seq >= ? AND seq < ? ORDER BY seq");
  if (!q.ok()) return q.status();
  q->Bind(from, to);
  std::vector<AuditEvent> out;
  while (true) {
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<AuditEvent> e = ParseCanonicalEvent(q->BlobAt(0));
    if (!e.ok()) return e.status();
    out.push_back(*std::move(e));
  }
  return out;
}

absl::StatusOr<TreeHead> LatestTreeHead(Db& db) {
  absl::StatusOr<Stmt> q = db.Prepare(
      "SELECT tree_size, root, ts_us, signature FROM tree_heads ORDER BY tree_size DESC LIMIT 1");
  if (!q.ok()) return q.status();
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError("no signed tree head yet");
  return TreeHead{q->Int(0), q->BlobAt(1), q->Int(2), q->BlobAt(3)};
}

}  // namespace jijian::storage
