// Timed interactive queries against a year made by tests/bench/year_gen.h, each calling the
// function the service calls: p50 / p99 over random keys, and the process's peak memory.
#ifndef JIJIAN_TESTS_BENCH_YEAR_QUERIES_H_
#define JIJIAN_TESTS_BENCH_YEAR_QUERIES_H_

#include <string>

#include "storage/keyring.h"

namespace jijian::bench {

// The key-encryption key of generated years (benchmarks only).
storage::Kek YearKek();

// Opens DIR/db/jijian.db and prints one line per query: samples, p50, p99, max (ms).
// Returns a process exit code.
int RunQueries(const std::string& dir, const storage::Kek& kek, int samples);

}  // namespace jijian::bench

#endif  // JIJIAN_TESTS_BENCH_YEAR_QUERIES_H_
