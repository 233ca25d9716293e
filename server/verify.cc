#include "server/verify.h"

#include <filesystem>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/config.h"
#include "storage/audit.h"
#include "storage/crypto.h"
#include "storage/db.h"
#include "storage/keyring.h"
#include "storage/merkle.h"
#include "storage/stats.h"

namespace jijian::server {
namespace {
namespace fs = std::filesystem;

// At most this many problems are listed; the count of the rest is reported.
constexpr size_t kMaxProblemsListed = 50;
constexpr size_t kHashBytes = 32;

// Reads the stored nodes of one tree level in index order, for lookups with increasing
// indexes (the order in which a left-to-right pass over the leaves completes subtrees).
class LevelCursor {
 public:
  explicit LevelCursor(int64_t level) : level_(level) {}

  // The stored hash of (level, idx), nullopt if none. idx must not decrease between calls.
  absl::StatusOr<std::optional<std::string>> Find(storage::Db& db, int64_t idx) {
    if (!stmt_.has_value()) {
      // One SQL text per level, so every level has its own prepared statement.
      absl::StatusOr<storage::Stmt> q = db.Prepare(absl::StrCat(
          "SELECT idx, hash FROM merkle_nodes WHERE level = ", level_, " ORDER BY idx"));
      if (!q.ok()) return q.status();
      stmt_.emplace(*std::move(q));
      stmt_->Bind();
      if (absl::Status st = Advance(); !st.ok()) return st;
    }
    while (!done_ && idx_ < idx) {
      if (absl::Status st = Advance(); !st.ok()) return st;
    }
    if (done_ || idx_ != idx) return std::nullopt;
    return hash_;
  }

 private:
  absl::Status Advance() {
    absl::StatusOr<bool> row = stmt_->Step();
    if (!row.ok()) return row.status();
    done_ = !*row;
    if (!done_) {
      idx_ = stmt_->Int(0);
      hash_ = stmt_->BlobAt(1);
    }
    return absl::OkStatus();
  }

  int64_t level_;
  std::optional<storage::Stmt> stmt_;
  bool done_ = false;
  int64_t idx_ = -1;
  std::string hash_;
};

// Walks the signed heads in increasing size.
class HeadCursor {
 public:
  absl::Status Start(storage::Db& db) {
    absl::StatusOr<storage::Stmt> q =
        db.Prepare("SELECT tree_size, root, ts_us, signature FROM tree_heads ORDER BY tree_size");
    if (!q.ok()) return q.status();
    stmt_.emplace(*std::move(q));
    stmt_->Bind();
    return Advance();
  }
  bool done() const { return done_; }
  const storage::TreeHead& head() const { return head_; }
  absl::Status Advance() {
    absl::StatusOr<bool> row = stmt_->Step();
    if (!row.ok()) return row.status();
    done_ = !*row;
    if (!done_) {
      head_ = storage::TreeHead{stmt_->Int(0), stmt_->BlobAt(1), stmt_->Int(2), stmt_->BlobAt(3)};
    }
    return absl::OkStatus();
  }

