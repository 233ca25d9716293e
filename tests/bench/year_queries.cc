#include "tests/bench/year_queries.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <vector>

#include "absl/strings/str_format.h"
#include "jijian/v1/audit.pb.h"
#include "jijian/v1/disposition.pb.h"
#include "server/audit_service.h"
#include "server/config.h"
#include "server/disposition_codec.h"
#include "server/domain/calendar.h"
#include "server/domain/measures.h"
#include "server/domain/petition_validate.h"
#include "server/petition_codec.h"
#include "server/queue.h"
#include "server/stats_service.h"
#include "storage/audit.h"
#include "storage/merkle.h"
#include "storage/petitions.h"
#include "storage/stats.h"
#include "storage/store.h"
#include "tests/bench/year_gen.h"

namespace jijian::bench {

storage::Kek YearKek() { return *storage::Kek::FromBytes(std::string(32, '\x42')); }

namespace {

double PeakRssMb() {
  struct rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// Runs fn samples times (after a few warm-up calls) and prints p50 / p99 / max.
bool Time(const char* name, int samples, const std::function<absl::Status(int)>& fn) {
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(samples));
  for (int i = 0; i < std::min(samples, 5); ++i) {
    if (absl::Status st = fn(i); !st.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, std::string(st.message()).c_str());
      return false;
    }
  }
  for (int i = 0; i < samples; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    absl::Status st = fn(i);
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (!st.ok()) {
      std::fprintf(stderr, "%s: %s\n", name, std::string(st.message()).c_str());
      return false;
    }
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(q * ms.size()))];
  };
  std::printf("QUERY %-28s n=%-6d p50=%9.3f ms  p99=%9.3f ms  max=%9.3f ms\n", name, samples,
              at(0.50), at(0.99), ms.back());
  std::fflush(stdout);
  return true;
}

}  // namespace

