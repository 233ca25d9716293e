// Audit log benchmarks (issue 6, "Performance"; results in docs/BENCHMARKS.md):
//
//   * inclusion and consistency proof generation against a real Store (a real SQLite file,
//     storage::merkle proofs over storage::StoredSubtrees on a pooled read connection inside
//     one snapshot, as AuditService does), at several log sizes, with random indexes and
//     sizes; each run also reports the subtree lookups and hashes per proof;
//   * full-log verification in leaves per second: the core loop (recompute every leaf from
//     the event's columns, hash it, fold the root, compare with the signed head) and the
//     whole offline verifier (server::VerifyAuditLog, i.e. `jijian-server verify`), next to
//     an in-process SHA-256 baseline.
//
// Logs up to --jijian_apply_max leaves are written through Store::Apply (real events, real
// Merkle nodes, signed heads). Larger proof logs are bulk-loaded: synthetic events' leaf
// hashes are computed in memory, every complete subtree level by level, and inserted into
// merkle_nodes in one transaction with a prepared statement (their audit_events rows are not
// written; proofs read only merkle_nodes). Built logs are cached in --jijian_cache_dir.
//
// Flags (before Google Benchmark's own; each also read from the environment variable named):
//   --jijian_proof_sizes=10000,10000000   JIJIAN_BENCH_PROOF_SIZES
//   --jijian_verify_sizes=10000,1000000   JIJIAN_BENCH_VERIFY_SIZES
//   --jijian_apply_max=1000000            JIJIAN_BENCH_APPLY_MAX
//   --jijian_cache_dir=DIR                JIJIAN_BENCH_CACHE_DIR
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/verify.h"
#include "storage/audit.h"
#include "storage/crypto.h"
#include "storage/db.h"
#include "storage/keyring.h"
#include "storage/merkle.h"
#include "storage/store.h"

#ifndef JIJIAN_BENCH_DEFAULT_CACHE_DIR
#define JIJIAN_BENCH_DEFAULT_CACHE_DIR "/tmp/jijian-bench-data"
#endif

