#include "server/domain/measures.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace jijian::server::domain {
namespace {

constexpr std::string_view kMeasureKey = "measure";
constexpr int kMinForm = 1;
constexpr int kMaxForm = 4;
constexpr int kMinRank = 1;

// The keys of one [[measure]] entry, in the order the file documents them.
constexpr std::string_view kCodeKey = "code";
constexpr std::string_view kNameZhKey = "name_zh";
constexpr std::string_view kNameEnKey = "name_en";
constexpr std::string_view kFormKey = "form";
constexpr std::string_view kKindKey = "kind";
constexpr std::string_view kRankKey = "rank";
constexpr std::string_view kPeriodKey = "period_months";
constexpr std::string_view kPermanentKey = "permanent";
constexpr std::string_view kProbationKey = "probation_months";
constexpr std::string_view kNeedsCaseKey = "needs_case";
constexpr std::string_view kAllKeys[] = {kCodeKey,      kNameZhKey,   kNameEnKey, kFormKey,
                                         kKindKey,      kRankKey,     kPeriodKey, kPermanentKey,
                                         kProbationKey, kNeedsCaseKey};

constexpr MeasureKind kAllKinds[] = {MeasureKind::kParty, MeasureKind::kGovernment,
                                     MeasureKind::kOrganisational, MeasureKind::kOther};

// The first form that needs a filed case when the file does not say (DOMAIN.md §6).
constexpr int kFirstFormNeedingCase = 2;

std::string AllKeysText() {
  std::vector<std::string> keys;
  for (std::string_view k : kAllKeys) keys.emplace_back(k);
  return absl::StrJoin(keys, ", ");
}

std::string AllKindsText() {
  std::vector<std::string> kinds;
  for (MeasureKind k : kAllKinds) kinds.emplace_back(MeasureKindName(k));
  return absl::StrJoin(kinds, ", ");
}

bool IsCodeChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

// "party-warning (党内警告)", for messages.
std::string Describe(const Measure& m) { return absl::StrCat(m.code, " (", m.name_zh, ")"); }

// Reads the keys of one [[measure]] table; label names the entry in messages.
class EntryReader {
 public:
  EntryReader(const toml::table& table, std::string label)
      : table_(table), label_(std::move(label)) {}

  const std::string& label() const { return label_; }
  void set_label(std::string label) { label_ = std::move(label); }

  absl::Status Error(std::string_view key, std::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat(label_, ".", std::string(key), ": ", std::string(what)));
  }

  bool Has(std::string_view key) const { return table_.contains(key); }

  absl::StatusOr<std::string> String(std::string_view key) const {
    if (!Has(key)) return Error(key, "required; a quoted string");
    std::optional<std::string> v = table_.get(key)->value_exact<std::string>();
    if (!v.has_value() || v->empty()) return Error(key, "must be a non-empty quoted string");
    return *v;
  }

  // An integer; absent gives fallback when given, else an error.
  absl::StatusOr<int> Int(std::string_view key, std::optional<int> fallback = std::nullopt) const {
    if (!Has(key)) {
      if (fallback.has_value()) return *fallback;
      return Error(key, "required; an integer");
    }
    std::optional<int64_t> v = table_.get(key)->value_exact<int64_t>();
    if (!v.has_value()) return Error(key, "must be an integer");
    if (*v < INT32_MIN || *v > INT32_MAX) return Error(key, "is out of range");
    return static_cast<int>(*v);
  }

  absl::StatusOr<bool> Bool(std::string_view key, bool fallback) const {
    if (!Has(key)) return fallback;
    std::optional<bool> v = table_.get(key)->value_exact<bool>();
    if (!v.has_value()) return Error(key, "must be true or false");
    return *v;
  }

  absl::StatusOr<std::vector<int>> IntList(std::string_view key) const {
    std::vector<int> out;
    if (!Has(key)) return out;
    const toml::array* list = table_.get(key)->as_array();
    if (list == nullptr || list->empty()) {
      return Error(key, "must be a non-empty array of months, e.g. [12, 24]");
    }
    for (size_t i = 0; i < list->size(); ++i) {
      std::optional<int64_t> v = (*list)[i].value_exact<int64_t>();
      if (!v.has_value() || *v <= 0 || *v > INT32_MAX) {
        return Error(absl::StrCat(std::string(key), "[", i, "]"),
                     "must be a positive number of months");
      }
      out.push_back(static_cast<int>(*v));
    }
    return out;
  }

 private:
  const toml::table& table_;
  std::string label_;
};

