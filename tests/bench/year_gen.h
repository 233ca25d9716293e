// A year of a discipline inspection commission at the 2023 national volume and mix
// (DOMAIN.md §8), divided by a scale factor, written through the store's real write path:
// every step is a Store::Apply mutation that writes what the service's own mutation writes
// (rows through storage/*, sealed columns sealed with the keyring at their place, blind
// indexes, deadlines, links, and the audit event with its Merkle leaf in the same
// transaction). gRPC, authentication, request validation and the response message each
// service mutation builds after writing are skipped; the state machines are checked with
// the domain tables (server/domain/*_rules.h).
#ifndef JIJIAN_TESTS_BENCH_YEAR_GEN_H_
#define JIJIAN_TESTS_BENCH_YEAR_GEN_H_

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "storage/store.h"

namespace jijian::bench {

// The 2023 national year (DOMAIN.md §8).
inline constexpr int64_t kNationalPetitions = 3'452'000;
inline constexpr int64_t kNationalLeads = 1'733'000;
inline constexpr int64_t kNationalCases = 626'000;
inline constexpr int64_t kNationalDispositions = 1'718'000;
// Four-forms shares of 2023, per thousand person-times.
inline constexpr std::array<int, 4> kFormsPerMille = {638, 286, 37, 39};

struct YearOptions {
  double factor = 1;               // 1 = national, 31 = a province, 3100 = a prefecture
  int year = 2023;                 // the simulated year (ids XF-2023-..., dates in this year)
  uint64_t seed = 2023;            // the random mix is a function of the seed
  size_t steps_per_mutation = 64;  // workflow steps written by one Store::Apply
  // Threads calling Store::Apply at once, so that the writer groups their mutations into
  // one commit as it does for concurrent RPCs. The mutations themselves run one at a time.
  size_t callers = 8;
  // Simulates only days 1..days of the year: everything is scheduled as for the whole year,
  // and what falls after the last day is not written (a partial year, as a ledger stands on
  // that day). 1..365.
  int days = 365;
  // Called after each simulated day with the day index (0..days-1); may be empty.
  std::function<void(int day)> progress;
  // Asked after each day; true ends the run after that day, as if it had been the last.
  std::function<bool()> stop;
  // Where the generator keeps its own state between runs (empty: nowhere). When set, the state
  // is saved there after the run's last day, so that a later run with resume = true on the same
  // store continues with the next day (a national year takes longer than one sitting). The
  // store's audit log size is saved with it: a store written to after the save (a run killed
  // in the middle of a day) is refused, since part of a day cannot be told from the rest.
  std::string state_path;
  bool resume = false;
};

// What was written, counted by the generator itself (tests compare it with the database).
struct YearCounts {
  int64_t petitions = 0, leads = 0, cases = 0, dispositions_approved = 0;
  int64_t dispositions_proposed = 0;
  std::array<int64_t, 4> forms{};                 // approved person-times per form
  int64_t events = 0;                             // audit events appended
  int64_t mutations = 0;                          // Store::Apply calls
  int64_t steps = 0;                              // workflow steps (service mutations mirrored)
  std::map<std::string, int64_t> petition_modes;  // HANDLING_* -> count
  std::vector<std::string> inspectors;            // user ids of the generated inspectors
  int64_t persons = 0;                            // distinct persons reported on
  int days_done = 0;     // days of the year written, by this run and those it resumed
  int first_day = 0;     // the first day (0-based) this run wrote
  int64_t events_before = 0;  // audit events the generator wrote before this run (resumed)
};

// Creates the users (case managers, inspectors, reviewers, leaders) and the year in store,
// which must be empty of petitions, leads, cases and dispositions.
absl::StatusOr<YearCounts> GenerateYear(storage::Store& store, const YearOptions& options);

// The generated person number p: a name, and a valid 18-character ID number unique to p.
std::string PersonName(int64_t p);
std::string PersonIdNumber(int64_t p);
// The unit the generated person p works in.
std::string PersonUnit(int64_t p);

}  // namespace jijian::bench

#endif  // JIJIAN_TESTS_BENCH_YEAR_GEN_H_
