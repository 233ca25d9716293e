#include "storage/petitions.h"

#include <functional>

#include "absl/strings/str_cat.h"
#include "storage/schema.h"
#include "storage/stats.h"

namespace jijian::storage {
namespace {

constexpr char kPetitionColumns[] =
    "id, version, state, channel, category, received_date, anonymous, disciplines, reporter, "
    "summary, content, receipt_digest, decision_mode, decision_reason, decision_to, "
    "decision_due, decided_by, decided_date, duplicate_of, duplicate_count, closed_date, "
    "conclusion, registered_by, created_us, updated_us";

PetitionRow PetitionFromRow(const Stmt& q) {
  PetitionRow r;
  r.id = q.Text(0);
  r.version = q.Int(1);
  r.state = q.Text(2);
  r.channel = q.Text(3);
  r.category = q.Text(4);
  r.received_date = q.Text(5);
  r.anonymous = q.Int(6) == 1;
  r.disciplines = q.Text(7);
  r.reporter = q.BlobAt(8);
  r.summary = q.BlobAt(9);
  r.content = q.BlobAt(10);
  r.receipt_digest = q.BlobAt(11);
  r.decision_mode = q.Text(12);
  r.decision_reason = q.BlobAt(13);
  r.decision_to = q.Text(14);
  r.decision_due = q.Text(15);
  r.decided_by = q.Text(16);
  r.decided_date = q.Text(17);
  r.duplicate_of = q.Text(18);
  r.duplicate_count = q.Int(19);
  r.closed_date = q.Text(20);
  r.conclusion = q.BlobAt(21);
  r.registered_by = q.Text(22);
  r.created_us = q.Int(23);
  r.updated_us = q.Int(24);
  return r;
}

// Binds every petition column in kPetitionColumns order.
void BindPetition(Stmt& q, const PetitionRow& r) {
  q.Bind(r.id, r.version, r.state, r.channel, r.category, r.received_date, r.anonymous,
         r.disciplines, Blob{r.reporter}, Blob{r.summary}, Blob{r.content}, Blob{r.receipt_digest},
         r.decision_mode, Blob{r.decision_reason}, r.decision_to, r.decision_due, r.decided_by,
         r.decided_date, r.duplicate_of, r.duplicate_count, r.closed_date, Blob{r.conclusion},
         r.registered_by, r.created_us, r.updated_us);
}

// Runs change, a write of deadline name of object_id, between taking its count out of the
// statistics and putting it back (only for the deadlines the statistics count).
absl::Status ChangeDeadline(WriteTxn& txn, const std::string& object_id, const std::string& name,
                            const std::function<absl::Status()>& change) {
  if (!IsCountedDeadline(name)) return change();
  if (absl::Status st = AdjustDeadlineStats(txn, object_id, name, -1); !st.ok()) return st;
  if (absl::Status st = change(); !st.ok()) return st;
  return AdjustDeadlineStats(txn, object_id, name, +1);
}

// The columns the statistics count a petition by (storage/stats.h), as stored for id; only
// those are read (not the sealed content). NOT_FOUND if there is no such petition.
absl::StatusOr<PetitionRow> StoredStatsColumns(Db& db, const std::string& id) {
  absl::StatusOr<Stmt> q = db.Prepare(
      "SELECT received_date, channel, category, decision_mode, anonymous FROM petitions "
      "WHERE id = ?");
  if (!q.ok()) return q.status();
  q->Bind(id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("petition ", id, " does not exist"));
  PetitionRow r;
  r.received_date = q->Text(0);
  r.channel = q->Text(1);
  r.category = q->Text(2);
  r.decision_mode = q->Text(3);
  r.anonymous = q->Int(4) == 1;
  return r;
}

// Whether a and b count the same in the statistics.
bool SameStatsColumns(const PetitionRow& a, const PetitionRow& b) {
  return a.received_date == b.received_date && a.channel == b.channel && a.category == b.category &&
         a.decision_mode == b.decision_mode && a.anonymous == b.anonymous;
}

}  // namespace

absl::StatusOr<int64_t> NextIdNumber(WriteTxn& txn, const std::string& kind, int64_t year) {
  // A plain UPDATE of one row by its key, then a read: an upsert with RETURNING would open
  // a statement journal, whose release walks the mutation's whole savepoint journal.
  absl::StatusOr<Stmt> bump = txn.db().Prepare(
      "UPDATE id_counters SET last = last + 1 WHERE kind = ? AND year = ?");
  if (!bump.ok()) return bump.status();
  bump->Bind(kind, year);
  if (absl::Status st = bump->Run(); !st.ok()) return st;
  if (txn.db().Changes() == 0) {
    absl::StatusOr<Stmt> first =
        txn.db().Prepare("INSERT INTO id_counters(kind, year, last) VALUES (?, ?, 1)");
    if (!first.ok()) return first.status();
    first->Bind(kind, year);
    if (absl::Status st = first->Run(); !st.ok()) return st;
    return 1;
  }
  absl::StatusOr<Stmt> q =
      txn.db().Prepare("SELECT last FROM id_counters WHERE kind = ? AND year = ?");
  if (!q.ok()) return q.status();
  q->Bind(kind, year);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::InternalError("id counter did not return a number");
  int64_t n = q->Int(0);
  if (n >= kIdNumberSpan) {
    return absl::ResourceExhaustedError(absl::StrCat("numbers of ", kind, " ids in ", year,
                                                     " are used up (at most ", kIdNumberSpan - 1,
                                                     " a year)"));
  }
  return n;
}

absl::Status InsertPetition(WriteTxn& txn, const PetitionRow& row) {
  absl::StatusOr<Stmt> q =
      txn.db().Prepare(RowWriteSql(RowWrite::kInsert, "petitions", kPetitionColumns));
  if (!q.ok()) return q.status();
  BindPetition(*q, row);
  if (absl::Status st = RunRowWrite(*q, RowWrite::kInsert, txn.db(), "petitions", row.id);
      !st.ok()) {
    return st;
  }
  return AdjustPetitionStats(txn, row.id, +1);
}

absl::Status UpdatePetition(WriteTxn& txn, PetitionRow& row) {
  absl::StatusOr<PetitionRow> before = StoredStatsColumns(txn.db(), row.id);
  if (!before.ok()) return before.status();
  const bool counted = !SameStatsColumns(*before, row);
  // The deadlines are counted by the day their petition was received.
  const bool deadlines = before->received_date != row.received_date;
  if (counted) {
    if (absl::Status st = AdjustPetitionStats(txn, row.id, -1); !st.ok()) return st;
  }
  if (deadlines) {
    if (absl::Status st = AdjustDeadlineStats(txn, row.id, "", -1); !st.ok()) return st;
  }
  row.version += 1;
  row.updated_us = txn.now_us();
  absl::StatusOr<Stmt> q =
      txn.db().Prepare(RowWriteSql(RowWrite::kUpdate, "petitions", kPetitionColumns));
  if (!q.ok()) return q.status();
  BindPetition(*q, row);
  if (absl::Status st = RunRowWrite(*q, RowWrite::kUpdate, txn.db(), "petitions", row.id);
      !st.ok()) {
    return st;
  }
  if (counted) {
    if (absl::Status st = AdjustPetitionStats(txn, row.id, +1); !st.ok()) return st;
  }
  return deadlines ? AdjustDeadlineStats(txn, row.id, "", +1) : absl::OkStatus();
}

absl::StatusOr<PetitionRow> GetPetition(Db& db, const std::string& id) {
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT ", kPetitionColumns, " FROM petitions WHERE id = ?"));
  if (!q.ok()) return q.status();
  q->Bind(id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError(absl::StrCat("petition ", id, " does not exist"));
  return PetitionFromRow(*q);
}

absl::StatusOr<std::optional<PetitionRow>> FindPetitionByReceipt(
    Db& db, const std::vector<std::string>& digests) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", kPetitionColumns, " FROM petitions WHERE receipt_digest = ?"));
  if (!q.ok()) return q.status();
  for (const std::string& digest : digests) {
    q->Bind(Blob{digest});
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (*row) return std::optional<PetitionRow>(PetitionFromRow(*q));
  }
  return std::optional<PetitionRow>();
}

absl::StatusOr<std::vector<PetitionRow>> ListPetitions(Db& db, const PetitionFilter& f) {
  // Every filter is optional: an empty value matches all (the SQL keeps one plan).
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", kPetitionColumns,
                   " FROM petitions p WHERE p.id_order > ?1 "
                   "AND (?2 = '' OR p.state = ?2) AND (?3 = '' OR p.channel = ?3) "
                   "AND (?4 = '' OR p.category = ?4) AND (?5 = '' OR p.received_date >= ?5) "
                   "AND (?6 = '' OR p.received_date <= ?6) "
                   "AND (?7 = '' OR EXISTS (SELECT 1 FROM petition_subjects s "
                   "                        WHERE s.petition_id = p.id AND s.unit = ?7)) "
                   "AND (?8 = 0 OR EXISTS (SELECT 1 FROM deadlines d WHERE d.object_id = p.id "
                   "                       AND d.met_date = '' AND d.due_date < ?9)) "
                   "ORDER BY p.id_order LIMIT ?10"));
  if (!q.ok()) return q.status();
  q->Bind(IdOrder(f.after_id), f.state, f.channel, f.category, f.received_from, f.received_to,
          f.subject_unit, f.overdue, f.today, static_cast<int64_t>(f.limit));
  return q->Collect<PetitionRow>(PetitionFromRow);
}

