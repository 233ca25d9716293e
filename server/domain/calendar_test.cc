#include "server/domain/calendar.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jijian::server::domain {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::CivilDay Day(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// DOMAIN.md §7, row by row: [first, last] ranges of days off and single make-up workdays.
struct Range {
  absl::CivilDay first;
  absl::CivilDay last;
};
const std::vector<Range>& PublishedHolidays() {
  static const auto* kRanges = new std::vector<Range>{
      // 2025
      {Day(2025, 1, 1), Day(2025, 1, 1)},
      {Day(2025, 1, 28), Day(2025, 2, 4)},
      {Day(2025, 4, 4), Day(2025, 4, 6)},
      {Day(2025, 5, 1), Day(2025, 5, 5)},
      {Day(2025, 5, 31), Day(2025, 6, 2)},
      {Day(2025, 10, 1), Day(2025, 10, 8)},
      // 2026
      {Day(2026, 1, 1), Day(2026, 1, 3)},
      {Day(2026, 2, 15), Day(2026, 2, 23)},
      {Day(2026, 4, 4), Day(2026, 4, 6)},
      {Day(2026, 5, 1), Day(2026, 5, 5)},
      {Day(2026, 6, 19), Day(2026, 6, 21)},
      {Day(2026, 9, 25), Day(2026, 9, 27)},
      {Day(2026, 10, 1), Day(2026, 10, 7)},
  };
  return *kRanges;
}
const std::vector<absl::CivilDay>& PublishedMakeUpDays() {
  static const auto* kDays = new std::vector<absl::CivilDay>{
      Day(2025, 1, 26),  Day(2025, 2, 8),  Day(2025, 4, 27),  Day(2025, 9, 28),
      Day(2025, 10, 11), Day(2026, 1, 4),  Day(2026, 2, 14),  Day(2026, 2, 28),
      Day(2026, 5, 9),   Day(2026, 9, 20), Day(2026, 10, 10),
  };
  return *kDays;
}