absl::StatusOr<Measure> ParseEntry(const toml::table& table, size_t index) {
  EntryReader in(table, absl::StrCat(std::string(kMeasureKey), "[", index, "]"));
  Measure m;
  absl::StatusOr<std::string> code = in.String(kCodeKey);
  if (!code.ok()) return code.status();
  if (!std::all_of(code->begin(), code->end(), IsCodeChar)) {
    return in.Error(
        kCodeKey, absl::StrCat("\"", *code, "\" may hold only lowercase letters, digits and '-'"));
  }
  m.code = *code;
  in.set_label(absl::StrCat(in.label(), " \"", m.code, "\""));

  for (auto&& [key, value] : table) {
    if (std::find(std::begin(kAllKeys), std::end(kAllKeys), key.str()) == std::end(kAllKeys)) {
      return in.Error(key.str(), absl::StrCat("unknown key; allowed: ", AllKeysText()));
    }
  }

  absl::StatusOr<std::string> name_zh = in.String(kNameZhKey);
  if (!name_zh.ok()) return name_zh.status();
  m.name_zh = *name_zh;
  absl::StatusOr<std::string> name_en = in.String(kNameEnKey);
  if (!name_en.ok()) return name_en.status();
  m.name_en = *name_en;

  absl::StatusOr<int> form = in.Int(kFormKey);
  if (!form.ok()) return form.status();
  if (*form < kMinForm || *form > kMaxForm) {
    return in.Error(kFormKey, absl::StrCat(*form, " is not a form; allowed: 1, 2, 3, 4"));
  }
  m.form = *form;

  absl::StatusOr<std::string> kind = in.String(kKindKey);
  if (!kind.ok()) return kind.status();
  bool kind_found = false;
  for (MeasureKind k : kAllKinds) {
    if (MeasureKindName(k) == *kind) {
      m.kind = k;
      kind_found = true;
    }
  }
  if (!kind_found) {
    return in.Error(kKindKey,
                    absl::StrCat("unknown kind \"", *kind, "\"; allowed: ", AllKindsText()));
  }

  absl::StatusOr<int> rank = in.Int(kRankKey);
  if (!rank.ok()) return rank.status();
  if (*rank < kMinRank) return in.Error(kRankKey, "must be 1 (lightest) or more");
  m.rank = *rank;

  absl::StatusOr<int> period = in.Int(kPeriodKey, 0);
  if (!period.ok()) return period.status();
  if (*period < 0) {
    return in.Error(kPeriodKey, absl::StrCat(*period, " is negative; give months >= 0 (0: none)"));
  }
  m.period_months = *period;

  absl::StatusOr<bool> permanent = in.Bool(kPermanentKey, false);
  if (!permanent.ok()) return permanent.status();
  m.permanent = *permanent;

  absl::StatusOr<std::vector<int>> probation = in.IntList(kProbationKey);
  if (!probation.ok()) return probation.status();
  m.probation_months = *std::move(probation);

  const int period_forms =
      (in.Has(kPeriodKey) ? 1 : 0) + (m.permanent ? 1 : 0) + (m.probation() ? 1 : 0);
  if (period_forms > 1) {
    return in.Error(m.probation() ? kProbationKey : kPermanentKey,
                    "give only one of period_months, permanent = true, probation_months");
  }

  absl::StatusOr<bool> needs_case = in.Bool(kNeedsCaseKey, m.form >= kFirstFormNeedingCase);
  if (!needs_case.ok()) return needs_case.status();
  m.needs_case = *needs_case;
  return m;
}

// Checks ranks across entries: unique within a kind, and a heavier rank never has a lighter
// form. labels[i] names measures[i] in messages.
absl::Status CheckRanks(const std::vector<Measure>& measures,
                        const std::vector<std::string>& labels) {
  for (size_t i = 0; i < measures.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      const Measure& a = measures[i];
      const Measure& b = measures[j];
      if (a.kind != b.kind) continue;
      if (a.rank == b.rank) {
        return absl::InvalidArgumentError(
            absl::StrCat(labels[i], ".", std::string(kRankKey), ": rank ", a.rank,
                         " is already held by \"", b.code, "\" in kind ",
                         std::string(MeasureKindName(a.kind)), "; ranks are unique within a kind"));
      }
      const Measure& heavier = a.rank > b.rank ? a : b;
      const Measure& lighter = a.rank > b.rank ? b : a;
      if (heavier.form < lighter.form) {
        return absl::InvalidArgumentError(
            absl::StrCat(labels[i], ".", std::string(kRankKey), ": \"", heavier.code, "\" (rank ",
                         heavier.rank, ", form ", heavier.form, ") is heavier than \"",
                         lighter.code, "\" (rank ", lighter.rank, ", form ", lighter.form,
                         ") but has a lighter form; a heavier rank may not have a lighter form"));
      }
    }
  }
  return absl::OkStatus();
}

std::string KnownCodes(const MeasureTable& table) {
  std::vector<std::string> codes;
  for (const Measure& m : table.measures()) codes.push_back(m.code);
  return absl::StrJoin(codes, ", ");
}