absl::Status InsertSubject(WriteTxn& txn, const SubjectRow& r, std::string_view table) {
  // The statistics count the petition or lead once more, under this unit, if it is new to it.
  bool new_unit = false;
  if (!r.unit.empty()) {
    absl::StatusOr<bool> known = HasSubjectUnit(txn.db(), table, r.petition_id, r.unit);
    if (!known.ok()) return known.status();
    new_unit = !*known;
  }
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      absl::StrCat("INSERT INTO ", std::string(table),
                   "(petition_id, idx, subject, unit, rank, flags) VALUES (?,?,?,?,?,?)"));
  if (!q.ok()) return q.status();
  q->Bind(r.petition_id, r.idx, Blob{r.sealed}, r.unit, r.rank, r.flags);
  if (absl::Status st = q->Run(); !st.ok()) return st;
  return new_unit ? AddSubjectUnitStats(txn, table, r.petition_id, r.unit) : absl::OkStatus();
}

absl::StatusOr<std::vector<SubjectRow>> GetSubjects(Db& db, const std::string& petition_id,
                                                    std::string_view table) {
  absl::StatusOr<Stmt> q =
      db.Prepare(absl::StrCat("SELECT petition_id, idx, subject, unit, rank, flags FROM ",
                              std::string(table), " WHERE petition_id = ? ORDER BY idx"));
  if (!q.ok()) return q.status();
  q->Bind(petition_id);
  return q->Collect<SubjectRow>([](const Stmt& s) {
    return SubjectRow{s.Text(0), s.Int(1), s.BlobAt(2), s.Text(3), s.Text(4), s.Text(5)};
  });
}

