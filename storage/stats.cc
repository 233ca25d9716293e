#include "storage/stats.h"

#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "storage/petitions.h"

namespace jijian::storage {
namespace {

// "YYYY-MM" of a date column, for monthly trends.
std::string MonthOf(const std::string& column) { return "substr(" + column + ", 1, 7)"; }

absl::StatusOr<std::vector<KeyCount>> CollectKeyCounts(Db& db, const std::string& sql,
                                                       const std::string& from,
                                                       const std::string& to,
                                                       const std::string& unit) {
  absl::StatusOr<Stmt> q = db.Prepare(sql);
  if (!q.ok()) return q.status();
  q->Bind(from, to, unit);
  return q->Collect<KeyCount>([](const Stmt& s) {
    return KeyCount{s.Text(0), s.Text(1), s.Int(2)};
  });
}

// Leads with a subject of unit ?3 (or every lead when ?3 is empty); l is the lead's alias.
constexpr char kLeadOfUnit[] =
    "(?3 = '' OR EXISTS (SELECT 1 FROM lead_subjects s WHERE s.petition_id = l.id "
    "                    AND s.unit = ?3))";

// The counter rows of unit ?3 (every unit when '') and grain ?4 from period ?1 to period ?2:
// one range of each counter table's primary key.
constexpr char kCountersOfSpan[] =
    " WHERE unit = ?3 AND grain = ?4 AND period >= ?1 AND period <= ?2 ";

// Counter rows of one grain, periods from..to.
struct CounterRange {
  const char* grain;
  std::string from, to;
};

// The days [from, to] as counter ranges: the whole months in it as month rows, the days of the
// months it covers only in part as day rows (fewer than two months of days in all).
std::vector<CounterRange> CounterRanges(const std::string& from, const std::string& to) {
  absl::CivilDay first, last;
  if (!absl::ParseCivilTime(from, &first) || !absl::ParseCivilTime(to, &last) || last < first) {
    return {{"day", from, to}};
  }
  const absl::CivilMonth first_month(first), last_month(last);
  const absl::CivilMonth whole_from =
      absl::CivilDay(first_month) == first ? first_month : first_month + 1;
  const absl::CivilMonth whole_to =
      absl::CivilDay(last_month + 1) - 1 == last ? last_month : last_month - 1;
  if (whole_to < whole_from) return {{"day", from, to}};
  std::vector<CounterRange> out;
  if (first < absl::CivilDay(whole_from)) {
    out.push_back({"day", from, absl::FormatCivilTime(absl::CivilDay(whole_from) - 1)});
  }
  out.push_back({"month", absl::FormatCivilTime(whole_from), absl::FormatCivilTime(whole_to)});
  if (absl::CivilDay(whole_to + 1) <= last) {
    out.push_back({"day", absl::FormatCivilTime(absl::CivilDay(whole_to + 1)), to});
  }
  return out;
}

// Runs sql, grouped by month, over the counter ranges of [from, to] (parameters ?1..?4 as in
// kCountersOfSpan) and collects make(row) of every range. The ranges hold different months.
template <typename T, typename F>
absl::StatusOr<std::vector<T>> CollectCounters(Db& db, const std::string& sql,
                                               const std::string& from, const std::string& to,
                                               const std::string& unit, F make) {
  absl::StatusOr<Stmt> q = db.Prepare(sql);
  if (!q.ok()) return q.status();
  std::vector<T> out;
  for (const CounterRange& r : CounterRanges(from, to)) {
    q->Bind(r.from, r.to, unit, r.grain);
    absl::StatusOr<std::vector<T>> rows = q->template Collect<T>(make);
    if (!rows.ok()) return rows.status();
    out.insert(out.end(), rows->begin(), rows->end());
  }
  return out;
}

KeyCount KeyCountOf(const Stmt& s) { return KeyCount{s.Text(0), s.Text(1), s.Int(2)}; }

}  // namespace

absl::StatusOr<std::vector<DispositionGroup>> CountDispositions(Db& db, const std::string& from,
                                                                const std::string& to,
                                                                const std::string& unit,
                                                                StatsSource source) {
  auto make = [](const Stmt& s) {
    return DispositionGroup{s.Text(0), s.Int(1), s.Text(2), s.Int(3) == 1, s.Int(4) == 1, s.Int(5)};
  };
  if (source == StatsSource::kCounters) {
    return CollectCounters<DispositionGroup>(
        db,
        absl::StrCat("SELECT ", MonthOf("period"),
                     " AS month, form, measures, party, government, SUM(n) FROM stats_dispositions",
                     kCountersOfSpan,
                     "GROUP BY month, form, measures, party, government HAVING SUM(n) != 0"),
        from, to, unit, make);
  }
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat(
      "SELECT ", MonthOf("decided_date"),
      " AS month, form, measures, party, government, COUNT(*) FROM dispositions "
      "WHERE state = 'DISPOSITION_APPROVED' AND decided_date >= ?1 AND decided_date <= ?2 "
      "AND (?3 = '' OR unit = ?3) GROUP BY month, form, measures, party, government"));
  if (!q.ok()) return q.status();
  q->Bind(from, to, unit);
  return q->Collect<DispositionGroup>(make);
}

