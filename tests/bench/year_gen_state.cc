// The generator's state saved after a run's last day, and restored by the next run (--resume).
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/bench/year_generator.h"

namespace jijian::bench::year {

namespace {

// Bytes of a saved state, in the order written; read back by StateReader.
class StateWriter {
 public:
  template <typename T>
  void Put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void PutString(const std::string& v) {
    Put<uint64_t>(v.size());
    out_ += v;
  }
  template <typename T>
  void PutVector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<uint64_t>(v.size());
    Put<uint32_t>(sizeof(T));
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

class StateReader {
 public:
  explicit StateReader(std::string in) : in_(std::move(in)) {}
  template <typename T>
  bool Get(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (in_.size() - at_ < sizeof(T)) return false;
    std::memcpy(&v, in_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  bool GetString(std::string& v) {
    uint64_t n = 0;
    if (!Get(n) || in_.size() - at_ < n) return false;
    v.assign(in_.data() + at_, n);
    at_ += n;
    return true;
  }
  template <typename T>
  bool GetVector(std::vector<T>& v) {
    uint64_t n = 0;
    uint32_t size = 0;
    if (!Get(n) || !Get(size) || size != sizeof(T) || (in_.size() - at_) / sizeof(T) < n) {
      return false;
    }
    v.resize(n);
    std::memcpy(v.data(), in_.data() + at_, n * sizeof(T));
    at_ += n * sizeof(T);
    return true;
  }
  bool AtEnd() const { return at_ == in_.size(); }

 private:
  std::string in_;
  size_t at_ = 0;
};

constexpr char kStateMagic[] = "jijian-year-state-1";

// Writes bytes to path so that a crash leaves the old file or the new one, never a mix.
absl::Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("state: cannot create ", tmp));
  size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n <= 0) {
      ::close(fd);
      return absl::UnavailableError(absl::StrCat("state: cannot write ", tmp));
    }
    at += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("state: cannot store ", path));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> YearGenerator::StoreLogSize() {
  return store_.Read<int64_t>([](storage::Db& db) { return storage::AuditLogSize(db); });
}

absl::Status YearGenerator::SaveState(int next_day) {
  // Every mutation of the days before next_day has committed (Apply returned), and nothing
  // else writes to the store: its log size marks where this state stands.
  absl::StatusOr<int64_t> log_size = StoreLogSize();
  if (!log_size.ok()) return log_size.status();
  StateWriter w;
  w.PutString(kStateMagic);
  w.Put(options_.factor);
  w.Put(options_.year);
  w.Put(options_.seed);
  w.Put(*log_size);
  w.Put<int32_t>(next_day);
  std::ostringstream rng;
  rng << rng_;
  w.PutString(rng.str());
  for (int d = next_day; d < kDays; ++d) w.PutVector(days_[static_cast<size_t>(d)]);
  w.PutVector(petitions_);
  w.PutVector(leads_);
  w.PutVector(cases_);
  w.PutVector(first_petition_of_person_);
  w.Put<uint64_t>(inspectors_.size());
  for (const std::string& id : inspectors_) w.PutString(id);
  w.Put(next_person_);
  w.Put(menu_turn_);
  w.Put(proposed_forms_);
  const YearCounts& c = counts_;
  for (int64_t v : {c.petitions, c.leads, c.cases, c.dispositions_approved, c.dispositions_proposed,
                    c.events, c.mutations, c.steps}) {
    w.Put(v);
  }
  w.Put(c.forms);
  w.Put<uint64_t>(c.petition_modes.size());
  for (const auto& [mode, n] : c.petition_modes) {
    w.PutString(mode);
    w.Put(n);
  }
  return WriteFileAtomically(options_.state_path, w.bytes());
}

absl::StatusOr<int> YearGenerator::LoadState() {
  std::string bytes;
  {
    std::ifstream in(options_.state_path, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(absl::StrCat("state: no saved year at ", options_.state_path));
    }
    std::ostringstream all;
    all << in.rdbuf();
    bytes = all.str();
  }
  const absl::Status bad = absl::DataLossError(
      absl::StrCat("state: ", options_.state_path, " is not a year state this generator saved"));
  StateReader r(std::move(bytes));
  std::string magic;
  if (!r.GetString(magic) || magic != kStateMagic) return bad;
  double factor = 0;
  int year = 0;
  uint64_t seed = 0;
  int64_t log_size = 0;
  int32_t next_day = 0;
  std::string rng;
  if (!r.Get(factor) || !r.Get(year) || !r.Get(seed) || !r.Get(log_size) || !r.Get(next_day) ||
      !r.GetString(rng) || next_day < 1 || next_day > kDays) {
    return bad;
  }
  if (factor != options_.factor || year != options_.year || seed != options_.seed) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "factor: the saved year is 1/%g of %d with seed %d, not 1/%g of %d with seed %d", factor,
        year, seed, options_.factor, options_.year, options_.seed));
  }
  absl::StatusOr<int64_t> now = StoreLogSize();
  if (!now.ok()) return now.status();
  if (*now != log_size) {
    return absl::FailedPreconditionError(absl::StrCat(
        "state: the store holds ", *now, " audit events and the saved state ", log_size,
        ": it was written to after the save (a run stopped in the middle of a day), so the "
        "year cannot be continued"));
  }
  std::istringstream(rng) >> rng_;
  for (int d = next_day; d < kDays; ++d) {
    if (!r.GetVector(days_[static_cast<size_t>(d)])) return bad;
  }
  uint64_t n_inspectors = 0;
  if (!r.GetVector(petitions_) || !r.GetVector(leads_) || !r.GetVector(cases_) ||
      !r.GetVector(first_petition_of_person_) || !r.Get(n_inspectors)) {
    return bad;
  }
  inspectors_.assign(n_inspectors, "");
  for (std::string& id : inspectors_) {
    if (!r.GetString(id)) return bad;
  }
  YearCounts& c = counts_;
  uint64_t n_modes = 0;
  if (!r.Get(next_person_) || !r.Get(menu_turn_) || !r.Get(proposed_forms_) ||
      !r.Get(c.petitions) || !r.Get(c.leads) || !r.Get(c.cases) ||
      !r.Get(c.dispositions_approved) || !r.Get(c.dispositions_proposed) || !r.Get(c.events) ||
      !r.Get(c.mutations) || !r.Get(c.steps) || !r.Get(c.forms) || !r.Get(n_modes)) {
    return bad;
  }
  for (uint64_t i = 0; i < n_modes; ++i) {
    std::string mode;
    int64_t n = 0;
    if (!r.GetString(mode) || !r.Get(n)) return bad;
    c.petition_modes[mode] = n;
  }
  if (!r.AtEnd() || inspectors_.empty() || petitions_.empty() || leads_.empty() || cases_.empty()) {
    return bad;
  }
  c.inspectors = inspectors_;
  return next_day;
}

}  // namespace jijian::bench::year
