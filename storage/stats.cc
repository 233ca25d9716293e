#include "storage/stats.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
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

// The counter rows of unit ?3 (every unit when '') from day ?1 to day ?2: one range of each
// counter table's primary key.
constexpr char kCountersOfSpan[] = " WHERE unit = ?3 AND day >= ?1 AND day <= ?2 ";

}  // namespace

absl::StatusOr<std::vector<DispositionGroup>> CountDispositions(Db& db, const std::string& from,
                                                                const std::string& to,
                                                                const std::string& unit,
                                                                StatsSource source) {
  const std::string sql =
      source == StatsSource::kCounters
          ? absl::StrCat("SELECT ", MonthOf("day"),
                         " AS month, form, measures, party, government, SUM(n) "
                         "FROM stats_dispositions",
                         kCountersOfSpan,
                         "GROUP BY month, form, measures, party, government HAVING SUM(n) != 0")
          : absl::StrCat("SELECT ", MonthOf("decided_date"),
                         " AS month, form, measures, party, government, COUNT(*) FROM dispositions "
                         "WHERE state = 'DISPOSITION_APPROVED' AND decided_date >= ?1 "
                         "AND decided_date <= ?2 AND (?3 = '' OR unit = ?3) "
                         "GROUP BY month, form, measures, party, government");
  absl::StatusOr<Stmt> q = db.Prepare(sql);
  if (!q.ok()) return q.status();
  q->Bind(from, to, unit);
  return q->Collect<DispositionGroup>([](const Stmt& s) {
    return DispositionGroup{s.Text(0), s.Int(1), s.Text(2), s.Int(3) == 1, s.Int(4) == 1, s.Int(5)};
  });
}

absl::StatusOr<std::vector<PetitionGroup>> CountPetitions(Db& db, const std::string& from,
                                                          const std::string& to,
                                                          const std::string& unit,
                                                          StatsSource source) {
  const std::string sql =
      source == StatsSource::kCounters
          ? absl::StrCat("SELECT ", MonthOf("day"),
                         " AS month, channel, category, mode, anonymous, SUM(n) "
                         "FROM stats_petitions",
                         kCountersOfSpan,
                         "GROUP BY month, channel, category, mode, anonymous HAVING SUM(n) != 0")
          : absl::StrCat(
                "SELECT ", MonthOf("received_date"),
                " AS month, channel, category, decision_mode, anonymous, COUNT(*) FROM petitions p "
                "WHERE received_date >= ?1 AND received_date <= ?2 "
                "AND (?3 = '' OR EXISTS (SELECT 1 FROM petition_subjects s "
                "                        WHERE s.petition_id = p.id AND s.unit = ?3)) "
                "GROUP BY month, channel, category, decision_mode, anonymous");
  absl::StatusOr<Stmt> q = db.Prepare(sql);
  if (!q.ok()) return q.status();
  q->Bind(from, to, unit);
  return q->Collect<PetitionGroup>([](const Stmt& s) {
    return PetitionGroup{s.Text(0), s.Text(1), s.Text(2), s.Text(3), s.Int(4) == 1, s.Int(5)};
  });
}

bool IsCountedDeadline(const std::string& name) {
  return name == "acceptance_notice" || name == "result_feedback";
}

absl::StatusOr<DeadlineCounts> CountPetitionDeadlines(
    Db& db, const std::string& name, const std::string& from, const std::string& to,
    const std::string& unit, const std::string& today, StatsSource source) {
  // A deadline counts once it was met or its day has passed; it is on time when met on or
  // before its due date.
  const char* sql =
      source == StatsSource::kCounters
          ? "SELECT COALESCE(SUM(n), 0), COALESCE(SUM(on_time), 0) FROM stats_petition_deadlines "
            "WHERE unit = ?4 AND name = ?1 AND day >= ?2 AND day <= ?3 "
            "AND (open_due = '' OR open_due < ?5)"
          : "SELECT COUNT(*), COALESCE(SUM(d.met_date != '' AND d.met_date <= d.due_date), 0) "
            "FROM petitions p JOIN deadlines d ON d.object_id = p.id AND d.name = ?1 "
            "WHERE p.received_date >= ?2 AND p.received_date <= ?3 "
            "AND (d.met_date != '' OR d.due_date < ?5) "
            "AND (?4 = '' OR EXISTS (SELECT 1 FROM petition_subjects s "
            "                        WHERE s.petition_id = p.id AND s.unit = ?4))";
  absl::StatusOr<Stmt> q = db.Prepare(sql);
  if (!q.ok()) return q.status();
  q->Bind(name, from, to, unit, today);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  return DeadlineCounts{q->Int(0), q->Int(1)};
}

