#include "server/domain/calendar.h"

#include <toml++/toml.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace jijian::server::domain {
namespace {

constexpr std::string_view kYearsKey = "years";
constexpr std::string_view kHolidaysKey = "holidays";
constexpr std::string_view kWorkdaysKey = "workdays";
constexpr size_t kDateLength = 10;  // "YYYY-MM-DD"

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Value of the all-digit text s.
int DigitsValue(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool IsWeekend(absl::CivilDay d) {
  absl::Weekday w = absl::GetWeekday(d);
  return w == absl::Weekday::saturday || w == absl::Weekday::sunday;
}

const char* WeekdayName(absl::CivilDay d) {
  switch (absl::GetWeekday(d)) {
    case absl::Weekday::monday:
      return "Monday";
    case absl::Weekday::tuesday:
      return "Tuesday";
    case absl::Weekday::wednesday:
      return "Wednesday";
    case absl::Weekday::thursday:
      return "Thursday";
    case absl::Weekday::friday:
      return "Friday";
    case absl::Weekday::saturday:
      return "Saturday";
    case absl::Weekday::sunday:
      return "Sunday";
  }
  return "?";
}

// Parses one list ("holidays" or "workdays") of the table for year into out. path names the
// list in messages, e.g. "years.2026.holidays".
absl::Status ParseDateList(const toml::node& node, const std::string& path, absl::civil_year_t year,
                           std::set<absl::CivilDay>& out) {
  const toml::array* list = node.as_array();
  if (list == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": must be an array of \"YYYY-MM-DD\" strings"));
  }
  for (size_t i = 0; i < list->size(); ++i) {
    std::string item = absl::StrCat(path, "[", i, "]");
    std::optional<std::string> text = (*list)[i].value_exact<std::string>();
    if (!text.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(item, ": must be a string \"YYYY-MM-DD\" (quoted)"));
    }
    absl::StatusOr<absl::CivilDay> day = ParseDate(item, *text);
    if (!day.ok()) return day.status();
    if (day->year() != year) {
      return absl::InvalidArgumentError(absl::StrCat(item, ": ", *text, " is not in ", year,
                                                     "; each date belongs in the "
                                                     "table of its own year"));
    }
    out.insert(*day);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<absl::CivilDay> ParseDate(std::string_view field, std::string_view text) {
  const auto bad_form = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": must be a date YYYY-MM-DD"));
  };
  if (text.size() != kDateLength || text[4] != '-' || text[7] != '-') return bad_form();
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!IsDigit(text[i])) return bad_form();
  }
  int year = DigitsValue(text.substr(0, 4));
  int month = DigitsValue(text.substr(5, 2));
  int day = DigitsValue(text.substr(8, 2));
  absl::CivilDay d(year, month, day);
  if (year == 0 || d.year() != year || d.month() != month || d.day() != day) {
    return absl::InvalidArgumentError(
        absl::StrCat(std::string(field), ": is not a valid calendar date"));
  }
  return d;
}

std::string FormatDate(absl::CivilDay d) {
  char text[32];
  std::snprintf(text, sizeof(text), "%04lld-%02d-%02d", static_cast<long long>(d.year()), d.month(),
                d.day());
  return text;
}