 private:
  std::optional<storage::Stmt> stmt_;
  bool done_ = true;
  storage::TreeHead head_;
};

// The first field where the columns differ from the event parsed from the leaf blob.
std::string FirstDifference(const storage::AuditEvent& columns, const storage::AuditEvent& leaf) {
  if (columns.seq != leaf.seq)
    return absl::StrCat("seq is ", columns.seq, ", the leaf has ", leaf.seq);
  if (columns.ts_us != leaf.ts_us) {
    return absl::StrCat("ts_us is ", columns.ts_us, ", the leaf has ", leaf.ts_us);
  }
  const std::pair<const char*, std::pair<const std::string*, const std::string*>> fields[] = {
      {"actor", {&columns.actor, &leaf.actor}},
      {"role", {&columns.role, &leaf.role}},
      {"cert_fp", {&columns.cert_fingerprint, &leaf.cert_fingerprint}},
      {"action", {&columns.action, &leaf.action}},
      {"object_type", {&columns.object_type, &leaf.object_type}},
      {"object_id", {&columns.object_id, &leaf.object_id}},
      {"state_before", {&columns.state_before, &leaf.state_before}},
      {"state_after", {&columns.state_after, &leaf.state_after}},
      {"reason", {&columns.reason, &leaf.reason}},
      {"request_id", {&columns.request_id, &leaf.request_id}},
  };
  for (const auto& [name, values] : fields) {
    if (*values.first != *values.second) {
      return absl::StrCat("column ", name, " is \"", *values.first, "\", the leaf has \"",
                          *values.second, "\"");
    }
  }
  return "";
}

// The public key: from the flag, else derived from the KEK through the wrapped keys.
absl::StatusOr<std::string> AuditPublicKey(const VerifyOptions& options, const ServerConfig& config,
                                           storage::Db& db, std::string& source) {
  if (!options.audit_key_hex.empty()) {
    absl::StatusOr<std::string> key = storage::FromHex(options.audit_key_hex);
    if (!key.ok() || key->size() != storage::kEd25519KeyBytes) {
      return absl::InvalidArgumentError(
          "--audit-key: must be 64 hex digits (audit_public_key of a client profile)");
    }
    source = "--audit-key";
    return *key;
  }
  absl::StatusOr<storage::Kek> kek = storage::Kek::Load(config.kek_path);
  if (!kek.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--audit-key: required, since the KEK (", config.kek_path, ") cannot be read: ",
        kek.status().message(), "; pass the audit_public_key of any client profile"));
  }
  absl::StatusOr<storage::Stmt> q = db.Prepare("SELECT key_id, domain, wrapped, active FROM keys ORDER BY created_us, key_id");
  if (!q.ok()) return q.status();
  q->Bind();
  std::vector<storage::WrappedKey> keys;
  while (true) {
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<storage::KeyDomain> domain = storage::ParseKeyDomain(q->Text(1));
    if (!domain.ok()) return domain.status();
    keys.push_back(storage::WrappedKey{q->Text(0), *domain, q->BlobAt(2), q->Int(3) == 1});
  }
  absl::StatusOr<std::unique_ptr<storage::Keyring>> keyring = storage::Keyring::Open(*kek, keys);
  if (!keyring.ok()) return keyring.status();
  source = "the KEK " + config.kek_path;
  return (*keyring)->audit_public_key();
}

// One left-to-right pass over the log.
class Verifier {
 public:
  Verifier(storage::Db& db, std::string public_key, VerifyReport& report)
      : db_(db), public_key_(std::move(public_key)), report_(report) {}

  absl::Status Run() {
    if (absl::Status st = heads_.Start(db_); !st.ok()) return st;
    absl::Status st = storage::ForEachStoredAuditEvent(
        db_, [this](const storage::StoredAuditEvent& e) { return OnEvent(e); });
    if (!st.ok()) return st;
    // Heads that cover events the log no longer holds.
    if (!heads_.done()) {
      Problem(absl::StrCat("TRUNCATED: the signed head of size ", heads_.head().tree_size,
                           " covers events up to seq ", heads_.head().tree_size - 1,
                           ", but the log ends at seq ", next_seq_ - 1, " (", next_seq_,
                           " events): events ", next_seq_, "..", heads_.head().tree_size - 1,
                           " are gone"));
      while (!heads_.done()) {
        ++report_.heads;
        report_.newest_size = heads_.head().tree_size;
        report_.newest_root_hex = storage::ToHex(heads_.head().root);
        if (absl::Status a = heads_.Advance(); !a.ok()) return a;
      }
    } else if (report_.newest_size != next_seq_ && next_seq_ > 0) {
      Problem(absl::StrCat("UNSIGNED: the log holds ", next_seq_,
                           " events but the newest signed head covers ", report_.newest_size));
    }
    return absl::OkStatus();
  }

 private:
  void Problem(std::string text) {
    if (report_.problems.size() < kMaxProblemsListed) {
      report_.problems.push_back(std::move(text));
    } else if (report_.problems.size() == kMaxProblemsListed) {
      report_.problems.push_back("... and more problems not listed");
    }
  }