absl::StatusOr<std::vector<PetitionGroup>> CountPetitions(Db& db, const std::string& from,
                                                          const std::string& to,
                                                          const std::string& unit,
                                                          StatsSource source) {
  auto make = [](const Stmt& s) {
    return PetitionGroup{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4) == 1, s.Int(5)};
  };
  if (source == StatsSource::kCounters) {
    return CollectCounters<PetitionGroup>(
        db,
        absl::StrCat("SELECT ", MonthOf("period"),
                     " AS month, channel, category, mode, anonymous, SUM(n) FROM stats_petitions",
                     kCountersOfSpan,
                     "GROUP BY month, channel, category, mode, anonymous HAVING SUM(n) != 0"),
        from, to, unit, make);
  }
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat(
      "SELECT ", MonthOf("received_date"),
      " AS month, channel, category, decision_mode, anonymous, COUNT(*) FROM petitions p "
      "WHERE received_date >= ?1 AND received_date <= ?2 "
      "AND (?3 = '' OR EXISTS (SELECT 1 FROM petition_subjects s "
      "                        WHERE s.petition_id = p.id AND s.unit = ?3)) "
      "GROUP BY month, channel, category, decision_mode, anonymous"));
  if (!q.ok()) return q.status();
  q->Bind(from, to, unit);
  return q->Collect<PetitionGroup>(make);
}

bool IsCountedDeadline(const std::string& name) {
  return name == "acceptance_notice" || name == "result_feedback";
}

absl::StatusOr<DeadlineCounts> CountPetitionDeadlines(
    Db& db, const std::string& name, const std::string& from, const std::string& to,
    const std::string& unit, const std::string& today, StatsSource source) {
  // A deadline counts once it was met or its day has passed; it is on time when met on or
  // before its due date.
  if (source == StatsSource::kCounters) {
    absl::StatusOr<Stmt> q = db.Prepare(
        absl::StrCat("SELECT COALESCE(SUM(n), 0), COALESCE(SUM(on_time), 0) "
                     "FROM stats_petition_deadlines",
                     kCountersOfSpan, "AND name = ?5 AND (open_due = '' OR open_due < ?6)"));
    if (!q.ok()) return q.status();
    DeadlineCounts total;
    for (const CounterRange& r : CounterRanges(from, to)) {
      q->Bind(r.from, r.to, unit, r.grain, name, today);
      absl::StatusOr<bool> row = q->Step();
      if (!row.ok()) return row.status();
      total.due += q->Int(0);
      total.on_time += q->Int(1);
    }
    return total;
  }
  absl::StatusOr<Stmt> q = db.Prepare(
      "SELECT COUNT(*), COALESCE(SUM(d.met_date != '' AND d.met_date <= d.due_date), 0) "
      "FROM petitions p JOIN deadlines d ON d.object_id = p.id AND d.name = ?1 "
      "WHERE p.received_date >= ?2 AND p.received_date <= ?3 "
      "AND (d.met_date != '' OR d.due_date < ?5) "
      "AND (?4 = '' OR EXISTS (SELECT 1 FROM petition_subjects s "
      "                        WHERE s.petition_id = p.id AND s.unit = ?4))");
  if (!q.ok()) return q.status();
  q->Bind(name, from, to, unit, today);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  return DeadlineCounts{q->Int(0), q->Int(1)};
}