absl::StatusOr<WorkCalendar> WorkCalendar::Parse(std::string_view toml_text) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(absl::StrCat("calendar: line ", e.source().begin.line,
                                                   ", column ", e.source().begin.column, ": ",
                                                   std::string(e.description())));
  }
  for (auto&& [key, value] : root) {
    if (key.str() != kYearsKey) {
      return absl::InvalidArgumentError(absl::StrCat(
          "calendar: unknown key \"", std::string(key.str()), "\"; expected [years.YYYY] tables"));
    }
  }
  const toml::table* years = root[kYearsKey].as_table();
  if (years == nullptr || years->empty()) {
    return absl::InvalidArgumentError(
        "calendar: no years defined; expected [years.YYYY] tables with holidays and workdays");
  }

  WorkCalendar calendar;
  for (auto&& [year_key, year_node] : *years) {
    std::string_view year_text = year_key.str();
    std::string path = absl::StrCat(std::string(kYearsKey), ".", std::string(year_text));
    bool four_digits = year_text.size() == 4;
    for (char c : year_text) four_digits = four_digits && IsDigit(c);
    if (!four_digits || DigitsValue(year_text) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": the year must be a four-digit number such as 2026"));
    }
    const absl::civil_year_t year = DigitsValue(year_text);
    const toml::table* table = year_node.as_table();
    if (table == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": must be a table with holidays and workdays"));
    }
    std::set<absl::CivilDay> holidays;
    std::set<absl::CivilDay> workdays;
    for (auto&& [key, value] : *table) {
      std::string list_path = absl::StrCat(path, ".", std::string(key.str()));
      absl::Status status;
      if (key.str() == kHolidaysKey) {
        status = ParseDateList(value, list_path, year, holidays);
      } else if (key.str() == kWorkdaysKey) {
        status = ParseDateList(value, list_path, year, workdays);
      } else {
        status = absl::InvalidArgumentError(
            absl::StrCat(list_path, ": unknown key; allowed: holidays, workdays"));
      }
      if (!status.ok()) return status;
    }
    for (absl::CivilDay d : workdays) {
      if (holidays.contains(d)) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": ", FormatDate(d), " is listed in both holidays and workdays"));
      }
      if (!IsWeekend(d)) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ".workdays: ", FormatDate(d), " is a ", WeekdayName(d),
                         "; a make-up workday must be a Saturday or Sunday"));
      }
    }
    calendar.years_.insert(year);
    calendar.holidays_.insert(holidays.begin(), holidays.end());
    calendar.workdays_.insert(workdays.begin(), workdays.end());
  }
  return calendar;
}

absl::StatusOr<WorkCalendar> WorkCalendar::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open calendar file"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat(path, ": read error"));
  }
  absl::StatusOr<WorkCalendar> calendar = Parse(text.str());
  if (!calendar.ok()) {
    return absl::Status(calendar.status().code(),
                        absl::StrCat(path, ": ", calendar.status().message()));
  }
  return calendar;
}

const WorkCalendar& WorkCalendar::BuiltIn() {
  static const WorkCalendar* const kBuiltIn = [] {
    absl::StatusOr<WorkCalendar> calendar = Parse(BuiltInCalendarText());
    if (!calendar.ok()) {
      std::fprintf(stderr, "embedded calendar_cn.toml is malformed: %s\n",
                   calendar.status().ToString().c_str());
      std::abort();
    }
    return new WorkCalendar(*std::move(calendar));
  }();
  return *kBuiltIn;
}

bool WorkCalendar::IsKnown(absl::CivilDay d) const { return years_.contains(d.year()); }

bool WorkCalendar::IsWorkingDay(absl::CivilDay d) const {
  if (workdays_.contains(d)) return true;
  if (holidays_.contains(d)) return false;
  return !IsWeekend(d);
}

WorkCalendar::Deadline WorkCalendar::AddWorkingDays(absl::CivilDay start, int n) const {
  Deadline deadline{start, false};
  if (n <= 0) {
    deadline.provisional = !IsKnown(start);
    return deadline;
  }
  absl::CivilDay d = start;
  for (int counted = 0; counted < n;) {
    ++d;
    if (!IsKnown(d)) deadline.provisional = true;
    if (IsWorkingDay(d)) ++counted;
  }
  deadline.due = d;
  return deadline;
}

int WorkCalendar::WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const {
  int count = 0;
  for (absl::CivilDay d = from + 1; d <= to; ++d) {
    if (IsWorkingDay(d)) ++count;
  }
  return count;
}

std::vector<int> WorkCalendar::LoadedYears() const {
  std::vector<int> years;
  for (absl::civil_year_t y : years_) years.push_back(static_cast<int>(y));
  return years;
}

}  // namespace jijian::server::domain
