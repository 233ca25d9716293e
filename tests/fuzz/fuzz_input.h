// A reader over a fuzzer's input: fixed-size integers and length-prefixed byte strings,
// yielding zeros and empty strings once the input runs out, so every input is usable.
// Shared by the targets in tests/fuzz; no libFuzzer header needed (the replay test builds
// with gcc).
#ifndef JIJIAN_TESTS_FUZZ_FUZZ_INPUT_H_
#define JIJIAN_TESTS_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jijian::fuzz {

// Aborts with message when cond is false: a property of the code under test was broken.
// Fuzzers report the abort as a crash, the replay test as a failed test.
void Require(bool cond, const char* message);

class FuzzInput {
 public:
  FuzzInput(const uint8_t* data, size_t size)
      : rest_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return rest_.empty(); }

  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<uint8_t>(rest_[0]);
    rest_.remove_prefix(1);
    return b;
  }

  // Big-endian; missing bytes read as zero.
  uint64_t U64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | Byte();
    return v;
  }

  // One length byte, then that many bytes (fewer when the input ends first).
  std::string Bytes() { return Take(Byte()); }

  // Exactly n bytes when available, fewer at the end of the input.
  std::string Take(size_t n) {
    const std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(out.size());
    return std::string(out);
  }

  // Everything not read yet.
  std::string_view Rest() const { return rest_; }

 private:
  std::string_view rest_;
};

}  // namespace jijian::fuzz

#endif  // JIJIAN_TESTS_FUZZ_FUZZ_INPUT_H_