absl::StatusOr<std::vector<KeyCount>> CountLeads(Db& db, const std::string& from,
                                                 const std::string& to, const std::string& unit,
                                                 StatsSource source) {
  return CollectKeyCounts(
      db,
      source == StatsSource::kCounters
          ? absl::StrCat("SELECT ", MonthOf("day"), " AS month, source, SUM(n) FROM stats_leads",
                         kCountersOfSpan, "GROUP BY month, source HAVING SUM(n) != 0")
          : absl::StrCat("SELECT ", MonthOf("registered_date"), " AS month, source, COUNT(*) ",
                         "FROM leads l WHERE registered_date >= ?1 AND registered_date <= ?2 AND ",
                         kLeadOfUnit, " GROUP BY month, source"),
      from, to, unit);
}

absl::StatusOr<std::vector<KeyCount>> CountLeadDisposals(Db& db, const std::string& from,
                                                         const std::string& to,
                                                         const std::string& unit,
                                                         StatsSource source) {
  return CollectKeyCounts(
      db,
      source == StatsSource::kCounters
          ? absl::StrCat("SELECT ", MonthOf("day"),
                         " AS month, kind, SUM(n) FROM stats_lead_disposals", kCountersOfSpan,
                         "GROUP BY month, kind HAVING SUM(n) != 0")
          : absl::StrCat("SELECT ", MonthOf("p.date"), " AS month, p.kind, COUNT(*) ",
                         "FROM lead_proposals p JOIN leads l ON l.id = p.lead_id ",
                         "WHERE p.outcome = 'approved' AND p.date >= ?1 AND p.date <= ?2 AND ",
                         kLeadOfUnit, " GROUP BY month, p.kind"),
      from, to, unit);
}