  absl::Status OnEvent(const storage::StoredAuditEvent& row) {
    ++report_.events;
    const int64_t seq = row.columns.seq;
    if (seq > next_seq_) {
      Problem(seq - next_seq_ == 1
                  ? absl::StrCat("event ", next_seq_, ": MISSING: deleted from audit_events")
                  : absl::StrCat("events ", next_seq_, "..", seq - 1,
                                 ": MISSING: deleted from audit_events"));
      // Keep the tree aligned with the stored leaf hashes so later checks stay meaningful.
      for (int64_t k = next_seq_; k < seq; ++k) {
        absl::StatusOr<std::optional<std::string>> stored = Node(0, k);
        if (!stored.ok()) return stored.status();
        if (absl::Status st = AddLeaf(stored->value_or(std::string(kHashBytes, '\0'))); !st.ok()) {
          return st;
        }
      }
    }
    const std::string recomputed =
        storage::merkle::LeafHash(storage::CanonicalEventBytes(row.columns));
    absl::StatusOr<std::optional<std::string>> stored = Node(0, seq);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      Problem(absl::StrCat("event ", seq, ": LEAF: no Merkle leaf hash is stored for it"));
      return AddLeaf(recomputed);
    }
    const std::string& tree_leaf = **stored;
    if (recomputed != tree_leaf) {
      Problem(Classify(row, tree_leaf));
      return AddLeaf(tree_leaf);
    }
    if (row.leaf != storage::CanonicalEventBytes(row.columns)) {
      Problem(absl::StrCat("event ", seq,
                           ": LEAF: the stored leaf blob differs from the event's columns, "
                           "which match the Merkle tree"));
    }
    return AddLeaf(recomputed);
  }

  // Names what happened to a row whose columns do not hash to the tree's leaf.
  std::string Classify(const storage::StoredAuditEvent& row, const std::string& tree_leaf) {
    const int64_t seq = row.columns.seq;
    absl::StatusOr<storage::AuditEvent> blob = storage::ParseCanonicalEvent(row.leaf);
    if (blob.ok() && blob->seq != seq) {
      return absl::StrCat("event ", seq, ": REORDERED: the row at seq ", seq,
                          " holds the event recorded as seq ", blob->seq);
    }
    // The columns with the seq of another row: a reorder that also rewrote the blobs.
    if (blob.ok() && storage::merkle::LeafHash(row.leaf) == tree_leaf) {
      return absl::StrCat("event ", seq, ": EDITED: ", FirstDifference(row.columns, *blob),
                          " (the leaf matches the signed tree)");
    }
    return absl::StrCat("event ", seq,
                        ": EDITED: neither its columns nor its leaf blob hash to the leaf in "
                        "the signed tree");
  }

  absl::StatusOr<std::optional<std::string>> Node(int64_t level, int64_t idx) {
    while (static_cast<int64_t>(levels_.size()) <= level) {
      levels_.emplace_back(static_cast<int64_t>(levels_.size()));
    }
    return levels_[level].Find(db_, idx);
  }

  // Adds the next leaf hash: merges completed subtrees (comparing each with its stored
  // node), then checks every signed head of the new size.
  absl::Status AddLeaf(std::string hash) {
    const int64_t index = next_seq_++;
    stack_.push_back({0, std::move(hash)});
    int64_t idx = index;
    while (stack_.size() >= 2 && stack_[stack_.size() - 2].first == stack_.back().first) {
      auto right = std::move(stack_.back());
      stack_.pop_back();
      auto& left = stack_.back();
      left.second = storage::merkle::NodeHash(left.second, right.second);
      ++left.first;
      idx /= 2;
      absl::StatusOr<std::optional<std::string>> stored = Node(left.first, idx);
      if (!stored.ok()) return stored.status();
      ++report_.nodes;
      if (!stored->has_value()) {
        Problem(
            absl::StrCat("NODE: Merkle node (level ", left.first, ", index ", idx, ") is missing"));
      } else if (**stored != left.second) {
        Problem(absl::StrCat("NODE: Merkle node (level ", left.first, ", index ", idx,
                             ") differs from the hash of the events below it"));
      }
    }
    while (!heads_.done() && heads_.head().tree_size <= next_seq_) {
      CheckHead(heads_.head());
      if (absl::Status st = heads_.Advance(); !st.ok()) return st;
    }
    return absl::OkStatus();
  }

  void CheckHead(const storage::TreeHead& head) {
    ++report_.heads;
    report_.newest_size = head.tree_size;
    report_.newest_root_hex = storage::ToHex(head.root);
    if (head.tree_size != next_seq_) {
      Problem(
          absl::StrCat("HEAD: a signed head has size ", head.tree_size, ", which the log skipped"));
      return;
    }
    std::string root = stack_.back().second;
    for (size_t i = stack_.size() - 1; i-- > 0;) {
      root = storage::merkle::NodeHash(stack_[i].second, root);
    }
    if (root != head.root) {
      Problem(absl::StrCat("HEAD: the root of the first ", head.tree_size, " events is ",
                           storage::ToHex(root), ", the signed head says ",
                           storage::ToHex(head.root)));
    }
    if (!storage::Ed25519Verify(public_key_,
                                storage::TreeHeadSignedBytes(head.tree_size, head.ts_us, head.root),
                                head.signature)) {
      Problem(absl::StrCat("SIGNATURE: the head of size ", head.tree_size,
                           " is not signed by the audit key"));
    }
  }

  storage::Db& db_;
  const std::string public_key_;
  VerifyReport& report_;
  HeadCursor heads_;
  std::vector<LevelCursor> levels_;
  // Complete subtrees of the leaves so far, (level, hash), levels strictly decreasing.
  std::vector<std::pair<int64_t, std::string>> stack_;
  int64_t next_seq_ = 0;
};

}  // namespace