absl::StatusOr<std::vector<KeyCount>> CountLeads(Db& db, const std::string& from,
                                                 const std::string& to, const std::string& unit,
                                                 StatsSource source) {
  if (source == StatsSource::kCounters) {
    return CollectCounters<KeyCount>(
        db,
        absl::StrCat("SELECT ", MonthOf("period"), " AS month, source, SUM(n) FROM stats_leads",
                     kCountersOfSpan, "GROUP BY month, source HAVING SUM(n) != 0"),
        from, to, unit, KeyCountOf);
  }
  return CollectKeyCounts(
      db,
      absl::StrCat("SELECT ", MonthOf("registered_date"), " AS month, source, COUNT(*) ",
                   "FROM leads l WHERE registered_date >= ?1 AND registered_date <= ?2 AND ",
                   kLeadOfUnit, " GROUP BY month, source"),
      from, to, unit);
}

absl::StatusOr<std::vector<KeyCount>> CountLeadDisposals(Db& db, const std::string& from,
                                                         const std::string& to,
                                                         const std::string& unit,
                                                         StatsSource source) {
  if (source == StatsSource::kCounters) {
    return CollectCounters<KeyCount>(
        db,
        absl::StrCat("SELECT ", MonthOf("period"),
                     " AS month, kind, SUM(n) FROM stats_lead_disposals", kCountersOfSpan,
                     "GROUP BY month, kind HAVING SUM(n) != 0"),
        from, to, unit, KeyCountOf);
  }
  return CollectKeyCounts(
      db,
      absl::StrCat("SELECT ", MonthOf("p.date"), " AS month, p.kind, COUNT(*) ",
                   "FROM lead_proposals p JOIN leads l ON l.id = p.lead_id ",
                   "WHERE p.outcome = 'approved' AND p.date >= ?1 AND p.date <= ?2 AND ",
                   kLeadOfUnit, " GROUP BY month, p.kind"),
      from, to, unit);
}

absl::StatusOr<std::vector<KeyCount>> CountCases(Db& db, const std::string& from,
                                                 const std::string& to, const std::string& unit,
                                                 StatsSource source) {
  if (source == StatsSource::kCounters) {
    return CollectCounters<KeyCount>(
        db,
        absl::StrCat("SELECT ", MonthOf("period"), " AS month, kind, SUM(n) FROM stats_cases",
                     kCountersOfSpan, "GROUP BY month, kind HAVING SUM(n) != 0"),
        from, to, unit, KeyCountOf);
  }
  const std::string of_unit =
      "(?3 = '' OR EXISTS (SELECT 1 FROM lead_subjects s WHERE s.petition_id = c.lead_id "
      "                    AND s.unit = ?3))";
  return CollectKeyCounts(
      db,
      absl::StrCat("SELECT ", MonthOf("filed_date"), " AS month, 'filed', COUNT(*) FROM cases c ",
                   "WHERE filed_date >= ?1 AND filed_date <= ?2 AND ", of_unit,
                   " GROUP BY month UNION ALL SELECT ", MonthOf("closed_date"),
                   " AS month, 'closed', COUNT(*) FROM cases c ",
                   "WHERE closed_date >= ?1 AND closed_date <= ?2 AND ", of_unit,
                   " GROUP BY month"),
      from, to, unit);
}