absl::StatusOr<std::vector<KeyCount>> CountCases(Db& db, const std::string& from,
                                                 const std::string& to, const std::string& unit,
                                                 StatsSource source) {
  if (source == StatsSource::kCounters) {
    return CollectKeyCounts(
        db,
        absl::StrCat("SELECT ", MonthOf("day"), " AS month, kind, SUM(n) FROM stats_cases",
                     kCountersOfSpan, "GROUP BY month, kind HAVING SUM(n) != 0"),
        from, to, unit);
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

// A counter table: its key columns and its count columns.
struct CounterTable {
  const char* name;
  std::vector<const char*> keys;
  std::vector<const char*> counts;
};

const std::vector<CounterTable>& CounterTables() {
  static const std::vector<CounterTable> kTables = {
      {"stats_dispositions", {"unit", "day", "form", "measures", "party", "government"}, {"n"}},
      {"stats_petitions", {"unit", "day", "channel", "category", "mode", "anonymous"}, {"n"}},
      {"stats_petition_deadlines", {"unit", "name", "day", "open_due"}, {"n", "on_time"}},
      {"stats_leads", {"unit", "day", "source"}, {"n"}},
      {"stats_lead_disposals", {"unit", "day", "kind"}, {"n"}},
      {"stats_cases", {"unit", "day", "kind"}, {"n"}},
  };
  return kTables;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> CheckStatsCounters(Db& db, size_t max_listed) {
  std::vector<std::string> problems;
  for (const CounterTable& t : CounterTables()) {
    // Counter rows whose counts are all zero are the same as no row.
    std::vector<std::string> keys, on, nonzero, differ, selected;
    for (const char* k : t.keys) {
      keys.push_back(absl::StrCat("COALESCE(c.", k, ", r.", k, ")"));
      on.push_back(absl::StrCat("c.", k, " = r.", k));
    }
    for (const char* n : t.counts) {
      nonzero.push_back(absl::StrCat(n, " != 0"));
      differ.push_back(absl::StrCat("COALESCE(c.", n, ", 0) != COALESCE(r.", n, ", 0)"));
      selected.push_back(absl::StrCat("COALESCE(c.", n, ", 0)"));
      selected.push_back(absl::StrCat("COALESCE(r.", n, ", 0)"));
    }
    absl::StatusOr<Stmt> q = db.Prepare(
        absl::StrCat("SELECT ", absl::StrJoin(keys, ", "), ", ", absl::StrJoin(selected, ", "),
                     " FROM (SELECT * FROM ", t.name, " WHERE ", absl::StrJoin(nonzero, " OR "),
                     ") c FULL JOIN ", t.name, "_recount r ON ", absl::StrJoin(on, " AND "),
                     " WHERE ", absl::StrJoin(differ, " OR ")));
    if (!q.ok()) return q.status();
    q->Bind();
    while (true) {
      absl::StatusOr<bool> row = q->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      if (problems.size() == max_listed) {
        problems.push_back("... and more counter rows that differ");
        return problems;
      }
      std::vector<std::string> key;
      int col = 0;
      for (const char* k : t.keys) key.push_back(absl::StrCat(k, "='", q->Text(col++), "'"));
      std::vector<std::string> counters, rows;
      for (const char* n : t.counts) {
        counters.push_back(absl::StrCat(n, "=", q->Int(col++)));
        rows.push_back(absl::StrCat(n, "=", q->Int(col++)));
      }
      problems.push_back(absl::StrCat(t.name, " (", absl::StrJoin(key, " "),
                                      "): the counters hold ", absl::StrJoin(counters, " "),
                                      ", the rows give ", absl::StrJoin(rows, " ")));
    }
  }
  return problems;
}

namespace {

// Runs an upkeep statement (parameters bound in order).
template <typename... Args>
absl::Status Adjust(WriteTxn& txn, std::string_view sql, const Args&... args) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(sql);
  if (!q.ok()) return q.status();
  q->Bind(args...);
  return q->Run();
}

// The units (as a subquery u(unit)) a petition ?1 counts under: '' and its subjects' units.
constexpr char kPetitionUnits[] =
    "(SELECT '' AS unit UNION SELECT unit FROM petition_subjects "
    " WHERE petition_id = ?1 AND unit != '') u";
// The same for a lead ?1.
constexpr char kLeadUnits[] =
    "(SELECT '' AS unit UNION SELECT unit FROM lead_subjects "
    " WHERE petition_id = ?1 AND unit != '') u";

}  // namespace

absl::Status AdjustPetitionStats(WriteTxn& txn, const std::string& petition_id, int delta,
                                 const std::string& unit) {
  static const std::string kSql = absl::StrCat(
      "INSERT INTO stats_petitions(unit, day, channel, category, mode, anonymous, n) "
      "SELECT u.unit, p.received_date, p.channel, p.category, p.decision_mode, p.anonymous, ?2 "
      "FROM petitions p, ",
      kPetitionUnits,
      " WHERE p.id = ?1 AND (?3 = '' OR u.unit = ?3) "
      "ON CONFLICT(unit, day, channel, category, mode, anonymous) DO UPDATE SET n = n + "
      "excluded.n");
  return Adjust(txn, kSql, petition_id, delta, unit);
}

absl::Status AdjustDeadlineStats(WriteTxn& txn, const std::string& object_id,
                                 const std::string& name, int delta, const std::string& unit) {
  static const std::string kSql = absl::StrCat(
      "INSERT INTO stats_petition_deadlines(unit, name, day, open_due, n, on_time) "
      "SELECT u.unit, d.name, p.received_date, "
      "       CASE WHEN d.met_date = '' THEN d.due_date ELSE '' END, ?3, "
      "       ?3 * (d.met_date != '' AND d.met_date <= d.due_date) "
      "FROM deadlines d JOIN petitions p ON p.id = d.object_id, ",
      kPetitionUnits,
      " WHERE d.object_id = ?1 AND d.name IN ('acceptance_notice', 'result_feedback') "
      "AND (?2 = '' OR d.name = ?2) AND (?4 = '' OR u.unit = ?4) "
      "ON CONFLICT(unit, name, day, open_due) "
      "DO UPDATE SET n = n + excluded.n, on_time = on_time + excluded.on_time");
  return Adjust(txn, kSql, object_id, name, delta, unit);
}

absl::Status AdjustLeadStats(WriteTxn& txn, const std::string& lead_id, int delta,
                             const std::string& unit) {
  static const std::string kSql = absl::StrCat(
      "INSERT INTO stats_leads(unit, day, source, n) "
      "SELECT u.unit, l.registered_date, l.source, ?2 FROM leads l, ",
      kLeadUnits,
      " WHERE l.id = ?1 AND (?3 = '' OR u.unit = ?3) "
      "ON CONFLICT(unit, day, source) DO UPDATE SET n = n + excluded.n");
  return Adjust(txn, kSql, lead_id, delta, unit);
}

absl::Status AdjustProposalStats(WriteTxn& txn, const std::string& lead_id, int64_t seq, int delta,
                                 const std::string& unit) {
  static const std::string kSql = absl::StrCat(
      "INSERT INTO stats_lead_disposals(unit, day, kind, n) "
      "SELECT u.unit, p.date, p.kind, ?3 FROM lead_proposals p JOIN leads l ON l.id = p.lead_id, ",
      kLeadUnits,
      " WHERE p.lead_id = ?1 AND (?2 = 0 OR p.seq = ?2) AND p.outcome = 'approved' "
      "AND (?4 = '' OR u.unit = ?4) "
      "ON CONFLICT(unit, day, kind) DO UPDATE SET n = n + excluded.n");
  return Adjust(txn, kSql, lead_id, seq, delta, unit);
}

absl::Status AdjustCaseStats(WriteTxn& txn, const std::string& case_id, int delta,
                             const std::string& unit) {
  static constexpr char kSql[] =
      "INSERT INTO stats_cases(unit, day, kind, n) "
      "SELECT u.unit, k.day, k.kind, ?2 "
      "FROM (SELECT filed_date AS day, 'filed' AS kind FROM cases WHERE id = ?1 AND filed_date != "
      "'' "
      "      UNION ALL "
      "      SELECT closed_date, 'closed' FROM cases WHERE id = ?1 AND closed_date != '') k, "
      "     (SELECT '' AS unit UNION SELECT s.unit FROM cases c "
      "      JOIN lead_subjects s ON s.petition_id = c.lead_id WHERE c.id = ?1 AND s.unit != '') u "
      "WHERE (?3 = '' OR u.unit = ?3) "
      "ON CONFLICT(unit, day, kind) DO UPDATE SET n = n + excluded.n";
  return Adjust(txn, kSql, case_id, delta, unit);
}

absl::Status AdjustDispositionStats(WriteTxn& txn, const std::string& disposition_id, int delta) {
  static constexpr char kSql[] =
      "INSERT INTO stats_dispositions(unit, day, form, measures, party, government, n) "
      "SELECT u.unit, d.decided_date, d.form, d.measures, d.party, d.government, ?2 "
      "FROM dispositions d, "
      "     (SELECT '' AS unit UNION SELECT unit FROM dispositions WHERE id = ?1 AND unit != '') u "
      "WHERE d.id = ?1 AND d.state = 'DISPOSITION_APPROVED' "
      "ON CONFLICT(unit, day, form, measures, party, government) DO UPDATE SET n = n + excluded.n";
  return Adjust(txn, kSql, disposition_id, delta);
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