absl::Status AddPersonIndex(WriteTxn& txn, const std::string& digest,
                            const std::string& object_id) {
  absl::StatusOr<Stmt> q =
      txn.db().Prepare("INSERT OR IGNORE INTO person_index(digest, object_id) VALUES (?, ?)");
  if (!q.ok()) return q.status();
  q->Bind(Blob{digest}, object_id);
  return q->Run();
}

absl::StatusOr<std::vector<std::string>> FindByPersonIndex(Db& db,
                                                           const std::vector<std::string>& digests,
                                                           const std::string& exclude_id) {
  std::vector<std::string> ids;
  absl::StatusOr<Stmt> q =
      db.Prepare("SELECT object_id FROM person_index WHERE digest = ? AND object_id != ?");
  if (!q.ok()) return q.status();
  for (const std::string& d : digests) {
    q->Bind(Blob{d}, exclude_id);
    absl::StatusOr<std::vector<std::string>> found =
        q->Collect<std::string>([](const Stmt& s) { return s.Text(0); });
    if (!found.ok()) return found.status();
    ids.insert(ids.end(), found->begin(), found->end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

absl::StatusOr<int64_t> NextMessageSeq(Db& db, const std::string& petition_id,
                                       std::string_view table) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT MAX(seq) FROM ", std::string(table), " WHERE petition_id = ?"));
  if (!q.ok()) return q.status();
  q->Bind(petition_id);
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  return (*row && !q->IsNull(0)) ? q->Int(0) + 1 : 1;
}

absl::StatusOr<int64_t> CountMessages(Db& db, const std::string& petition_id, std::string_view kind,
                                      std::string_view table) {
  absl::StatusOr<Stmt> q = db.Prepare(absl::StrCat("SELECT COUNT(*) FROM ", std::string(table),
                                                   " WHERE petition_id = ? AND kind = ?"));
  if (!q.ok()) return q.status();
  q->Bind(petition_id, std::string(kind));
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  return *row ? q->Int(0) : 0;
}

absl::Status AddMessage(WriteTxn& txn, const MessageRow& r, std::string_view table) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      absl::StrCat("INSERT INTO ", std::string(table),
                   "(petition_id, seq, kind, date, means, body, author, created_us) "
                   "VALUES (?,?,?,?,?,?,?,?)"));
  if (!q.ok()) return q.status();
  q->Bind(r.petition_id, r.seq, r.kind, r.date, r.means, Blob{r.body}, r.author, txn.now_us());
  return q->Run();
}

