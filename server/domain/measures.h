// The measures of the "four forms" (四种形态, DOMAIN.md §6): one table of every measure with
// its form, kind, severity and the period that follows it (影响期); the form of a decision
// derived from its measures; the combinations a decision may not have; period end dates.
// The table is data, a TOML file; the shipped file (measures_cn.toml) is compiled in and a
// deployment may replace it. Pure: no I/O except MeasureTable::LoadFile.
#ifndef JIJIAN_SERVER_DOMAIN_MEASURES_H_
#define JIJIAN_SERVER_DOMAIN_MEASURES_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace jijian::server::domain {

// Who imposes a measure; at most one party and one government sanction per decision.
enum class MeasureKind {
  kParty,           // 党纪处分
  kGovernment,      // 政务处分
  kOrganisational,  // 组织处理 (停职检查, 调整职务, 免职, ...)
  kOther,           // talks, criticism, recovery of gains, transfer to the procuratorate
};

// "party", "government", "organisational", "other": the spelling of the rules file.
std::string_view MeasureKindName(MeasureKind kind);

// One row of the measure table.
struct Measure {
  std::string code;     // stable identifier, e.g. "party-warning"
  std::string name_zh;  // e.g. "党内警告"
  std::string name_en;  // e.g. "party warning"
  int form = 1;         // 1..4
  MeasureKind kind = MeasureKind::kOther;
  int rank = 1;  // severity within kind, 1 = lightest; unique within the kind
  // The period after the decision in calendar months; 0 = none. Not used when permanent or
  // when the measure takes a probation.
  int period_months = 0;
  bool permanent = false;  // the period never ends (政务 开除)
  // The probation lengths a decision chooses from (留党察看: 12, 24); empty for other
  // measures. The chosen length is the period.
  std::vector<int> probation_months;
  bool needs_case = false;  // needs a filed case (立案): forms 2-4

  // True when the decision must choose a probation length (留党察看).
  bool probation() const { return !probation_months.empty(); }
};

// Returns the text of the shipped measure table (server/domain/measures_cn.toml), embedded
// at build time. The view refers to static storage and is valid for the program's lifetime.
std::string_view BuiltInMeasureText();

// An immutable table of measures in file order, looked up by code. Copyable; all const
// methods are thread-safe.
class MeasureTable {
 public:
  // Parses a table from TOML text in the format documented in measures_cn.toml. Returns
  // INVALID_ARGUMENT naming the entry ("measure[3] \"party-warning\"") and key at fault:
  // malformed TOML, an unknown or missing key, a value of the wrong type, a malformed or
  // duplicate code, an unknown kind, a form outside 1..4, a rank below 1 or repeated
  // within its kind, a heavier rank with a lighter form, a negative period, more than one
  // of period_months / permanent / probation_months, a non-positive probation length, or
  // no measures at all.
  static absl::StatusOr<MeasureTable> Parse(std::string_view toml_text);

  // Reads the file at path and parses it as Parse does. Returns NOT_FOUND when the file
  // cannot be opened and Parse's errors (prefixed with the path) otherwise.
  static absl::StatusOr<MeasureTable> LoadFile(const std::string& path);

  // Returns the table parsed from BuiltInMeasureText(), built once on first use. The
  // shipped file is verified by measures_test; a malformed embedded file aborts.
  // Thread-safe.
  static const MeasureTable& BuiltIn();

  // Returns the measure with this code, or nullptr. The pointer is valid while the table
  // lives.
  const Measure* Find(std::string_view code) const;

  // Returns every measure in file order.
  const std::vector<Measure>& measures() const { return measures_; }

 private:
  std::vector<Measure> measures_;
  std::map<std::string, size_t, std::less<>> by_code_;  // code -> index in measures_
};

// Returns the form (1..4) of a decision with these measures: the form of the heaviest.
// INVALID_ARGUMENT for an empty list or an unknown code (naming it and the known codes).
absl::StatusOr<int> DeriveForm(const MeasureTable& table, const std::vector<std::string>& codes);

// Checks that one decision on one person may impose these measures. probation_months is the
// probation chosen for 留党察看, 0 when none. Returns OK, or an error naming the rule broken:
// INVALID_ARGUMENT for no measure, an unknown or repeated code, 开除党籍 with a lighter
// party sanction, two party sanctions, two government sanctions, 留党察看 without a
// probation length it allows, or a probation without 留党察看; FAILED_PRECONDITION for a
// measure that needs a filed case (forms 2-4) when case_filed is false.
absl::Status CheckCombination(const MeasureTable& table, const std::vector<std::string>& codes,
                              bool case_filed, int probation_months);

// The period that follows a decision (影响期).
struct SanctionPeriod {
  int months = 0;          // 0 = none; meaningful only when !permanent
  bool permanent = false;  // never ends (政务 开除)

  bool operator==(const SanctionPeriod&) const = default;
};

// Returns measure's period in a decision that chose probation_months (used only when the
// measure takes a probation).
SanctionPeriod PeriodOf(const Measure& measure, int probation_months);

// Returns the longest period among the decision's measures: permanent if any is, else the
// most months (0 when none has a period). INVALID_ARGUMENT for an empty list or unknown code.
// Does not check the combination; call CheckCombination first.
absl::StatusOr<SanctionPeriod> LongestPeriod(const MeasureTable& table,
                                             const std::vector<std::string>& codes,
                                             int probation_months);

// Returns the last day of a period of months calendar months from decided (民法典 arts. 201,
// 203: the decision day is not counted; the period ends on the same day of the final month,
// or that month's last day when it has no such day: 2026-01-31 + 1 = 2026-02-28). months
// must be >= 0; 0 returns decided.
absl::CivilDay PeriodEnd(absl::CivilDay decided, int months);

// Returns the last day of period from decided; nullopt when the period is permanent.
std::optional<absl::CivilDay> PeriodEnd(absl::CivilDay decided, const SanctionPeriod& period);

// True when day lies inside period of a decision made on decided: decided <= day <=
// PeriodEnd(decided, period); for a permanent period every day from decided on; for a
// period of 0 months never.
bool InPeriod(absl::CivilDay decided, const SanctionPeriod& period, absl::CivilDay day);

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_MEASURES_H_