// Looks up every code; INVALID_ARGUMENT for an empty list or an unknown code.
absl::StatusOr<std::vector<const Measure*>> Resolve(const MeasureTable& table,
                                                    const std::vector<std::string>& codes) {
  if (codes.empty()) {
    return absl::InvalidArgumentError("a decision needs at least one measure; none given");
  }
  std::vector<const Measure*> out;
  for (const std::string& code : codes) {
    const Measure* m = table.Find(code);
    if (m == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown measure \"", code, "\"; known: ", KnownCodes(table)));
    }
    out.push_back(m);
  }
  return out;
}

// The measures of kind in a decision, heaviest first.
std::vector<const Measure*> OfKind(const std::vector<const Measure*>& measures, MeasureKind kind) {
  std::vector<const Measure*> out;
  for (const Measure* m : measures) {
    if (m->kind == kind) out.push_back(m);
  }
  std::sort(out.begin(), out.end(),
            [](const Measure* a, const Measure* b) { return a->rank > b->rank; });
  return out;
}

// The heaviest measure of kind in the table, or nullptr.
const Measure* HeaviestInTable(const MeasureTable& table, MeasureKind kind) {
  const Measure* heaviest = nullptr;
  for (const Measure& m : table.measures()) {
    if (m.kind == kind && (heaviest == nullptr || m.rank > heaviest->rank)) heaviest = &m;
  }
  return heaviest;
}

std::string JoinMonths(const std::vector<int>& months) { return absl::StrJoin(months, " or "); }

}  // namespace

std::string_view MeasureKindName(MeasureKind kind) {
  switch (kind) {
    case MeasureKind::kParty:
      return "party";
    case MeasureKind::kGovernment:
      return "government";
    case MeasureKind::kOrganisational:
      return "organisational";
    case MeasureKind::kOther:
      return "other";
  }
  return "other";
}

absl::StatusOr<MeasureTable> MeasureTable::Parse(std::string_view toml_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat("measures: line ", e.source().begin.line,
                                                   ", column ", e.source().begin.column, ": ",
                                                   std::string(e.description())));
  }
  for (auto&& [key, value] : root) {
    if (key.str() != kMeasureKey) {
      return absl::InvalidArgumentError(absl::StrCat(
          "measures: unknown key \"", std::string(key.str()), "\"; expected [[measure]] tables"));
    }
  }
  const toml::array* entries = root[kMeasureKey].as_array();
  if (entries == nullptr || entries->empty() || !entries->is_array_of_tables()) {
    return absl::InvalidArgumentError(
        "measures: no measures defined; expected [[measure]] tables with code, name_zh, "
        "name_en, form, kind and rank");
  }

  MeasureTable table;
  std::vector<std::string> labels;
  for (size_t i = 0; i < entries->size(); ++i) {
    absl::StatusOr<Measure> m = ParseEntry(*(*entries)[i].as_table(), i);
    if (!m.ok()) return m.status();
    std::string label = absl::StrCat(std::string(kMeasureKey), "[", i, "] \"", m->code, "\"");
    auto [it, inserted] = table.by_code_.emplace(m->code, table.measures_.size());
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(label, ".", std::string(kCodeKey),
                                                     ": duplicate code; first defined at ",
                                                     labels[it->second]));
    }
    table.measures_.push_back(*std::move(m));
    labels.push_back(std::move(label));
  }
  absl::Status ranks = CheckRanks(table.measures_, labels);
  if (!ranks.ok()) return ranks;
  return table;
}

absl::StatusOr<MeasureTable> MeasureTable::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open measure table"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat(path, ": read error"));
  }
  absl::StatusOr<MeasureTable> table = Parse(text.str());
  if (!table.ok()) {
    return absl::Status(table.status().code(), absl::StrCat(path, ": ", table.status().message()));
  }
  return table;
}

const MeasureTable& MeasureTable::BuiltIn() {
  static const MeasureTable* const kBuiltIn = [] {
    absl::StatusOr<MeasureTable> table = Parse(BuiltInMeasureText());
    if (!table.ok()) {
      std::fprintf(stderr, "embedded measures_cn.toml is malformed: %s\n",
                   table.status().ToString().c_str());
      std::abort();
    }
    return new MeasureTable(*std::move(table));
  }();
  return *kBuiltIn;
}

const Measure* MeasureTable::Find(std::string_view code) const {
  auto it = by_code_.find(code);
  return it == by_code_.end() ? nullptr : &measures_[it->second];
}

absl::StatusOr<int> DeriveForm(const MeasureTable& table, const std::vector<std::string>& codes) {
  absl::StatusOr<std::vector<const Measure*>> measures = Resolve(table, codes);
  if (!measures.ok()) return measures.status();
  int form = kMinForm;
  for (const Measure* m : *measures) form = std::max(form, m->form);
  return form;
}