TEST(DateTest, ParseAndFormatStrictly) {
  absl::StatusOr<absl::CivilDay> d = ParseDate("due", "2026-02-28");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(*d, Day(2026, 2, 28));
  EXPECT_EQ(FormatDate(*d), "2026-02-28");
  EXPECT_EQ(FormatDate(Day(987, 1, 2)), "0987-01-02");
  EXPECT_TRUE(ParseDate("due", "2024-02-29").ok());

  EXPECT_EQ(ParseDate("due", "2026-2-28").status().message(), "due: must be a date YYYY-MM-DD");
  EXPECT_EQ(ParseDate("due", "2026/02/28").status().message(), "due: must be a date YYYY-MM-DD");
  EXPECT_EQ(ParseDate("due", " 2026-02-28").status().message(), "due: must be a date YYYY-MM-DD");
  EXPECT_EQ(ParseDate("due", "2026-02-2a").status().message(), "due: must be a date YYYY-MM-DD");
  EXPECT_EQ(ParseDate("due", "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseDate("due", "2026-02-29").status().message(), "due: is not a valid calendar date");
  EXPECT_EQ(ParseDate("due", "2026-13-01").status().message(), "due: is not a valid calendar date");
  EXPECT_EQ(ParseDate("due", "2026-00-10").status().message(), "due: is not a valid calendar date");
  EXPECT_EQ(ParseDate("due", "0000-01-01").status().message(), "due: is not a valid calendar date");
}

TEST(WorkCalendarTest, BuiltInHasPublishedYears) {
  const WorkCalendar& cal = WorkCalendar::BuiltIn();
  EXPECT_THAT(cal.LoadedYears(), ElementsAre(2025, 2026));
  EXPECT_THAT(std::string(BuiltInCalendarText()), HasSubstr("[years.2026]"));
  EXPECT_TRUE(cal.IsKnown(Day(2025, 1, 1)));
  EXPECT_TRUE(cal.IsKnown(Day(2026, 12, 31)));
  EXPECT_FALSE(cal.IsKnown(Day(2024, 12, 31)));
  EXPECT_FALSE(cal.IsKnown(Day(2027, 1, 1)));
}

TEST(WorkCalendarTest, BuiltInMatchesDomainTable) {
  const WorkCalendar& cal = WorkCalendar::BuiltIn();
  std::set<absl::CivilDay> off;
  for (const Range& r : PublishedHolidays()) {
    for (absl::CivilDay d = r.first; d <= r.last; ++d) {
      EXPECT_FALSE(cal.IsWorkingDay(d)) << FormatDate(d);
      off.insert(d);
    }
  }
  std::set<absl::CivilDay> make_up(PublishedMakeUpDays().begin(), PublishedMakeUpDays().end());
  for (absl::CivilDay d : make_up) EXPECT_TRUE(cal.IsWorkingDay(d)) << FormatDate(d);
  // Every other day of both years follows the weekday.
  for (absl::CivilDay d = Day(2025, 1, 1); d <= Day(2026, 12, 31); ++d) {
    if (off.contains(d) || make_up.contains(d)) continue;
    absl::Weekday w = absl::GetWeekday(d);
    bool weekend = w == absl::Weekday::saturday || w == absl::Weekday::sunday;
    EXPECT_EQ(cal.IsWorkingDay(d), !weekend) << FormatDate(d);
  }
}

TEST(WorkCalendarTest, SpringFestival2026) {
  // 15 working days after Tue 2026-02-10, counted by hand:
  //   Feb 11 Wed 1, Feb 12 Thu 2, Feb 13 Fri 3, Feb 14 Sat (make-up) 4,
  //   Feb 15 Sun - Feb 23 Mon off (春节),
  //   Feb 24 Tue 5, Feb 25 Wed 6, Feb 26 Thu 7, Feb 27 Fri 8, Feb 28 Sat (make-up) 9,
  //   Mar 1 Sun off, Mar 2 Mon 10, Mar 3 Tue 11, Mar 4 Wed 12, Mar 5 Thu 13, Mar 6 Fri 14,
  //   Mar 7-8 weekend, Mar 9 Mon 15.
  WorkCalendar::Deadline d = WorkCalendar::BuiltIn().AddWorkingDays(Day(2026, 2, 10), 15);
  EXPECT_EQ(d.due, Day(2026, 3, 9));
  EXPECT_FALSE(d.provisional);
  // Weekends only would give Mar 3; the holiday and make-up days must both be applied.
  EXPECT_EQ(WorkCalendar().AddWorkingDays(Day(2026, 2, 10), 15).due, Day(2026, 3, 3));
}

TEST(WorkCalendarTest, NationalDay2025) {
  const WorkCalendar& cal = WorkCalendar::BuiltIn();
  // After Fri 2025-09-26: Sep 27 Sat off, Sep 28 Sun (make-up) 1, Sep 29 Mon 2, Sep 30 Tue 3,
  // Oct 1-8 off, Oct 9 Thu 4, Oct 10 Fri 5.
  EXPECT_EQ(cal.AddWorkingDays(Day(2025, 9, 26), 5).due, Day(2025, 10, 10));
  // After Mon 2025-09-29: Sep 30 Tue 1, Oct 1-8 off, Oct 9 Thu 2, Oct 10 Fri 3,
  // Oct 11 Sat (make-up) 4, Oct 12 Sun off, Oct 13 Mon 5.
  WorkCalendar::Deadline d = cal.AddWorkingDays(Day(2025, 9, 29), 5);
  EXPECT_EQ(d.due, Day(2025, 10, 13));
  EXPECT_FALSE(d.provisional);
}

TEST(WorkCalendarTest, MakeUpSundayCounts) {
  const WorkCalendar& cal = WorkCalendar::BuiltIn();
  EXPECT_TRUE(cal.IsWorkingDay(Day(2026, 1, 4)));    // Sunday, 调休上班
  EXPECT_FALSE(cal.IsWorkingDay(Day(2026, 1, 11)));  // an ordinary Sunday
  EXPECT_FALSE(cal.IsWorkingDay(Day(2026, 1, 2)));   // Friday, 元旦
  // The first working day after Sat 2026-01-03 (a holiday) is Sun 2026-01-04.
  EXPECT_EQ(cal.AddWorkingDays(Day(2026, 1, 3), 1).due, Day(2026, 1, 4));
  // After Wed 2025-12-31: Jan 1-3 (Thu-Sat) holiday, Jan 4 Sun (make-up) 1, Jan 5 Mon 2.
  EXPECT_EQ(cal.AddWorkingDays(Day(2025, 12, 31), 1).due, Day(2026, 1, 4));
  EXPECT_EQ(cal.AddWorkingDays(Day(2025, 12, 31), 2).due, Day(2026, 1, 5));
}

TEST(WorkCalendarTest, UnloadedYearIsWeekendsOnlyAndProvisional) {
  const WorkCalendar& cal = WorkCalendar::BuiltIn();
  // After Mon 2026-12-28: Dec 29 Tue 1, Dec 30 Wed 2, Dec 31 Thu 3 (all in loaded 2026).
  WorkCalendar::Deadline in_year = cal.AddWorkingDays(Day(2026, 12, 28), 3);
  EXPECT_EQ(in_year.due, Day(2026, 12, 31));
  EXPECT_FALSE(in_year.provisional);
  // Continuing into 2027 (not loaded): Fri 2027-01-01 counts as 4 (weekends only), Jan 2-3
  // weekend, Mon Jan 4 is 5.
  WorkCalendar::Deadline next_year = cal.AddWorkingDays(Day(2026, 12, 28), 5);
  EXPECT_EQ(next_year.due, Day(2027, 1, 4));
  EXPECT_TRUE(next_year.provisional);
  // A walk that passes through an unloaded year is provisional even when it ends in a
  // loaded one: after Mon 2024-12-30, Dec 31 Tue 1, Jan 1 holiday, Jan 2 Thu 2.
  WorkCalendar::Deadline through = cal.AddWorkingDays(Day(2024, 12, 30), 2);
  EXPECT_EQ(through.due, Day(2025, 1, 2));
  EXPECT_TRUE(through.provisional);
  // The start itself is not walked: starting on the last day of 2024 is exact.
  WorkCalendar::Deadline from_edge = cal.AddWorkingDays(Day(2024, 12, 31), 1);
  EXPECT_EQ(from_edge.due, Day(2025, 1, 2));
  EXPECT_FALSE(from_edge.provisional);
  EXPECT_TRUE(cal.IsWorkingDay(Day(2027, 1, 1)));
  EXPECT_FALSE(cal.IsWorkingDay(Day(2027, 1, 2)));
}

TEST(WorkCalendarTest, NonPositiveCountReturnsStart) {
  const WorkCalendar& cal = WorkCalendar::BuiltIn();
  WorkCalendar::Deadline d = cal.AddWorkingDays(Day(2026, 5, 1), 0);
  EXPECT_EQ(d.due, Day(2026, 5, 1));
  EXPECT_FALSE(d.provisional);
  EXPECT_TRUE(cal.AddWorkingDays(Day(2030, 5, 1), -1).provisional);
}

TEST(WorkCalendarTest, WorkingDaysBetween) {
  const WorkCalendar& cal = WorkCalendar::BuiltIn();
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2026, 3, 9), Day(2026, 3, 9)), 0);
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2026, 3, 9), Day(2026, 2, 10)), 0);
  // Late by: due Fri 2026-09-18, done Mon 2026-09-21 is 2 (Sun Sep 20 is a make-up day).
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2026, 9, 18), Day(2026, 9, 21)), 2);
  EXPECT_EQ(cal.WorkingDaysBetween(Day(2026, 2, 10), Day(2026, 3, 9)), 15);
}

