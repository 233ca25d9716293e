#include "storage/audit.h"

#include <algorithm>
#include <deque>
#include <set>

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

constexpr char kStoredEventColumns[] =
    "seq, ts_us, actor, role, cert_fp, action, object_type, object_id, state_before, "
    "state_after, reason, request_id, leaf";

// Reads the columns of kStoredEventColumns from the current row of q.
StoredAuditEvent StoredEventAt(const Stmt& q) {
  StoredAuditEvent out;
  AuditEvent& e = out.columns;
  e.seq = q.Int(0);
  e.ts_us = q.Int(1);
  e.actor = q.Text(2);
  e.role = q.Text(3);
  e.cert_fingerprint = q.Text(4);
  e.action = q.Text(5);
  e.object_type = q.Text(6);
  e.object_id = q.Text(7);
  e.state_before = q.Text(8);
  e.state_after = q.Text(9);
  e.reason = q.Text(10);
  e.request_id = q.Text(11);
  out.leaf = q.BlobAt(12);
  return out;
}

// Steps q to the end, appending every row to out.
absl::Status CollectStoredEvents(Stmt& q, std::vector<StoredAuditEvent>& out) {
  while (true) {
    absl::StatusOr<bool> row = q.Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
    out.push_back(StoredEventAt(q));
  }
}

absl::StatusOr<TreeHead> HeadFromQuery(Stmt& q, const std::string& missing) {
  absl::StatusOr<bool> row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(missing);
  return TreeHead{q.Int(0), q.BlobAt(1), q.Int(2), q.BlobAt(3)};
}

}  // namespace

std::string CanonicalEventBytes(const AuditEvent& e) {
  std::string out;
  out.reserve(128);
  out.push_back(static_cast<char>(kAuditEventFormatV1));
  PutU64(out, static_cast<uint64_t>(e.seq));
  PutU64(out, static_cast<uint64_t>(e.ts_us));
  for (const std::string* s :
       {&e.actor, &e.role, &e.cert_fingerprint, &e.action, &e.object_type, &e.object_id,
        &e.state_before, &e.state_after, &e.reason, &e.request_id}) {
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
                         &e.object_id, &e.state_before, &e.state_after, &e.reason, &e.request_id}) {
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
  absl::StatusOr<Stmt> put =
      db.Prepare("INSERT INTO merkle_nodes(level, idx, hash) VALUES (?,?,?)");
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
    absl::StatusOr<Stmt> up =
        db.Prepare("INSERT INTO merkle_nodes(level, idx, hash) VALUES (?,?,?)");
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
  absl::StatusOr<Stmt> q =
      db.Prepare("SELECT leaf FROM audit_events WHERE seq >= ? AND seq < ? ORDER BY seq");
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
  q->Bind();
  return HeadFromQuery(*q, "no signed tree head yet");
}

}  // namespace jijian::storage

namespace jijian::storage {

absl::StatusOr<TreeHead> TreeHeadAt(Db& db, int64_t tree_size) {
  absl::StatusOr<Stmt> q =
      db.Prepare("SELECT tree_size, root, ts_us, signature FROM tree_heads WHERE tree_size = ?");
  if (!q.ok()) return q.status();
  q->Bind(tree_size);
  return HeadFromQuery(*q, absl::StrCat("no signed tree head of size ", tree_size,
                                        " (heads are signed once per commit batch)"));
}

absl::StatusOr<std::vector<StoredAuditEvent>> ReadStoredAuditEvents(Db& db, int64_t from,
                                                                    int64_t to) {
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", kStoredEventColumns,
                              " FROM audit_events WHERE seq >= ? AND seq <= ? ORDER BY seq"));
  if (!q.ok()) return q.status();
  q->Bind(from, to);
  std::vector<StoredAuditEvent> out;
  if (absl::Status st = CollectStoredEvents(*q, out); !st.ok()) return st;
  return out;
}

absl::Status ForEachStoredAuditEvent(
    Db& db, const std::function<absl::Status(const StoredAuditEvent&)>& fn) {
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", kStoredEventColumns, " FROM audit_events ORDER BY seq"));
  if (!q.ok()) return q.status();
  q->Bind();
  while (true) {
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
    if (absl::Status st = fn(StoredEventAt(*q)); !st.ok()) return st;
  }
}

absl::StatusOr<std::vector<StoredAuditEvent>> ReadStoredAuditEventsOfObject(
    Db& db, std::string_view object_id, size_t max_events) {
  // The index is on (object_type, object_id, seq): walk the distinct types with one seek
  // each, then read the object's events under every type.
  absl::StatusOr<Stmt> next_type = db.Prepare(
      "SELECT object_type FROM audit_events WHERE object_type > ? ORDER BY object_type LIMIT 1");
  if (!next_type.ok()) return next_type.status();
  std::vector<std::string> types;
  std::string after;
  while (true) {
    next_type->Bind(after);
    absl::StatusOr<bool> row = next_type->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    after = next_type->Text(0);
    types.push_back(after);
  }
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat(
      "SELECT ", kStoredEventColumns,
      " FROM audit_events WHERE object_type = ? AND object_id = ? ORDER BY seq LIMIT ?"));
  if (!q.ok()) return q.status();
  std::vector<StoredAuditEvent> out;
  for (const std::string& type : types) {
    q->Bind(type, object_id, static_cast<int64_t>(max_events + 1));
    if (absl::Status st = CollectStoredEvents(*q, out); !st.ok()) return st;
    if (out.size() > max_events) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "object ", std::string(object_id), " has more than ", max_events, " audit events"));
    }
  }
  std::sort(out.begin(), out.end(), [](const StoredAuditEvent& a, const StoredAuditEvent& b) {
    return a.columns.seq < b.columns.seq;
  });
  return out;
}

absl::StatusOr<std::vector<std::string>> LinkedObjects(Db& db, std::string_view object_id,
                                                       size_t max_objects) {
  absl::StatusOr<Stmt> forward = db.Prepare("SELECT to_id FROM object_links WHERE from_id = ?");
  if (!forward.ok()) return forward.status();
  absl::StatusOr<Stmt> backward = db.Prepare("SELECT from_id FROM object_links WHERE to_id = ?");
  if (!backward.ok()) return backward.status();
  std::set<std::string> seen = {std::string(object_id)};
  std::deque<std::string> queue = {std::string(object_id)};
  while (!queue.empty()) {
    const std::string id = std::move(queue.front());
    queue.pop_front();
    for (Stmt* q : {&*forward, &*backward}) {
      q->Bind(id);
      while (true) {
        absl::StatusOr<bool> row = q->Step();
        if (!row.ok()) return row.status();
        if (!*row) break;
        std::string other = q->Text(0);
        if (!seen.insert(other).second) continue;
        if (seen.size() > max_objects) {
          return absl::ResourceExhaustedError(
              absl::StrCat("more than ", max_objects, " objects are linked to ",
                           std::string(object_id), "; the timeline would be unbounded"));
        }
        queue.push_back(std::move(other));
      }
    }
  }
  return std::vector<std::string>(seen.begin(), seen.end());
}

}  // namespace jijian::storage