absl::Status CheckCombination(const MeasureTable& table, const std::vector<std::string>& codes,
                              bool case_filed, int probation_months) {
  absl::StatusOr<std::vector<const Measure*>> resolved = Resolve(table, codes);
  if (!resolved.ok()) return resolved.status();
  const std::vector<const Measure*>& measures = *resolved;

  std::set<std::string_view> seen;
  for (const Measure* m : measures) {
    if (!seen.insert(m->code).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate measure: ", Describe(*m),
                                                     " is listed twice; list each measure once"));
    }
  }

  // One party sanction per decision; the heaviest (开除党籍) excludes the lighter ones.
  std::vector<const Measure*> party = OfKind(measures, MeasureKind::kParty);
  if (party.size() > 1) {
    const Measure* top = HeaviestInTable(table, MeasureKind::kParty);
    if (party[0] == top) {
      return absl::InvalidArgumentError(
          absl::StrCat(top->name_zh, " with a lighter party sanction: ", Describe(*top),
                       " excludes ", Describe(*party[1]),
                       "; expulsion is the only party "
                       "sanction of its decision"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "two party sanctions in one decision: ", Describe(*party[0]), " and ", Describe(*party[1]),
        "; a decision imposes at most one party sanction (党纪处分)"));
  }

  // One government sanction per decision.
  std::vector<const Measure*> government = OfKind(measures, MeasureKind::kGovernment);
  if (government.size() > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("two government sanctions in one decision: ", Describe(*government[0]),
                     " and ", Describe(*government[1]),
                     "; a decision imposes at most one government sanction (政务处分)"));
  }

  // A probation length goes with, and only with, a measure that takes one (留党察看).
  const Measure* on_probation = nullptr;
  for (const Measure* m : measures) {
    if (m->probation()) on_probation = m;
  }
  if (on_probation != nullptr) {
    const std::vector<int>& allowed = on_probation->probation_months;
    if (std::find(allowed.begin(), allowed.end(), probation_months) == allowed.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(Describe(*on_probation), " without a valid probation: needs a probation of ",
                       JoinMonths(allowed), " months, got ", probation_months));
    }
  } else if (probation_months != 0) {
    std::vector<std::string> takers;
    for (const Measure& m : table.measures()) {
      if (m.probation()) takers.push_back(Describe(m));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "probation without 留党察看: a probation of ", probation_months,
        " months is given but no measure of the decision takes one; probation goes with ",
        takers.empty() ? std::string("no measure of this table") : absl::StrJoin(takers, ", ")));
  }

  // Forms 2-4 need a filed case; form 1 can end a lead.
  if (!case_filed) {
    for (const Measure* m : measures) {
      if (m->needs_case) {
        return absl::FailedPreconditionError(
            absl::StrCat("form ", m->form, " without a filed case: ", Describe(*m),
                         " needs a filed case (立案); only measures of form 1 can end a lead"));
      }
    }
  }
  return absl::OkStatus();
}

SanctionPeriod PeriodOf(const Measure& measure, int probation_months) {
  if (measure.permanent) return SanctionPeriod{0, true};
  if (measure.probation()) return SanctionPeriod{std::max(probation_months, 0), false};
  return SanctionPeriod{measure.period_months, false};
}

absl::StatusOr<SanctionPeriod> LongestPeriod(const MeasureTable& table,
                                             const std::vector<std::string>& codes,
                                             int probation_months) {
  absl::StatusOr<std::vector<const Measure*>> measures = Resolve(table, codes);
  if (!measures.ok()) return measures.status();
  SanctionPeriod longest;
  for (const Measure* m : *measures) {
    SanctionPeriod p = PeriodOf(*m, probation_months);
    if (p.permanent) return p;
    longest.months = std::max(longest.months, p.months);
  }
  return longest;
}

absl::CivilDay PeriodEnd(absl::CivilDay decided, int months) {
  const absl::CivilMonth end_month = absl::CivilMonth(decided) + std::max(months, 0);
  const absl::CivilDay last_of_month = absl::CivilDay(end_month + 1) - 1;
  return absl::CivilDay(end_month.year(), end_month.month(),
                        std::min(decided.day(), last_of_month.day()));
}

std::optional<absl::CivilDay> PeriodEnd(absl::CivilDay decided, const SanctionPeriod& period) {
  if (period.permanent) return std::nullopt;
  return PeriodEnd(decided, period.months);
}

bool InPeriod(absl::CivilDay decided, const SanctionPeriod& period, absl::CivilDay day) {
  if (day < decided) return false;
  if (period.permanent) return true;
  if (period.months <= 0) return false;
  return day <= PeriodEnd(decided, period.months);
}

}  // namespace jijian::server::domain