TEST(WorkCalendarTest, WorkingDaysBetweenInvertsAddWorkingDays) {
  const WorkCalendar& cal = WorkCalendar::BuiltIn();
  for (absl::CivilDay start = Day(2024, 12, 1); start <= Day(2027, 1, 31); ++start) {
    for (int n = 1; n <= 30; ++n) {
      absl::CivilDay due = cal.AddWorkingDays(start, n).due;
      ASSERT_EQ(cal.WorkingDaysBetween(start, due), n) << FormatDate(start) << " + " << n;
      ASSERT_TRUE(cal.IsWorkingDay(due)) << FormatDate(start) << " + " << n;
      ASSERT_EQ(cal.WorkingDaysBetween(start, due - 1), n - 1) << FormatDate(start) << " + " << n;
    }
  }
}

TEST(WorkCalendarTest, ParseCustomCalendar) {
  absl::StatusOr<WorkCalendar> cal = WorkCalendar::Parse(R"(
[years.2030]
holidays = ["2030-01-01", "2030-01-05"]  # Tuesday; and a Saturday, which is allowed
workdays = ["2030-01-06"]                # Sunday
)");
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_THAT(cal->LoadedYears(), ElementsAre(2030));
  EXPECT_FALSE(cal->IsWorkingDay(Day(2030, 1, 1)));
  EXPECT_TRUE(cal->IsWorkingDay(Day(2030, 1, 6)));
  // After Mon 2029-12-31 (not loaded): Jan 1 off, Jan 2 Wed 1, Jan 3 Thu 2.
  WorkCalendar::Deadline d = cal->AddWorkingDays(Day(2029, 12, 31), 2);
  EXPECT_EQ(d.due, Day(2030, 1, 3));
  EXPECT_FALSE(d.provisional);
  // A year with no lists is loaded and follows the weekdays.
  absl::StatusOr<WorkCalendar> empty_year = WorkCalendar::Parse("[years.2031]\n");
  ASSERT_TRUE(empty_year.ok()) << empty_year.status();
  EXPECT_TRUE(empty_year->IsKnown(Day(2031, 6, 1)));
}