int RunQueries(const std::string& dir, const storage::Kek& kek, int samples) {
  storage::Store::Options options;
  options.path = dir + "/db/jijian.db";
  // Opening applies pending schema migrations (a file written before schema 11 gets its
  // statistics counters backfilled here).
  const auto open_start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<storage::Store>> opened = storage::Store::Open(options, kek);
  if (!opened.ok()) {
    std::fprintf(stderr, "open: %s\n", std::string(opened.status().message()).c_str());
    return 1;
  }
  std::printf("opened in %.2f s (pending migrations included)\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - open_start).count());
  storage::Store& store = **opened;
  int64_t persons = 0, inspectors = 0, year = 2023;
  {
    std::ifstream meta(dir + "/year.txt");
    std::string key;
    int64_t value = 0;
    while (meta >> key >> value) {
      if (key == "persons") persons = value;
      if (key == "inspectors") inspectors = value;
      if (key == "year") year = value;
    }
  }
  auto count = [&](const char* sql) {
    return *store.Read<int64_t>([&](storage::Db& db) -> absl::StatusOr<int64_t> {
      absl::StatusOr<std::optional<int64_t>> n = db.QueryInt(sql);
      if (!n.ok()) return n.status();
      return n->value_or(0);
    });
  };
  const int64_t cases = count("SELECT COUNT(*) FROM cases");
  const int64_t log_size = count("SELECT COUNT(*) FROM audit_events");
  if (persons == 0 || inspectors == 0 || cases == 0) {
    std::fprintf(stderr, "%s/year.txt or the cases are missing\n", dir.c_str());
    return 1;
  }
  std::printf("year: %lld cases, %lld persons, %lld inspectors, %lld audit events\n",
              static_cast<long long>(cases), static_cast<long long>(persons),
              static_cast<long long>(inspectors), static_cast<long long>(log_size));

  const server::ServerConfig config;
  server::ServiceDeps deps;
  deps.store = &store;
  deps.config = &config;
  deps.calendar = &server::domain::WorkCalendar::BuiltIn();
  deps.measures = &server::domain::MeasureTable::BuiltIn();
  std::mt19937_64 rng(7);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  bool ok = true;

  // A case's timeline with an inclusion proof per event (AuditService.Timeline).
  ok &= Time("timeline(case)+proofs", samples, [&](int) -> absl::Status {
    const std::string id = server::domain::FormatObjectId("LA", year, pick(1, cases));
    v1::TimelineResponse resp;
    absl::StatusOr<bool> done = store.Read<bool>([&](storage::Db& db) -> absl::StatusOr<bool> {
      if (absl::Status st = db.Exec("BEGIN"); !st.ok()) return st;
      absl::Status st = server::BuildTimeline(db, id, &resp);
      (void)db.Exec("COMMIT");
      if (!st.ok()) return st;
      return true;
    });
    if (!done.ok()) return done.status();
    if (resp.entries_size() < 5) return absl::InternalError(id + ": too few timeline events");
    return absl::OkStatus();
  });

  // An inspector's queue (LeadService.MyQueue).
  int64_t queue_items = 0;
  ok &= Time("queue(inspector)", samples, [&](int) -> absl::Status {
    server::Caller caller;
    caller.user.user_id = absl::StrFormat("inspector-%05d", pick(1, inspectors));
    caller.roles = {v1::ROLE_INSPECTOR};
    caller.acting_role = v1::ROLE_INSPECTOR;
    absl::StatusOr<v1::MyQueueResponse> q = server::BuildQueue(deps, caller, "", 50);
    if (!q.ok()) return q.status();
    queue_items += q->items_size();
    return absl::OkStatus();
  });
  std::printf("      queue items per call: %.2f\n",
              static_cast<double>(queue_items) / (samples + std::min(samples, 5)));

  // The first page of the queue of each role that acts on anyone's leads and cases.
  struct QueueOwner {
    const char* user;
    v1::Role role;
  };
  for (const QueueOwner actor : {QueueOwner{"leader-01", v1::ROLE_LEADER},
                                 QueueOwner{"case-manager-01", v1::ROLE_CASE_MANAGER},
                                 QueueOwner{"reviewer-01", v1::ROLE_REVIEWER}}) {
    int64_t items = 0;
    const std::string name = absl::StrFormat("queue(%s), page 1", actor.user);
    ok &= Time(name.c_str(), samples, [&](int) -> absl::Status {
      server::Caller caller;
      caller.user.user_id = actor.user;
      caller.roles = {actor.role};
      caller.acting_role = actor.role;
      absl::StatusOr<v1::MyQueueResponse> q = server::BuildQueue(deps, caller, "", 50);
      if (!q.ok()) return q.status();
      items += q->items_size();
      return absl::OkStatus();
    });
    std::printf("      queue items per call: %.2f\n",
                static_cast<double>(items) / (samples + std::min(samples, 5)));
  }

  // The first page of overdue petitions (PetitionService.ListPetitions --overdue).
  ok &= Time("overdue petitions, page 1", std::max(10, samples / 10), [&](int) -> absl::Status {
    const absl::CivilDay today = server::Today();
    storage::PetitionFilter f;
    f.overdue = true;
    f.today = server::domain::FormatDate(today);
    f.limit = 50;
    absl::StatusOr<int> n = store.Read<int>([&](storage::Db& db) -> absl::StatusOr<int> {
      absl::StatusOr<std::vector<storage::PetitionRow>> rows = storage::ListPetitions(db, f);
      if (!rows.ok()) return rows.status();
      v1::ListPetitionsResponse list;
      for (const storage::PetitionRow& row : *rows) {
        absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines =
            storage::GetDeadlines(db, row.id);
        if (!deadlines.ok()) return deadlines.status();
        absl::StatusOr<v1::PetitionListItem> item = server::PetitionListItemFromRow(
            store.keyring(), row, *deadlines, *deps.calendar, today);
        if (!item.ok()) return item.status();
        *list.add_petitions() = *std::move(item);
      }
      return list.petitions_size();
    });
    if (!n.ok()) return n.status();
    if (*n != 50) return absl::InternalError("overdue: fewer than 50 on the first page");
    return absl::OkStatus();
  });

  // An integrity check of a person by name and ID number (DispositionService.IntegrityCheck):
  // a write (its record and audit event), so each one waits for its group commit.
  int64_t found = 0;
  std::vector<double> in_txn_ms;
  ok &= Time("integrity check (write)", samples, [&](int) -> absl::Status {
    const int64_t p = pick(1, persons);
    v1::IntegrityCheckRequest req;
    req.set_name(PersonName(p));
    req.set_id_number(PersonIdNumber(p));
    req.set_purpose("拟提拔");
    storage::MutationFn body = server::dispositions::IntegrityCheckMutation(deps, req);
    absl::StatusOr<std::string> out = store.Apply(
        {"org-dept", "leader", ""}, "", [&](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
          const auto t0 = std::chrono::steady_clock::now();
          absl::StatusOr<std::string> r = body(txn);
          in_txn_ms.push_back(
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                  .count());
          return r;
        });
    if (!out.ok()) return out.status();
    v1::IntegrityCheckResponse resp;
    resp.ParseFromString(*out);
    found += resp.open_matters_size() + resp.closed_matters() + resp.sanctions_size() > 0;
    return absl::OkStatus();
  });
  std::printf("      persons with records found: %lld\n", static_cast<long long>(found));
  if (!in_txn_ms.empty()) {
    std::sort(in_txn_ms.begin(), in_txn_ms.end());
    const size_t m = in_txn_ms.size();
    std::printf("QUERY %-28s n=%-6zu p50=%9.3f ms  p99=%9.3f ms  max=%9.3f ms\n",
                "integrity check, in txn", m, in_txn_ms[m / 2],
                in_txn_ms[std::min(m - 1, m * 99 / 100)], in_txn_ms.back());
  }

  // Audit proofs against the newest head.
  const int64_t n = log_size;
  ok &= Time("inclusion proof", samples, [&](int) -> absl::Status {
    const int64_t size = pick(1, n);
    const int64_t index = pick(0, size - 1);
    absl::StatusOr<size_t> len = store.Read<size_t>([&](storage::Db& db) -> absl::StatusOr<size_t> {
      if (absl::Status st = db.Exec("BEGIN"); !st.ok()) return st;
      absl::StatusOr<std::vector<std::string>> proof = storage::merkle::InclusionProof(
          static_cast<uint64_t>(index), static_cast<uint64_t>(size), storage::StoredSubtrees(db));
      (void)db.Exec("COMMIT");
      if (!proof.ok()) return proof.status();
      return proof->size();
    });
    return len.status();
  });
  ok &= Time("consistency proof", samples, [&](int) -> absl::Status {
    const int64_t size = pick(1, n);
    const int64_t m = pick(1, size);
    absl::StatusOr<size_t> len = store.Read<size_t>([&](storage::Db& db) -> absl::StatusOr<size_t> {
      if (absl::Status st = db.Exec("BEGIN"); !st.ok()) return st;
      absl::StatusOr<std::vector<std::string>> proof = storage::merkle::ConsistencyProof(
          static_cast<uint64_t>(m), static_cast<uint64_t>(size), storage::StoredSubtrees(db));
      (void)db.Exec("COMMIT");
      if (!proof.ok()) return proof.status();
      return proof->size();
    });
    return len.status();
  });

  // The year's statistics (StatsService.GetStatistics for the whole year, no unit, and for
  // one unit), read from the counters as the service does; then once recounted from the rows,
  // which must give the same answer.
  const std::string year_from = absl::StrFormat("%d-01-01", year);
  const std::string year_to = absl::StrFormat("%d-12-31", year);
  const std::string today = server::domain::FormatDate(server::Today());
  auto statistics = [&](const std::string& unit, storage::StatsSource source) {
    return store.Read<v1::Statistics>([&](storage::Db& db) -> absl::StatusOr<v1::Statistics> {
      if (absl::Status st = db.Exec("BEGIN"); !st.ok()) return st;
      absl::StatusOr<v1::Statistics> s =
          server::ComputeStatistics(db, *deps.measures, year_from, year_to, unit, today, source);
      (void)db.Exec("COMMIT");
      return s;
    });
  };
  v1::Statistics from_counters;
  ok &= Time("year statistics", std::max(3, samples / 20), [&](int) -> absl::Status {
    absl::StatusOr<v1::Statistics> s = statistics("", storage::StatsSource::kCounters);
    if (!s.ok()) return s.status();
    from_counters = *std::move(s);
    return absl::OkStatus();
  });
  ok &= Time("year statistics, one unit", std::max(3, samples / 20), [&](int) -> absl::Status {
    return statistics(PersonUnit(pick(1, persons)), storage::StatsSource::kCounters).status();
  });
  v1::Statistics from_rows;
  ok &= Time("year statistics, from rows", 3, [&](int) -> absl::Status {
    absl::StatusOr<v1::Statistics> s = statistics("", storage::StatsSource::kRows);
    if (!s.ok()) return s.status();
    from_rows = *std::move(s);
    return absl::OkStatus();
  });
  if (from_counters.SerializeAsString() != from_rows.SerializeAsString()) {
    std::fprintf(stderr, "year statistics: the counters and the rows differ\n");
    ok = false;
  }
  std::printf("      person-times in the year: %lld (counters), %lld (rows)\n",
              static_cast<long long>(from_counters.person_times()),
              static_cast<long long>(from_rows.person_times()));
  std::printf("RESULT peak_rss_mb=%.1f\n", PeakRssMb());
  return ok ? 0 : 1;
}

}  // namespace jijian::bench
