#include "tests/fuzz/fuzz_input.h"

#include <cstdio>
#include <cstdlib>

namespace jijian::fuzz {

void Require(bool cond, const char* message) {
  if (cond) return;
  std::fprintf(stderr, "fuzz property broken: %s\n", message);
  std::abort();
}

}  // namespace jijian::fuzz