namespace {

// A counter table: its key columns and its count columns, and the statements that add to one
// counter (keys, then counts) and delete it once it is zero (keys).
struct CounterTable {
  CounterTable(const char* table, std::vector<const char*> key_columns,
               std::vector<const char*> count_columns)
      : name(table), keys(std::move(key_columns)), counts(std::move(count_columns)) {
    std::vector<std::string> params, updates, matches;
    for (size_t i = 0; i < keys.size() + counts.size(); ++i) params.push_back("?");
    for (const char* c : counts) updates.push_back(absl::StrCat(c, " = ", c, " + excluded.", c));
    for (const char* k : keys) matches.push_back(absl::StrCat(k, " = ?"));
    add = absl::StrCat("INSERT INTO ", name, "(", absl::StrJoin(keys, ", "), ", ",
                       absl::StrJoin(counts, ", "), ") VALUES (", absl::StrJoin(params, ", "),
                       ") ON CONFLICT(", absl::StrJoin(keys, ", "), ") DO UPDATE SET ",
                       absl::StrJoin(updates, ", "));
    drop = absl::StrCat("DELETE FROM ", name, " WHERE ", absl::StrJoin(matches, " AND "),
                        " AND n = 0");
  }
  std::string name;
  std::vector<const char*> keys;
  std::vector<const char*> counts;
  std::string add, drop;
};

const std::vector<CounterTable>& CounterTables() {
  static const std::vector<CounterTable> kTables = {
      {"stats_dispositions",
       {"unit", "grain", "period", "form", "measures", "party", "government"},
       {"n"}},
      {"stats_petitions",
       {"unit", "grain", "period", "channel", "category", "mode", "anonymous"},
       {"n"}},
      {"stats_petition_deadlines",
       {"unit", "name", "grain", "period", "open_due"},
       {"n", "on_time"}},
      {"stats_leads", {"unit", "grain", "period", "source"}, {"n"}},
      {"stats_lead_disposals", {"unit", "grain", "period", "kind"}, {"n"}},
      {"stats_cases", {"unit", "grain", "period", "kind"}, {"n"}},
  };
  return kTables;
}

}  // namespace

namespace {

// One row of a counter table or of its recount: the key values as text, and the counts.
struct CounterRow {
  std::vector<std::string> key;
  std::vector<int64_t> counts;
};

// The next row of q (selected as CheckStatsCounters does), or nullopt at the end.
absl::StatusOr<std::optional<CounterRow>> NextCounterRow(Stmt& q, const CounterTable& t) {
  absl::StatusOr<bool> row = q.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  CounterRow out;
  int col = 0;
  for (size_t i = 0; i < t.keys.size(); ++i) out.key.push_back(q.Text(col++));
  for (size_t i = 0; i < t.counts.size(); ++i) out.counts.push_back(q.Int(col++));
  return out;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> CheckStatsCounters(Db& db, size_t max_listed) {
  std::vector<std::string> problems;
  for (const CounterTable& t : CounterTables()) {
    // Both sides in the same order of their keys (as text, compared bytewise, as std::string
    // compares), merged in one pass: a sort of each side, never a join of one against the
    // other, which at national size would not finish. Counter rows whose counts are all zero
    // are the same as no row.
    std::vector<std::string> selected, nonzero, order;
    for (const char* k : t.keys) {
      selected.push_back(absl::StrCat("CAST(", k, " AS TEXT)"));
      order.push_back(std::to_string(selected.size()));
    }
    for (const char* n : t.counts) {
      selected.push_back(n);
      nonzero.push_back(absl::StrCat(n, " != 0"));
    }
    auto side = [&](const std::string& from) -> absl::StatusOr<Stmt> {
      absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat(
          "SELECT ", absl::StrJoin(selected, ", "), " FROM ", from, " WHERE ",
          absl::StrJoin(nonzero, " OR "), " ORDER BY ", absl::StrJoin(order, ", ")));
      if (q.ok()) q->Bind();
      return q;
    };
    absl::StatusOr<Stmt> counters_q = side(t.name);
    if (!counters_q.ok()) return counters_q.status();
    absl::StatusOr<Stmt> rows_q = side(absl::StrCat(t.name, "_recount"));
    if (!rows_q.ok()) return rows_q.status();
    absl::StatusOr<std::optional<CounterRow>> counter = NextCounterRow(*counters_q, t);
    absl::StatusOr<std::optional<CounterRow>> row = NextCounterRow(*rows_q, t);
    const std::vector<int64_t> none(t.counts.size(), 0);
    while (true) {
      if (!counter.ok()) return counter.status();
      if (!row.ok()) return row.status();
      if (!counter->has_value() && !row->has_value()) break;
      const bool take_counter = counter->has_value() && (!row->has_value() || (*counter)->key <= (*row)->key);
      const bool take_row = row->has_value() && (!counter->has_value() || (*row)->key <= (*counter)->key);
      const std::vector<std::string>& key = take_counter ? (*counter)->key : (*row)->key;
      const std::vector<int64_t>& held = take_counter ? (*counter)->counts : none;
      const std::vector<int64_t>& counted = take_row ? (*row)->counts : none;
      if (held != counted) {
        if (problems.size() == max_listed) {
          problems.push_back("... and more counter rows that differ");
          return problems;
        }
        std::vector<std::string> named_key, held_text, counted_text;
        for (size_t i = 0; i < key.size(); ++i) {
          named_key.push_back(absl::StrCat(t.keys[i], "='", key[i], "'"));
        }
        for (size_t i = 0; i < t.counts.size(); ++i) {
          held_text.push_back(absl::StrCat(t.counts[i], "=", held[i]));
          counted_text.push_back(absl::StrCat(t.counts[i], "=", counted[i]));
        }
        problems.push_back(absl::StrCat(t.name, " (", absl::StrJoin(named_key, " "),
                                        "): the counters hold ", absl::StrJoin(held_text, " "),
                                        ", the rows give ", absl::StrJoin(counted_text, " ")));
      }
      if (take_counter) counter = NextCounterRow(*counters_q, t);
      if (take_row) row = NextCounterRow(*rows_q, t);
    }
  }
  return problems;
}

namespace {

// The grains of counter rows, and the period of a date (YYYY-MM-DD) in each.
struct Grain {
  const char* name;
  size_t period_chars;
};
constexpr Grain kGrains[] = {{"day", 10}, {"month", 7}};

// The counter table named name (one of CounterTables()).
const CounterTable& Table(std::string_view name) {
  const std::vector<CounterTable>& tables = CounterTables();
  return *std::find_if(tables.begin(), tables.end(),
                       [&](const CounterTable& t) { return t.name == name; });
}

// A counter row's key value: integers stay integers, everything else is text.
template <typename T>
SqlValue KeyValueOf(const T& v) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<int64_t>(v);
  } else {
    return std::string(v);
  }
}