absl::Status DropDeadline(WriteTxn& txn, const std::string& object_id, const std::string& name) {
  return ChangeDeadline(txn, object_id, name, [&]() -> absl::Status {
    absl::StatusOr<Stmt> q = txn.db().Prepare(
        "DELETE FROM deadlines WHERE object_id = ? AND name = ? AND met_date = ''");
    if (!q.ok()) return q.status();
    q->Bind(object_id, name);
    return q->Run();
  });
}

absl::StatusOr<std::vector<MessageRow>> GetMessages(Db& db, const std::string& petition_id,
                                                    std::string_view table) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT petition_id, seq, kind, date, means, body, author, created_us FROM ",
                   std::string(table), " WHERE petition_id = ? ORDER BY seq"));
  if (!q.ok()) return q.status();
  q->Bind(petition_id);
  return q->Collect<MessageRow>([](const Stmt& s) {
    return MessageRow{s.Text(0), s.Int(1),    s.Text(2), s.Text(3),
                      s.Text(4), s.BlobAt(5), s.Text(6), s.Int(7)};
  });
}

absl::Status SetDeadline(WriteTxn& txn, const DeadlineRow& r) {
  return ChangeDeadline(txn, r.object_id, r.name, [&]() -> absl::Status {
    absl::StatusOr<Stmt> q = txn.db().Prepare(
        "INSERT OR REPLACE INTO deadlines(object_id, name, due_date, provisional, met_date) "
        "VALUES (?,?,?,?,?)");
    if (!q.ok()) return q.status();
    q->Bind(r.object_id, r.name, r.due_date, r.provisional, r.met_date);
    return q->Run();
  });
}

absl::Status MeetDeadline(WriteTxn& txn, const std::string& object_id, const std::string& name,
                          const std::string& date) {
  return ChangeDeadline(txn, object_id, name, [&]() -> absl::Status {
    absl::StatusOr<Stmt> q = txn.db().Prepare(
        "UPDATE deadlines SET met_date = ? WHERE object_id = ? AND name = ? AND met_date = ''");
    if (!q.ok()) return q.status();
    q->Bind(date, object_id, name);
    return q->Run();
  });
}

absl::StatusOr<std::vector<DeadlineRow>> GetDeadlines(Db& db, const std::string& object_id) {
  absl::StatusOr<Stmt> q = db.Prepare(
      "SELECT object_id, name, due_date, provisional, met_date FROM deadlines "
      "WHERE object_id = ? ORDER BY due_date, name");
  if (!q.ok()) return q.status();
  q->Bind(object_id);
  return q->Collect<DeadlineRow>([](const Stmt& s) {
    return DeadlineRow{s.Text(0), s.Text(1), s.Text(2), s.Int(3) == 1, s.Text(4)};
  });
}

absl::Status AddObjectLink(WriteTxn& txn, const std::string& from_id, const std::string& to_id,
                           const std::string& kind) {
  absl::StatusOr<Stmt> q = txn.db().Prepare(
      "INSERT OR IGNORE INTO object_links(from_id, to_id, kind, created_us) VALUES (?,?,?,?)");
  if (!q.ok()) return q.status();
  q->Bind(from_id, to_id, kind, txn.now_us());
  return q->Run();
}

absl::StatusOr<std::vector<std::string>> ListLinkedTo(Db& db, const std::string& from_id,
                                                      const std::string& kind) {
  absl::StatusOr<Stmt> q =
      db.Prepare("SELECT to_id FROM object_links WHERE from_id = ? AND kind = ? ORDER BY to_id");
  if (!q.ok()) return q.status();
  q->Bind(from_id, kind);
  return q->Collect<std::string>([](const Stmt& s) { return s.Text(0); });
}

}  // namespace jijian::storage
