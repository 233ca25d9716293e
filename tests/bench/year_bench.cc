// jijian_bench_year: a year at the 2023 national volume divided by --factor, written through
// the store's real write path (tests/bench/year_gen.h), then timed queries against it
// (tests/bench/year_queries.h). docs/BENCHMARKS.md has the commands and the figures.
//
//   jijian_bench_year generate --factor 31 --data /tmp/year31 [--days 365]
//   jijian_bench_year generate --factor 31 --data /tmp/year31 --resume [--days 365]
//   jijian_bench_year query    --data /tmp/year31 [--samples 2000]
//   jijian_bench_year verify   --data /tmp/year31
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"
#include "server/verify.h"
#include "storage/keyring.h"
#include "storage/store.h"
#include "tests/bench/year_gen.h"
#include "tests/bench/year_queries.h"

namespace jijian::bench {
namespace {

storage::Kek BenchKek() { return YearKek(); }

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto n = std::filesystem::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

double PeakRssMb() {
  struct rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

std::string LoadAverage() {
  double l[3] = {0, 0, 0};
  if (::getloadavg(l, 3) != 3) return "?";
  return absl::StrFormat("%.2f %.2f %.2f", l[0], l[1], l[2]);
}

// Verifies the audit log of the year in dir offline (server::VerifyAuditLog) against the
// audit key key_hex; prints how long it took. False on any problem.
bool VerifyYear(const std::string& dir, const std::string& key_hex) {
  const auto v0 = std::chrono::steady_clock::now();
  absl::StatusOr<server::VerifyReport> report =
      server::VerifyAuditLog({.data_dir = dir, .audit_key_hex = key_hex});
  if (!report.ok()) {
    std::cerr << "verify: " << report.status() << "\n";
    return false;
  }
  std::printf(
      "verify: %lld events, %lld heads, %zu problems, counters %s with %zu differences, %.1f s\n",
      static_cast<long long>(report->events), static_cast<long long>(report->heads),
      report->problems.size(), report->stats_checked ? "checked" : "NOT checked",
      report->stats_problems.size(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - v0).count());
  for (const std::string& problem : report->problems) std::printf("  %s\n", problem.c_str());
  for (const std::string& problem : report->stats_problems) std::printf("  %s\n", problem.c_str());
  return report->problems.empty() && report->stats_checked && report->stats_problems.empty();
}

// Verifies a year whose generation did not finish (it was stopped, or killed): opening the
// store recovers it as the server would after a crash; the audit key is the store's own.
int VerifyStopped(const std::string& dir) {
  std::string key_hex;
  {
    storage::Store::Options options;
    options.path = dir + "/db/jijian.db";
    const auto t0 = std::chrono::steady_clock::now();
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::Store::Open(options, BenchKek());
    if (!store.ok()) {
      std::cerr << "open: " << store.status() << "\n";
      return 1;
    }
    std::printf("opened in %.2f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    key_hex = absl::BytesToHexString((*store)->keyring().audit_public_key());
  }
  return VerifyYear(dir, key_hex) ? 0 : 1;
}

std::atomic<bool> stop_requested{false};

void RequestStop(int) { stop_requested.store(true); }

// The runs that wrote the year in dir, one line each ("days A-B wall S events E"): a year
// written in several sittings is timed as the sum of its runs.
std::string RunsPath(const std::string& dir) { return dir + "/year-runs.txt"; }

double EarlierWallSeconds(const std::string& dir) {
  std::ifstream in(RunsPath(dir));
  std::string word;
  double total = 0;
  while (in >> word) {
    if (word == "wall") {
      double s = 0;
      if (in >> s) total += s;
    }
  }
  return total;
}

int Generate(double factor, int days, const std::string& dir, size_t steps_per_mutation,
             size_t callers, bool verify, bool resume) {
  storage::Store::Options options;
  options.path = dir + "/db/jijian.db";
  absl::StatusOr<std::unique_ptr<storage::Store>> store;
  if (resume) {
    store = storage::Store::Open(options, BenchKek());
  } else {
    std::filesystem::create_directories(dir + "/db");
    store = storage::Store::Create(options, BenchKek());
  }
  if (!store.ok()) {
    std::cerr << (resume ? "open: " : "create: ") << store.status() << "\n";
    return 1;
  }
  const std::string key_hex = absl::BytesToHexString((*store)->keyring().audit_public_key());
  const double earlier_s = resume ? EarlierWallSeconds(dir) : 0;
  std::printf("%s days up to %d of 1/%g of the 2023 national year into %s (load %s)\n",
              resume ? "continuing with" : "generating", days, factor, options.path.c_str(),
              LoadAverage().c_str());
  // SIGINT or SIGTERM: finish the day, save the state, stop; `--resume` continues.
  ::signal(SIGINT, RequestStop);
  ::signal(SIGTERM, RequestStop);
  const auto t0 = std::chrono::steady_clock::now();
  YearOptions yo;
  yo.factor = factor;
  yo.days = days;
  yo.steps_per_mutation = steps_per_mutation;
  yo.callers = callers;
  yo.state_path = dir + "/year-state.bin";
  yo.resume = resume;
  yo.stop = [] { return stop_requested.load(); };
  yo.progress = [&](int day) {
    if (day % 30 != 29 && day + 1 != days && !stop_requested.load()) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("  day %3d  %8.1f s  (all runs %8.1f s)  load %s\n", day + 1, s, earlier_s + s,
                LoadAverage().c_str());
    std::fflush(stdout);
  };
  absl::StatusOr<YearCounts> counts = GenerateYear(**store, yo);
  if (!counts.ok()) {
    std::cerr << "generate: " << counts.status() << "\n";
    return 1;
  }
  {
    std::ofstream meta(dir + "/year.txt");
    meta << "year " << yo.year << "\npersons " << counts->persons << "\ninspectors "
         << counts->inspectors.size() << "\n";
  }
  const storage::Store::Stats stats = (*store)->stats();
  store->reset();  // drains, checkpoints nothing more than SQLite does on close
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const int64_t db_bytes = FileSize(options.path) + FileSize(options.path + "-wal");
  const int64_t run_events = counts->events - counts->events_before;
  {
    std::ofstream runs(RunsPath(dir), counts->first_day > 0 ? std::ios::app : std::ios::trunc);
    runs << "days " << counts->first_day + 1 << "-" << counts->days_done << " wall " << secs
         << " events " << run_events << " peak_rss_mb " << PeakRssMb() << "\n";
  }
  std::printf(
      "petitions %lld  leads %lld  cases %lld  dispositions approved %lld (proposed %lld)\n",
      static_cast<long long>(counts->petitions), static_cast<long long>(counts->leads),
      static_cast<long long>(counts->cases), static_cast<long long>(counts->dispositions_approved),
      static_cast<long long>(counts->dispositions_proposed));
  const double total = static_cast<double>(counts->dispositions_approved);
  std::printf("four forms %lld / %lld / %lld / %lld = %.1f / %.1f / %.1f / %.1f %%\n",
              static_cast<long long>(counts->forms[0]), static_cast<long long>(counts->forms[1]),
              static_cast<long long>(counts->forms[2]), static_cast<long long>(counts->forms[3]),
              100.0 * counts->forms[0] / total, 100.0 * counts->forms[1] / total,
              100.0 * counts->forms[2] / total, 100.0 * counts->forms[3] / total);
  for (const auto& [mode, n] : counts->petition_modes) {
    std::printf("  %s %lld\n", mode.c_str(), static_cast<long long>(n));
  }
  std::printf("persons %lld  inspectors %zu\n", static_cast<long long>(counts->persons),
              counts->inspectors.size());
  std::printf(
      "RESULT factor=%g days=%d-%d wall_s=%.1f events=%lld events_per_s=%.0f steps=%lld "
      "mutations=%lld group_commits=%lld db_mb=%.1f peak_rss_mb=%.1f load=\"%s\"\n",
      factor, counts->first_day + 1, counts->days_done, secs, static_cast<long long>(run_events),
      static_cast<double>(run_events) / secs, static_cast<long long>(counts->steps),
      static_cast<long long>(counts->mutations), static_cast<long long>(stats.batches),
      static_cast<double>(db_bytes) / 1e6, PeakRssMb(), LoadAverage().c_str());
  if (counts->first_day > 0) {
    std::printf("all runs: days 1-%d, wall_s=%.1f, events=%lld, events_per_s=%.0f\n",
                counts->days_done, earlier_s + secs, static_cast<long long>(counts->events),
                static_cast<double>(counts->events) / (earlier_s + secs));
  }
  if (counts->days_done < 365) {
    std::printf("stopped after day %d; `generate --resume` with the same --factor continues\n",
                counts->days_done);
  }
  if (counts->days_done < days) return 3;  // stopped by a signal before the days asked for
  std::printf("audit key %s\n", key_hex.c_str());
  std::fflush(stdout);
  if (verify && !VerifyYear(dir, key_hex)) return 1;
  return 0;
}

}  // namespace
}  // namespace jijian::bench

int main(int argc, char** argv) {
  CLI::App app{"jijian_bench_year: a national year through the real write path, and queries"};
  app.require_subcommand(1);
  double factor = 31;
  int days = 365;
  std::string dir;
  size_t steps = 64;
  size_t callers = 8;
  bool verify = false;
  CLI::App* gen = app.add_subcommand("generate", "write a year at 1/FACTOR of the 2023 volume");
  gen->add_option("--factor", factor, "1 = national, 31 = province, 3100 ...")
      ->check(CLI::Range(1.0, 1e6));
  gen->add_option("--data", dir, "new folder; the database is DIR/db/jijian.db")->required();
  gen->add_option("--days", days, "write only the year's first DAYS days (a partial year)")
      ->check(CLI::Range(1, 365));
  gen->add_option("--steps-per-mutation", steps, "workflow steps per Store::Apply");
  gen->add_option("--callers", callers, "threads calling Store::Apply at once");
  gen->add_flag("--verify", verify, "verify the audit log offline afterwards");
  bool resume = false;
  gen->add_flag("--resume", resume,
                "continue the year in DIR from the day after its last run stopped (SIGINT or "
                "SIGTERM stops a run at the end of a day, saves its state and exits with 3)");
  int samples = 2000;
  std::string out_json;
  CLI::App* query = app.add_subcommand("query", "time the interactive queries on a generated year");
  query->add_option("--data", dir, "a folder made by generate")->required();
  query->add_option("--samples", samples, "random keys per query");
  CLI::App* check = app.add_subcommand(
      "verify", "verify the audit log of a year, also one whose generation was stopped");
  check->add_option("--data", dir, "a folder made by generate")->required();
  CLI11_PARSE(app, argc, argv);
  if (gen->parsed())
    return jijian::bench::Generate(factor, days, dir, steps, callers, verify, resume);
  if (check->parsed()) return jijian::bench::VerifyStopped(dir);
  return jijian::bench::RunQueries(dir, jijian::bench::YearKek(), samples);
}