namespace jijian::bench {
namespace {

namespace fs = std::filesystem;
namespace merkle = storage::merkle;

// Events appended by one Store::Apply while building a log (one group commit each).
constexpr int64_t kEventsPerMutation = 1000;
// Random (index, size) draws precomputed per benchmark; iterations cycle through them.
constexpr size_t kRandomDraws = 1 << 14;
constexpr uint64_t kSeed = 20261130;
// Proofs checked against the root right after a log is built or reopened.
constexpr int kSanityProofs = 64;

struct Config {
  std::vector<int64_t> proof_sizes = {10'000, 10'000'000};
  std::vector<int64_t> verify_sizes = {10'000, 1'000'000};
  int64_t apply_max = 1'000'000;
  std::string cache_dir = JIJIAN_BENCH_DEFAULT_CACHE_DIR;
};

storage::Kek BenchKek() { return *storage::Kek::FromBytes(std::string(32, '\x42')); }

[[noreturn]] void Die(const absl::Status& status, std::string_view what) {
  std::fprintf(stderr, "jijian_bench_audit: %s: %s\n", std::string(what).c_str(),
               status.ToString().c_str());
  std::exit(2);
}

template <typename T>
T ValueOrDie(absl::StatusOr<T> v, std::string_view what) {
  if (!v.ok()) Die(v.status(), what);
  return *std::move(v);
}

void OkOrDie(const absl::Status& st, std::string_view what) {
  if (!st.ok()) Die(st, what);
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A realistic event (field lengths as the service writes them), deterministic in seq.
storage::AuditEvent SyntheticEvent(int64_t seq) {
  storage::AuditEvent e;
  e.seq = seq;
  e.ts_us = 1'796'000'000'000'000 + seq;
  e.actor = "admin";
  e.role = "admin";
  e.cert_fingerprint = "c6836ac82aa2ef6ed9f3e349e17caf8b825674360443f6ef8917ca46c5a39a83";
  e.action = "user.add";
  e.object_type = "user";
  e.object_id = absl::StrCat("user-", seq);
  e.state_after = "ENABLED";
  e.reason = "roles=registrar";
  e.request_id = absl::StrCat("75d3d31f70b443ba2ea1e6b7", absl::Hex(seq, absl::kZeroPad8));
  return e;
}

// ---------------------------------------------------------------------------------------
// Building the logs.

std::string ApplyLogDir(const Config& c, int64_t n) {
  return absl::StrCat(c.cache_dir, "/apply-log-", n);
}
std::string ApplyLogDb(const Config& c, int64_t n) { return ApplyLogDir(c, n) + "/db/jijian.db"; }
std::string BulkLogDb(const Config& c, int64_t n) {
  return absl::StrCat(c.cache_dir, "/bulk-log-", n, ".db");
}
// Written after a log is completely built; a file without it is rebuilt.
std::string DoneMarker(const std::string& path) { return path + ".complete"; }

// n events through Store::Apply, kEventsPerMutation per mutation (and group commit).
void BuildApplyLog(const Config& c, int64_t n) {
  const std::string db_path = ApplyLogDb(c, n);
  fs::remove_all(ApplyLogDir(c, n));
  fs::create_directories(fs::path(db_path).parent_path());
  std::unique_ptr<storage::Store> store =
      ValueOrDie(storage::Store::Create({.path = db_path}, BenchKek()), "Store::Create");
  const storage::Actor admin{"admin", "admin", SyntheticEvent(0).cert_fingerprint};
  for (int64_t done = 0; done < n;) {
    const int64_t count = std::min(kEventsPerMutation, n - done);
    const std::string request_id = SyntheticEvent(done).request_id;
    absl::StatusOr<std::string> r = store->Apply(
        admin, request_id, [done, count](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
          for (int64_t i = done; i < done + count; ++i) {
            storage::AuditEvent e = SyntheticEvent(i);
            absl::StatusOr<int64_t> seq = txn.AppendEvent(
                {e.action, e.object_type, e.object_id, "", e.state_after, e.reason});
            if (!seq.ok()) return seq.status();
          }
          return std::string("ok");
        });
    OkOrDie(r.status(), "Store::Apply");
    done += count;
  }
  std::ofstream(DoneMarker(db_path)) << n << "\n";
}

// Hashes of one level of the tree, 32 bytes each.
using Level = std::vector<std::array<char, 32>>;

// Inserts the hash of every complete subtree of n synthetic leaves into merkle_nodes,
// computed in memory one level at a time, in (level, idx) order through one statement.
void InsertAllNodes(storage::Db& db, int64_t n) {
  storage::Stmt put = ValueOrDie(
      db.Prepare("INSERT INTO merkle_nodes(level, idx, hash) VALUES (?,?,?)"), "Prepare");
  Level level(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const std::string h = merkle::LeafHash(storage::CanonicalEventBytes(SyntheticEvent(i)));
    std::copy(h.begin(), h.end(), level[static_cast<size_t>(i)].begin());
  }
  for (int64_t height = 0; !level.empty(); ++height) {
    for (size_t i = 0; i < level.size(); ++i) {
      put.Bind(height, static_cast<int64_t>(i),
               storage::Blob{std::string_view(level[i].data(), level[i].size())});
      OkOrDie(put.Run(), "INSERT merkle_nodes");
    }
    Level up(level.size() / 2);
    for (size_t i = 0; i < up.size(); ++i) {
      const std::string h = merkle::NodeHash(std::string_view(level[2 * i].data(), 32),
                                             std::string_view(level[2 * i + 1].data(), 32));
      std::copy(h.begin(), h.end(), up[i].begin());
    }
    level = std::move(up);
  }
}

// The merkle_nodes table of an n-leaf log, bulk-loaded in one transaction into a file made
// by Store::Create (schema, keys). audit_events stays empty.
void BuildBulkLog(const Config& c, int64_t n) {
  const std::string db_path = BulkLogDb(c, n);
  fs::create_directories(c.cache_dir);
  for (const char* suffix : {"", "-wal", "-shm", ".complete"}) fs::remove(db_path + suffix);
  { ValueOrDie(storage::Store::Create({.path = db_path}, BenchKek()), "Store::Create"); }

  std::unique_ptr<storage::Db> db = ValueOrDie(storage::Db::Open(db_path, {}), "Db::Open");
  // A fresh file that is rebuilt on any failure: no journal and no fsync while loading.
  OkOrDie(db->Exec("PRAGMA journal_mode=DELETE; PRAGMA journal_mode=OFF; "
                   "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;"),
          "bulk pragmas");
  OkOrDie(db->Exec("BEGIN"), "BEGIN");
  InsertAllNodes(*db, n);
  OkOrDie(db->Exec("COMMIT"), "COMMIT");
  OkOrDie(db->Exec("PRAGMA journal_mode=WAL"), "back to WAL");
  db.reset();
  std::ofstream(DoneMarker(db_path)) << n << "\n";
}

// Checks a few random inclusion proofs of the full tree against its root.
void SanityCheck(storage::Store& store, int64_t n) {
  absl::Status st = store
                        .Read<bool>([n](storage::Db& db) -> absl::StatusOr<bool> {
                          merkle::SubtreeFn subtree = storage::StoredSubtrees(db);
                          absl::StatusOr<std::string> root = merkle::Root(n, subtree);
                          if (!root.ok()) return root.status();
                          std::mt19937_64 rng(kSeed);
                          for (int k = 0; k < kSanityProofs; ++k) {
                            const uint64_t i = rng() % static_cast<uint64_t>(n);
                            absl::StatusOr<std::string> leaf = subtree(0, i);
                            if (!leaf.ok()) return leaf.status();
                            absl::StatusOr<std::vector<std::string>> proof =
                                merkle::InclusionProof(i, n, subtree);
                            if (!proof.ok()) return proof.status();
                            absl::Status v = merkle::VerifyInclusion(i, n, *leaf, *proof, *root);
                            if (!v.ok()) return v;
                          }
                          return true;
                        })
                        .status();
  OkOrDie(st, absl::StrCat("sanity check of the ", n, "-leaf log"));
}

// An open log for the proof benchmarks.
struct ProofLog {
  int64_t n = 0;
  bool bulk = false;
  std::unique_ptr<storage::Store> store;
};

ProofLog OpenProofLog(const Config& c, int64_t n) {
  ProofLog log;
  log.n = n;
  log.bulk = n > c.apply_max;
  const std::string path = log.bulk ? BulkLogDb(c, n) : ApplyLogDb(c, n);
  const auto start = std::chrono::steady_clock::now();
  const bool cached = fs::exists(DoneMarker(path));
  if (!cached) {
    if (log.bulk) {
      BuildBulkLog(c, n);
    } else {
      BuildApplyLog(c, n);
    }
  }
  log.store = ValueOrDie(storage::Store::Open({.path = path}, BenchKek()), "Store::Open");
  SanityCheck(*log.store, n);
  std::fprintf(stderr, "log of %lld leaves (%s) %s in %.1f s: %s\n", static_cast<long long>(n),
               log.bulk ? "merkle_nodes bulk-loaded" : "written through Store::Apply",
               cached ? "reopened from cache" : "built", SecondsSince(start), path.c_str());
  return log;
}

// ---------------------------------------------------------------------------------------
// Proof benchmarks.

// Wraps a SubtreeFn and counts its calls.
merkle::SubtreeFn Counting(merkle::SubtreeFn inner, int64_t& calls) {
  return [inner = std::move(inner), &calls](uint64_t level, uint64_t index) {
    ++calls;
    return inner(level, index);
  };
}

enum class ProofKind { kInclusion, kConsistency };

// (first, second): inclusion (leaf_index, tree_size) with 1 <= tree_size <= n and
// leaf_index < tree_size; consistency (old_size, new_size) with 1 <= old <= new <= n.
std::vector<std::pair<uint64_t, uint64_t>> RandomDraws(ProofKind kind, int64_t n) {
  std::mt19937_64 rng(kSeed + static_cast<uint64_t>(n));
  std::vector<std::pair<uint64_t, uint64_t>> out;
  out.reserve(kRandomDraws);
  for (size_t k = 0; k < kRandomDraws; ++k) {
    const uint64_t size = 1 + rng() % static_cast<uint64_t>(n);
    if (kind == ProofKind::kInclusion) {
      out.emplace_back(rng() % size, size);
    } else {
      out.emplace_back(1 + rng() % size, size);
    }
  }
  return out;
}

void BM_Proof(benchmark::State& state, storage::Store* store, int64_t n, ProofKind kind) {
  const std::vector<std::pair<uint64_t, uint64_t>> draws = RandomDraws(kind, n);
  size_t next = 0;
  int64_t lookups = 0;
  int64_t hashes = 0;
  for (auto _ : state) {
    const auto [a, b] = draws[next++ % draws.size()];
    // One pooled read connection and one snapshot per proof, as an AuditService call.
    absl::StatusOr<size_t> len =
        store->Read<size_t>([&, a = a, b = b](storage::Db& db) -> absl::StatusOr<size_t> {
          if (absl::Status st = db.Exec("BEGIN"); !st.ok()) return st;
          merkle::SubtreeFn subtree = Counting(storage::StoredSubtrees(db), lookups);
          absl::StatusOr<std::vector<std::string>> proof =
              kind == ProofKind::kInclusion ? merkle::InclusionProof(a, b, subtree)
                                            : merkle::ConsistencyProof(a, b, subtree);
          (void)db.Exec("COMMIT");
          if (!proof.ok()) return proof.status();
          return proof->size();
        });
    if (!len.ok()) {
      state.SkipWithError(len.status().ToString().c_str());
      break;
    }
    hashes += static_cast<int64_t>(*len);
  }
  state.counters["lookups/proof"] =
      benchmark::Counter(static_cast<double>(lookups), benchmark::Counter::kAvgIterations);
  state.counters["hashes/proof"] =
      benchmark::Counter(static_cast<double>(hashes), benchmark::Counter::kAvgIterations);
  state.counters["log2(n)"] = std::log2(static_cast<double>(n));
}

// ---------------------------------------------------------------------------------------
// Verification benchmarks.

// The core of full-log verification: every event's leaf recomputed from its columns and
// hashed, the root folded from the leaves (a frontier of complete subtrees) and compared
// with the newest signed head.
absl::StatusOr<int64_t> VerifyLeavesAndRoot(storage::Db& db) {
  if (absl::Status st = db.Exec("BEGIN"); !st.ok()) return st;
  std::vector<std::string> frontier;  // frontier[level]: pending left subtree, or empty
  int64_t leaves = 0;
  absl::Status st =
      storage::ForEachStoredAuditEvent(db, [&](const storage::StoredAuditEvent& e) -> absl::Status {
        if (e.columns.seq != leaves) {
          return absl::DataLossError(absl::StrCat("event ", leaves, " is missing"));
        }
        std::string hash = merkle::LeafHash(storage::CanonicalEventBytes(e.columns));
        size_t level = 0;
        for (; level < frontier.size() && !frontier[level].empty(); ++level) {
          hash = merkle::NodeHash(frontier[level], hash);
          frontier[level].clear();
        }
        if (level == frontier.size()) frontier.emplace_back();
        frontier[level] = std::move(hash);
        ++leaves;
        return absl::OkStatus();
      });
  absl::StatusOr<storage::TreeHead> head = storage::LatestTreeHead(db);
  (void)db.Exec("COMMIT");
  if (!st.ok()) return st;
  if (!head.ok()) return head.status();
  std::string root;
  for (const std::string& h : frontier) {
    if (h.empty()) continue;
    root = root.empty() ? h : merkle::NodeHash(h, root);
  }
  if (head->tree_size != leaves || head->root != root) {
    return absl::DataLossError("the recomputed root differs from the signed head");
  }
  return leaves;
}

void BM_VerifyLeavesAndRoot(benchmark::State& state, storage::Store* store, int64_t n) {
  for (auto _ : state) {
    absl::StatusOr<int64_t> leaves = store->Read<int64_t>(VerifyLeavesAndRoot);
    if (!leaves.ok() || *leaves != n) {
      state.SkipWithError(leaves.ok() ? "wrong leaf count" : leaves.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}

void BM_VerifyOffline(benchmark::State& state, std::string data_dir, std::string key_hex,
                      int64_t n) {
  for (auto _ : state) {
    absl::StatusOr<server::VerifyReport> r =
        server::VerifyAuditLog({.data_dir = data_dir, .audit_key_hex = key_hex});
    if (!r.ok() || !r->problems.empty() || r->events != n) {
      state.SkipWithError(r.ok() ? "the log did not verify" : r.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * n);
}

// SHA-256 of one leaf (0x00 || canonical bytes of a typical event) and of one interior node.
void BM_Sha256Leaf(benchmark::State& state) {
  const std::string bytes = storage::CanonicalEventBytes(SyntheticEvent(123456));
  for (auto _ : state) benchmark::DoNotOptimize(merkle::LeafHash(bytes));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(absl::StrCat(bytes.size() + 1, "-byte input"));
}
void BM_Sha256Node(benchmark::State& state) {
  const std::string a(32, 'a');
  const std::string b(32, 'b');
  for (auto _ : state) benchmark::DoNotOptimize(merkle::NodeHash(a, b));
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("65-byte input");
}

// ---------------------------------------------------------------------------------------
// Flags.

std::vector<int64_t> ParseSizes(std::string_view text, std::string_view flag) {
  std::vector<int64_t> out;
  while (!text.empty()) {
    const size_t comma = std::min(text.find(','), text.size());
    const std::string part(text.substr(0, comma));
    text.remove_prefix(std::min(comma + 1, text.size()));
    if (part.empty()) continue;
    int64_t v = 0;
    double d = 0;
    // Accepts 10000 as well as 1e7.
    if (absl::SimpleAtoi(part, &v) && v > 0) {
      out.push_back(v);
    } else if (absl::SimpleAtod(part, &d) && d >= 1) {
      out.push_back(static_cast<int64_t>(d));
    } else {
      std::fprintf(stderr, "jijian_bench_audit: %s: \"%s\" is not a positive size\n",
                   std::string(flag).c_str(), part.c_str());
      std::exit(2);
    }
  }
  return out;
}

// Reads the environment, then removes and applies our --jijian_* flags from argv.
Config ParseConfig(int& argc, char** argv) {
  Config c;
  auto apply = [&c](std::string_view name, std::string_view value) {
    if (name == "proof_sizes") {
      c.proof_sizes = ParseSizes(value, name);
    } else if (name == "verify_sizes") {
      c.verify_sizes = ParseSizes(value, name);
    } else if (name == "apply_max") {
      std::vector<int64_t> v = ParseSizes(value, name);
      if (v.size() == 1) c.apply_max = v[0];
    } else if (name == "cache_dir") {
      c.cache_dir = std::string(value);
    } else {
      return false;
    }
    return true;
  };
  for (const char* name : {"proof_sizes", "verify_sizes", "apply_max", "cache_dir"}) {
    std::string env = absl::AsciiStrToUpper(absl::StrCat("JIJIAN_BENCH_", name));
    if (const char* v = std::getenv(env.c_str()); v != nullptr) apply(name, v);
  }
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--jijian_")) {
      const size_t eq = arg.find('=');
      if (eq == std::string_view::npos || !apply(arg.substr(9, eq - 9), arg.substr(eq + 1))) {
        std::fprintf(stderr, "jijian_bench_audit: unknown flag %s\n", argv[i]);
        std::exit(2);
      }
      continue;
    }
    argv[out++] = argv[i];
  }
  argc = out;
  for (int64_t n : c.verify_sizes) {
    if (n > c.apply_max) {
      std::fprintf(stderr,
                   "jijian_bench_audit: verify size %lld is above --jijian_apply_max=%lld "
                   "(verification needs real events)\n",
                   static_cast<long long>(n), static_cast<long long>(c.apply_max));
      std::exit(2);
    }
  }
  return c;
}

int Main(int argc, char** argv) {
  const Config config = ParseConfig(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  std::vector<ProofLog> proof_logs;
  for (int64_t n : config.proof_sizes) proof_logs.push_back(OpenProofLog(config, n));
  std::vector<ProofLog> verify_logs;
  for (int64_t n : config.verify_sizes) {
    const ProofLog* same = nullptr;
    for (const ProofLog& p : proof_logs) same = (p.n == n && !p.bulk) ? &p : same;
    if (same == nullptr) verify_logs.push_back(OpenProofLog(config, n));
  }

  for (const ProofLog& log : proof_logs) {
    benchmark::RegisterBenchmark(absl::StrCat("BM_InclusionProof/n:", log.n).c_str(), BM_Proof,
                                 log.store.get(), log.n, ProofKind::kInclusion);
    benchmark::RegisterBenchmark(absl::StrCat("BM_ConsistencyProof/n:", log.n).c_str(), BM_Proof,
                                 log.store.get(), log.n, ProofKind::kConsistency);
  }
  benchmark::RegisterBenchmark("BM_Sha256Leaf", BM_Sha256Leaf);
  benchmark::RegisterBenchmark("BM_Sha256Node", BM_Sha256Node);
  for (int64_t n : config.verify_sizes) {
    storage::Store* store = nullptr;
    for (std::vector<ProofLog>* logs : {&proof_logs, &verify_logs}) {
      for (const ProofLog& p : *logs) store = (p.n == n && !p.bulk) ? p.store.get() : store;
    }
    benchmark::RegisterBenchmark(absl::StrCat("BM_VerifyLeavesAndRoot/n:", n).c_str(),
                                 BM_VerifyLeavesAndRoot, store, n)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(absl::StrCat("BM_VerifyOffline/n:", n).c_str(), BM_VerifyOffline,
                                 ApplyLogDir(config, n),
                                 storage::ToHex(store->keyring().audit_public_key()), n)
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace jijian::bench

int main(int argc, char** argv) { return jijian::bench::Main(argc, argv); }