// Adds n (and on_time, for a table that counts it) to the counter of table t whose key
// columns hold key, in order. The change is kept with the mutation's transaction and written
// with its batch (CounterDeltas), where a counter that falls to zero is deleted.
template <typename... Key>
absl::Status Bump(WriteTxn& txn, const CounterTable& t, const std::tuple<Key...>& key, int64_t n,
                  int64_t on_time = 0) {
  std::vector<SqlValue> values;
  values.reserve(sizeof...(Key));
  std::apply([&](const auto&... k) { (values.push_back(KeyValueOf(k)), ...); }, key);
  txn.counters().Add({&t.add, &t.drop, t.counts.size() == 2}, std::move(values), n, on_time);
  return absl::OkStatus();
}

// The units an object counts under: '' and each distinct unit of its subjects (rows of
// subjects_table), or only unit when it is not empty.
absl::StatusOr<std::vector<std::string>> UnitsOf(Db& db, std::string_view subjects_table,
                                                 const std::string& object_id,
                                                 const std::string& unit) {
  if (!unit.empty()) return std::vector<std::string>{unit};
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat("SELECT unit FROM ", std::string(subjects_table),
                                                   " WHERE petition_id = ? AND unit != ''"));
  if (!q.ok()) return q.status();
  q->Bind(object_id);
  absl::StatusOr<std::vector<std::string>> units =
      q->Collect<std::string>([](const Stmt& s) { return s.Text(0); });
  if (!units.ok()) return units.status();
  units->push_back("");
  std::sort(units->begin(), units->end());
  units->erase(std::unique(units->begin(), units->end()), units->end());
  return units;
}

}  // namespace