absl::StatusOr<VerifyReport> VerifyAuditLog(const VerifyOptions& options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("--data: required");
  ServerConfig config;
  const std::string config_path = ConfigPath(options.data_dir);
  if (fs::exists(config_path)) {
    absl::StatusOr<ServerConfig> loaded = LoadConfig(config_path);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  } else {
    config = DefaultConfig(options.data_dir, "127.0.0.1:7443");
    config.db_path = (fs::path(options.data_dir) / config.db_path).string();
    config.kek_path = (fs::path(options.data_dir) / config.kek_path).string();
  }
  if (!fs::exists(config.db_path)) {
    return absl::NotFoundError(absl::StrCat("--data: no database at ", config.db_path));
  }
  absl::StatusOr<std::unique_ptr<storage::Db>> db =
      storage::Db::Open(config.db_path, {.read_only = true});
  if (!db.ok()) return db.status();
  // One snapshot for the whole pass, even if a server is writing.
  if (absl::Status st = (*db)->Exec("BEGIN"); !st.ok()) return st;
  VerifyReport report;
  absl::StatusOr<std::string> key = AuditPublicKey(options, config, **db, report.key_source);
  if (!key.ok()) return key.status();
  Verifier verifier(**db, *key, report);
  absl::Status st = verifier.Run();
  // A file not yet opened by a server of schema 11 has no counters to check.
  absl::StatusOr<std::optional<int64_t>> counters =
      (*db)->QueryInt("SELECT 1 FROM sqlite_master WHERE name = 'stats_dispositions'");
  if (st.ok()) st = counters.status();
  if (st.ok() && counters->has_value()) {
    absl::StatusOr<std::vector<std::string>> stats =
        storage::CheckStatsCounters(**db, kMaxProblemsListed);
    if (stats.ok()) report.stats_problems = *std::move(stats);
    report.stats_checked = stats.ok();
    st = stats.status();
  }
  (void)(*db)->Exec("COMMIT");
  if (!st.ok()) return st;
  return report;
}

int RunVerify(const VerifyOptions& options, std::ostream& out, std::ostream& err) {
  absl::StatusOr<VerifyReport> report = VerifyAuditLog(options);
  if (!report.ok()) {
    err << "jijian-server verify: " << report.status().message() << "\n";
    return 2;
  }
  if (report->problems.empty()) {
    out << "audit log OK: " << report->events << " events, " << report->heads
        << " signed heads (newest: size " << report->newest_size << ", root "
        << report->newest_root_hex << "), " << report->nodes
        << " tree nodes recomputed; signatures checked with the audit key from "
        << report->key_source << "\n";
  } else {
    err << "jijian-server verify: AUDIT LOG DAMAGED: " << report->problems.front() << "\n";
    if (report->problems.size() > 1) {
      err << "all problems found (" << report->events << " events, " << report->heads
          << " signed heads read):\n";
      for (const std::string& p : report->problems) err << "  " << p << "\n";
    }
  }
  if (!report->stats_checked) {
    out << "statistics counters: none yet (the database predates them; the server adds them "
           "when it opens it)\n";
  } else if (report->stats_problems.empty()) {
    out << "statistics counters OK: equal to the counts of the rows\n";
  } else {
    err << "jijian-server verify: STATISTICS COUNTERS DIFFER FROM THE ROWS: "
        << report->stats_problems.front() << "\n";
    if (report->stats_problems.size() > 1) {
      err << "all counter rows that differ:\n";
      for (const std::string& p : report->stats_problems) err << "  " << p << "\n";
    }
  }
  return report->problems.empty() && report->stats_problems.empty() ? 0 : 1;
}

}  // namespace jijian::server
