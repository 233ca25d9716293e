// Working-day calendar (DOMAIN.md §7): deadlines in working days skip weekends and public
// holidays and count make-up working days (调休上班). The schedule is data, a TOML file the
// deployment extends each year; the shipped file (calendar_cn.toml) is compiled in.
#ifndef JIJIAN_SERVER_DOMAIN_CALENDAR_H_
#define JIJIAN_SERVER_DOMAIN_CALENDAR_H_

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace jijian::server::domain {

// Parses a date written strictly as "YYYY-MM-DD" (four-digit year, two-digit month and day,
// a real calendar date). On failure returns INVALID_ARGUMENT naming field; the text itself is
// not echoed.
absl::StatusOr<absl::CivilDay> ParseDate(std::string_view field, std::string_view text);

// Formats d as "YYYY-MM-DD".
std::string FormatDate(absl::CivilDay d);

// Returns the text of the shipped calendar file (server/domain/calendar_cn.toml), embedded
// at build time. The view refers to static storage and is valid for the program's lifetime.
std::string_view BuiltInCalendarText();

// An immutable working-day calendar: for each loaded year, the public holidays (days off,
// including bridging days) and the make-up working days on weekends. Days of years that are
// not loaded are treated by weekday alone (Monday to Friday work). Copyable; all const
// methods are thread-safe.
class WorkCalendar {
 public:
  // The result of counting working days forward from a date.
  struct Deadline {
    // The date the deadline falls on.
    absl::CivilDay due;
    // True when any day counted (start excluded, due included) lies in a year that is not
    // loaded, so the date may move once that year's schedule is published.
    bool provisional = false;
  };

  // Parses a calendar from TOML text in the format documented in calendar_cn.toml. Returns
  // INVALID_ARGUMENT naming the year, key and date at fault: malformed TOML, an unknown key,
  // a year that is not a four-digit number, a malformed date, a date outside its year's
  // table, a date listed as both holiday and workday, or a workday that is not a Saturday or
  // Sunday. Holidays on weekends are allowed.
  static absl::StatusOr<WorkCalendar> Parse(std::string_view toml_text);

  // Reads the file at path and parses it as Parse does. Returns NOT_FOUND when the file
  // cannot be opened and Parse's errors (prefixed with the path) otherwise.
  static absl::StatusOr<WorkCalendar> LoadFile(const std::string& path);

  // Returns the calendar parsed from BuiltInCalendarText(), built once on first use. The
  // shipped file is verified by calendar_test; a malformed embedded file aborts. Thread-safe.
  static const WorkCalendar& BuiltIn();

  // Returns an empty calendar: no year loaded, weekends only, every deadline provisional.
  WorkCalendar() = default;

  // True when d is a working day: a make-up workday, or a Monday to Friday that is not a
  // holiday. For years not loaded, Monday to Friday.
  bool IsWorkingDay(absl::CivilDay d) const;

  // True when the year of d is loaded, so IsWorkingDay(d) is exact.
  bool IsKnown(absl::CivilDay d) const;

  // Returns the n-th working day after start (start itself is not counted). Requires
  // n >= 1; for n <= 0 returns start, provisional when start's year is not loaded.
  Deadline AddWorkingDays(absl::CivilDay start, int n) const;

  // Returns the number of working days d with from < d <= to; 0 when to <= from. For
  // n >= 1, WorkingDaysBetween(start, AddWorkingDays(start, n).due) == n.
  int WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const;

  // Returns the loaded years in ascending order.
  std::vector<int> LoadedYears() const;

 private:
  std::set<absl::civil_year_t> years_;
  std::set<absl::CivilDay> holidays_;
  std::set<absl::CivilDay> workdays_;
};

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_CALENDAR_H_