absl::Status AdjustPetitionStats(WriteTxn& txn, const std::string& petition_id, int delta,
                                 const std::string& unit) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "SELECT received_date, channel, category, decision_mode, anonymous FROM petitions "
      "WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(petition_id);
  absl::StatusOr<bool> found = q->Step();
  if (!found.ok() || !*found) return found.status();
  const std::string received = q->Text(0), channel = q->Text(1), category = q->Text(2),
                    mode = q->Text(3);
  const int64_t anonymous = q->Int(4);
  absl::StatusOr<std::vector<std::string>> units =
      UnitsOf(txn.db(), kPetitionSubjects, petition_id, unit);
  if (!units.ok()) return units.status();
  for (const std::string& u : *units) {
    for (const Grain& g : kGrains) {
      if (absl::Status st = Bump(txn, Table("stats_petitions"),
                                 std::make_tuple(u, g.name, received.substr(0, g.period_chars),
                                                 channel, category, mode, anonymous),
                                 delta);
          !st.ok())
        return st;
    }
  }
  return absl::OkStatus();
}

absl::Status AdjustDeadlineStats(WriteTxn& txn, const std::string& object_id,
                                 const std::string& name, int delta, const std::string& unit) {
  struct Deadline {
    std::string name, received, due, met;
  };
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "SELECT d.name, p.received_date, d.due_date, d.met_date "
      "FROM deadlines d JOIN petitions p ON p.id = d.object_id "
      "WHERE d.object_id = ?1 AND d.name IN ('acceptance_notice', 'result_feedback') "
      "AND (?2 = '' OR d.name = ?2)");
  if (!q.ok()) return q.status();
  q->Bind(object_id, name);
  absl::StatusOr<std::vector<Deadline>> deadlines = q->Collect<Deadline>([](const Stmt& s) {
    return Deadline{s.Text(0), s.Text(1), s.Text(2), s.Text(3)};
  });
  if (!deadlines.ok() || deadlines->empty()) return deadlines.status();
  absl::StatusOr<std::vector<std::string>> units =
      UnitsOf(txn.db(), kPetitionSubjects, object_id, unit);
  if (!units.ok()) return units.status();
  for (const Deadline& d : *deadlines) {
    // Met ones under open_due = '', open ones under their due date.
    const std::string open_due = d.met.empty() ? d.due : "";
    const bool on_time = !d.met.empty() && d.met <= d.due;
    for (const std::string& u : *units) {
      for (const Grain& g : kGrains) {
        if (absl::Status st = Bump(
                txn, Table("stats_petition_deadlines"),
                std::make_tuple(u, d.name, g.name, d.received.substr(0, g.period_chars), open_due),
                delta, on_time ? delta : 0);
            !st.ok())
          return st;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status AdjustLeadStats(WriteTxn& txn, const std::string& lead_id, int delta,
                             const std::string& unit) {
  absl::StatusOr<Stmt> q =
      txn.db().Prepare("SELECT registered_date, source FROM leads WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(lead_id);
  absl::StatusOr<bool> found = q->Step();
  if (!found.ok() || !*found) return found.status();
  const std::string registered = q->Text(0), source = q->Text(1);
  absl::StatusOr<std::vector<std::string>> units = UnitsOf(txn.db(), kLeadSubjects, lead_id, unit);
  if (!units.ok()) return units.status();
  for (const std::string& u : *units) {
    for (const Grain& g : kGrains) {
      if (absl::Status st =
              Bump(txn, Table("stats_leads"),
                   std::make_tuple(u, g.name, registered.substr(0, g.period_chars), source), delta);
          !st.ok())
        return st;
    }
  }
  return absl::OkStatus();
}

absl::Status AdjustProposalStats(WriteTxn& txn, const std::string& lead_id, int64_t seq, int delta,
                                 const std::string& unit) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "SELECT p.date, p.kind FROM lead_proposals p JOIN leads l ON l.id = p.lead_id "
      "WHERE p.lead_id = ?1 AND (?2 = 0 OR p.seq = ?2) AND p.outcome = 'approved'");
  if (!q.ok()) return q.status();
  q->Bind(lead_id, seq);
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> approved =
      q->Collect<std::pair<std::string, std::string>>(
          [](const Stmt& s) { return std::make_pair(s.Text(0), s.Text(1)); });
  if (!approved.ok() || approved->empty()) return approved.status();
  absl::StatusOr<std::vector<std::string>> units = UnitsOf(txn.db(), kLeadSubjects, lead_id, unit);
  if (!units.ok()) return units.status();
  for (const auto& [date, kind] : *approved) {
    for (const std::string& u : *units) {
      for (const Grain& g : kGrains) {
        if (absl::Status st =
                Bump(txn, Table("stats_lead_disposals"),
                     std::make_tuple(u, g.name, date.substr(0, g.period_chars), kind), delta);
            !st.ok())
          return st;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status AdjustCaseStats(WriteTxn& txn, const std::string& case_id, int delta,
                             const std::string& unit) {
  absl::StatusOr<Stmt> q =
      txn.db().Prepare("SELECT lead_id, filed_date, closed_date FROM cases WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(case_id);
  absl::StatusOr<bool> found = q->Step();
  if (!found.ok() || !*found) return found.status();
  const std::string lead_id = q->Text(0);
  const std::pair<std::string, const char*> dates[] = {{q->Text(1), "filed"},
                                                       {q->Text(2), "closed"}};
  // A case counts under its lead's units.
  absl::StatusOr<std::vector<std::string>> units = UnitsOf(txn.db(), kLeadSubjects, lead_id, unit);
  if (!units.ok()) return units.status();
  for (const auto& [date, kind] : dates) {
    if (date.empty()) continue;
    for (const std::string& u : *units) {
      for (const Grain& g : kGrains) {
        if (absl::Status st =
                Bump(txn, Table("stats_cases"),
                     std::make_tuple(u, g.name, date.substr(0, g.period_chars), kind), delta);
            !st.ok())
          return st;
      }
    }
  }
  return absl::OkStatus();
}

absl::Status AdjustDispositionStats(WriteTxn& txn, const std::string& disposition_id, int delta) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "SELECT unit, decided_date, form, measures, party, government FROM dispositions "
      "WHERE id = ? AND state = 'DISPOSITION_APPROVED'");
  if (!q.ok()) return q.status();
  q->Bind(disposition_id);
  absl::StatusOr<bool> found = q->Step();
  if (!found.ok() || !*found) return found.status();
  const std::string person_unit = q->Text(0), decided = q->Text(1), measures = q->Text(3);
  const int64_t form = q->Int(2), party = q->Int(4), government = q->Int(5);
  // Under '' and under the person's unit (when it has one).
  std::vector<std::string> units = {""};
  if (!person_unit.empty()) units.push_back(person_unit);
  for (const std::string& u : units) {
    for (const Grain& g : kGrains) {
      if (absl::Status st = Bump(txn, Table("stats_dispositions"),
                                 std::make_tuple(u, g.name, decided.substr(0, g.period_chars), form,
                                                 measures, party, government),
                                 delta);
          !st.ok())
        return st;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> HasSubjectUnit(Db& db, std::string_view subjects_table,
                                    const std::string& object_id, const std::string& unit) {
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat("SELECT 1 FROM ", std::string(subjects_table),
                                                   " WHERE petition_id = ? AND unit = ? LIMIT 1"));
  if (!q.ok()) return q.status();
  q->Bind(object_id, unit);
  return q->Step();
}

absl::Status AddSubjectUnitStats(WriteTxn& txn, std::string_view subjects_table,
                                 const std::string& object_id, const std::string& unit) {
  if (subjects_table == kPetitionSubjects) {
    if (absl::Status st = AdjustPetitionStats(txn, object_id, +1, unit); !st.ok()) return st;
    return AdjustDeadlineStats(txn, object_id, "", +1, unit);
  }
  if (absl::Status st = AdjustLeadStats(txn, object_id, +1, unit); !st.ok()) return st;
  if (absl::Status st = AdjustProposalStats(txn, object_id, 0, +1, unit); !st.ok()) return st;
  absl::StatusOr<Stmt> q = txn.db().Prepare("SELECT id FROM cases WHERE lead_id = ?");
  if (!q.ok()) return q.status();
  q->Bind(object_id);
  absl::StatusOr<std::vector<std::string>> cases =
      q->Collect<std::string>([](const Stmt& s) { return s.Text(0); });
  if (!cases.ok()) return cases.status();
  for (const std::string& id : *cases) {
    if (absl::Status st = AdjustCaseStats(txn, id, +1, unit); !st.ok()) return st;
  }
  return absl::OkStatus();
}

}  // namespace jijian::storage