// Parses text and returns the error message (empty when it parsed).
std::string ParseError(const std::string& text) {
  absl::StatusOr<WorkCalendar> cal = WorkCalendar::Parse(text);
  if (cal.ok()) return "";
  EXPECT_EQ(cal.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(cal.status().message());
}

TEST(WorkCalendarTest, ParseErrorsNameTheFault) {
  EXPECT_EQ(ParseError("[years.2026]\nholidays = [\"2026-01-01\", \"2026-02-30\"]\n"),
            "years.2026.holidays[1]: is not a valid calendar date");
  EXPECT_EQ(ParseError("[years.2026]\nworkdays = [\"2026-2-14\"]\n"),
            "years.2026.workdays[0]: must be a date YYYY-MM-DD");
  EXPECT_EQ(ParseError("[years.2026]\nholidays = [\"2025-12-31\"]\n"),
            "years.2026.holidays[0]: 2025-12-31 is not in 2026; each date belongs in the table "
            "of its own year");
  EXPECT_EQ(ParseError("[years.2026]\nholidays = [\"2026-02-14\"]\nworkdays = [\"2026-02-14\"]\n"),
            "years.2026: 2026-02-14 is listed in both holidays and workdays");
  EXPECT_EQ(ParseError("[years.2026]\nworkdays = [\"2026-02-13\"]\n"),
            "years.2026.workdays: 2026-02-13 is a Friday; a make-up workday must be a Saturday "
            "or Sunday");
  EXPECT_EQ(ParseError("[years.2026]\nholiday = [\"2026-01-01\"]\n"),
            "years.2026.holiday: unknown key; allowed: holidays, workdays");
  EXPECT_EQ(ParseError("[years.26]\nholidays = []\n"),
            "years.26: the year must be a four-digit number such as 2026");
  EXPECT_EQ(ParseError("[years.2026]\nholidays = [2026-01-01]\n"),
            "years.2026.holidays[0]: must be a string \"YYYY-MM-DD\" (quoted)");
  EXPECT_EQ(ParseError("[years.2026]\nholidays = \"2026-01-01\"\n"),
            "years.2026.holidays: must be an array of \"YYYY-MM-DD\" strings");
  EXPECT_EQ(ParseError("years = 2026\n"),
            "calendar: no years defined; expected [years.YYYY] tables with holidays and workdays");
  EXPECT_EQ(ParseError(""),
            "calendar: no years defined; expected [years.YYYY] tables with holidays and workdays");
  EXPECT_EQ(ParseError("[year.2026]\n"),
            "calendar: unknown key \"year\"; expected [years.YYYY] tables");
  EXPECT_THAT(ParseError("[years.2026\n"), HasSubstr("calendar: line 1"));
  // A holiday on a weekend is fine.
  EXPECT_EQ(ParseError("[years.2026]\nholidays = [\"2026-01-03\"]\n"), "");
}

TEST(WorkCalendarTest, LoadFile) {
  std::string path = testing::TempDir() + "/calendar_test.toml";
  {
    std::ofstream out(path);
    out << "[years.2032]\nholidays = [\"2032-01-01\"]\n";
  }
  absl::StatusOr<WorkCalendar> cal = WorkCalendar::LoadFile(path);
  ASSERT_TRUE(cal.ok()) << cal.status();
  EXPECT_THAT(cal->LoadedYears(), ElementsAre(2032));
  EXPECT_FALSE(cal->IsWorkingDay(Day(2032, 1, 1)));
  {
    std::ofstream out(path);
    out << "[years.2032]\nholidays = [\"2031-01-01\"]\n";
  }
  EXPECT_THAT(WorkCalendar::LoadFile(path).status().message(),
              HasSubstr(path + ": years.2032.holidays[0]"));
  EXPECT_EQ(WorkCalendar::LoadFile(path + ".missing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace jijian::server::domain
