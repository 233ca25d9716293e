#include "storage/rekey.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace jijian::storage {
namespace {

// Each sealed value's AAD row id, as the services form it (server/*_service.cc): an
// object's id, "<parent id>#<index>" for child rows, "<actor>/<request id>" for stored
// results. Key columns are SQL expressions; a BLOB key is walked through hex() so that the
// text cursor orders it the way SQLite does.
const std::vector<SealedTable>& Tables() {
  static const std::vector<SealedTable> kTables = {
      {"petitions",
       {"id"},
       {{"reporter", "id"},
        {"summary", "id"},
        {"content", "id"},
        {"decision_reason", "id"},
        {"conclusion", "id"}}},
      {"petition_subjects", {"petition_id", "idx"}, {{"subject", "petition_id || '#' || idx"}}},
      {"petition_messages", {"petition_id", "seq"}, {{"body", "petition_id || '#' || seq"}}},
      {"leads", {"id"}, {{"summary", "id"}}},
      {"lead_subjects", {"petition_id", "idx"}, {{"subject", "petition_id || '#' || idx"}}},
      {"lead_proposals",
       {"lead_id", "seq"},
       {{"reason", "lead_id || '#' || seq"}, {"decision_reason", "lead_id || '#' || seq"}}},
      {"lead_notes", {"petition_id", "seq"}, {{"body", "petition_id || '#' || seq"}}},
      {"recusals",
       {"user_id", "hex(target)"},
       {{"reason",
         "user_id || '#' || CASE kind WHEN 'subject' THEN 'subject' ELSE CAST(target AS TEXT) "
         "END"}}},
      {"cases", {"id"}, {{"external_approver", "id"}}},
      {"case_persons",
       {"case_id", "idx"},
       {{"person", "case_id || '#' || idx"}, {"decision", "case_id || '#' || idx"}}},
      {"dispositions", {"id"}, {{"reason", "id"}}},
      {"disposition_history",
       {"disposition_id", "seq"},
       {{"text", "disposition_id || '#' || seq"}}},
      {"integrity_checks", {"id"}, {{"purpose", "id"}}},
      {"unseal_requests", {"id"}, {{"reason", "id"}, {"decision_reason", "id"}}},
      {"requests", {"actor", "request_id"}, {{"result", "actor || '/' || request_id"}}},
  };
  return kTables;
}

// A column holding blind-index digests (Keyring::BlindIndex), walked in primary-key order.
struct KeyColumn {
  std::string name;
  bool blob = false;  // bound and read as a BLOB
};
struct DigestColumn {
  std::string table;
  std::vector<KeyColumn> key_columns;  // the primary key, in order
  std::string column;
  std::string filter;           // which rows hold a digest (SQL), "1" for all
  bool in_primary_key = false;  // the digest is part of the key: a clash keeps the newer row
};

// Every column of the schema that holds blind-index digests (kept beside the sealed list,
// checked by rekey_test against the schema).
const std::vector<DigestColumn>& DigestColumns() {
  static const std::vector<DigestColumn> kColumns = {
      {"person_index", {{"digest", true}, {"object_id"}}, "digest", "1", true},
      {"disposition_index", {{"digest", true}, {"disposition_id"}}, "digest", "1", true},
      {"petitions", {{"id"}}, "receipt_digest", "1", false},
      {"recusals", {{"user_id"}, {"target", true}}, "target", "kind = 'subject'", true},
      {"integrity_checks", {{"id"}}, "digest", "1", false},
  };
  return kColumns;
}

// A key column as an SQL operand for a bound parameter.
std::string Param(const KeyColumn& k) { return k.blob ? "CAST(? AS BLOB)" : "?"; }

// Carries up to batch digests of one column forward to the active index key, starting after
// cursor. Counts the rows seen in *rows and the last key in *last_key.
absl::StatusOr<int64_t> AdvanceDigests(WriteTxn& txn, const DigestColumn& t,
                                       const std::vector<std::string>& cursor, int batch,
                                       int* rows, std::vector<std::string>* last_key) {
  std::vector<std::string> names, params, matches;
  for (const KeyColumn& k : t.key_columns) {
    names.push_back(k.name);
    params.push_back(Param(k));
    matches.push_back(k.name + " = " + Param(k));
  }
  const std::string keys = absl::StrJoin(names, ", ");
  std::string where = t.filter;
  if (!cursor.empty()) {
    absl::StrAppend(&where, " AND (", keys, ") > (", absl::StrJoin(params, ", "), ")");
  }
  absl::StatusOr<Stmt> q =
      txn.db().Prepare(absl::StrCat("SELECT ", keys, ", ", t.column, " FROM ", t.table, " WHERE ",
                                    where, " ORDER BY ", keys, " LIMIT ", batch));
  if (!q.ok()) return q.status();
  q->BindList(cursor);
  // OR IGNORE, then removing the old row: where the digest is part of the key and the row
  // already exists under the active key (written again during the pass), the newer stays.
  absl::StatusOr<Stmt> up = txn.db().Prepare(
      absl::StrCat("UPDATE OR IGNORE ", t.table, " SET ", t.column, " = ? WHERE ",
                   absl::StrJoin(matches, " AND ")));
  if (!up.ok()) return up.status();
  absl::StatusOr<Stmt> drop = txn.db().Prepare(
      absl::StrCat("DELETE FROM ", t.table, " WHERE ", absl::StrJoin(matches, " AND ")));
  if (!drop.ok()) return drop.status();
  const std::string active_tag =
      Keyring::DigestTag(txn.keyring().active_key_id(KeyDomain::kIndex));
  const size_t nk = t.key_columns.size();
  int64_t advanced = 0;
  while (true) {
    absl::StatusOr<bool> row = q->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    ++*rows;
    std::vector<std::string> key_values;
    for (size_t i = 0; i < nk; ++i) {
      const int col = static_cast<int>(i);
      key_values.push_back(t.key_columns[i].blob ? q->BlobAt(col) : q->Text(col));
    }
    *last_key = key_values;
    const std::string digest = q->BlobAt(static_cast<int>(nk));
    if (digest.size() == Keyring::kDigestBytes &&
        digest.substr(digest.size() - active_tag.size()) == active_tag) {
      continue;
    }
    absl::StatusOr<std::string> forward = txn.keyring().AdvanceDigest(digest);
    if (!forward.ok()) {
      return absl::DataLossError(absl::StrCat(t.table, ".", t.column, ": ",
                                              forward.status().message()));
    }
    up->BindList(Blob{*forward}, key_values);
    if (absl::Status st = up->Run(); !st.ok()) return st;
    if (txn.db().Changes() == 0) {
      if (!t.in_primary_key) {
        return absl::InternalError(absl::StrCat(t.table, ".", t.column,
                                                ": a digest could not be carried forward"));
      }
      drop->BindList(key_values);
      if (absl::Status st = drop->Run(); !st.ok()) return st;
    }
    ++advanced;
  }
  return advanced;
}

KeyRotation RotationFromRow(const Stmt& q) {
  return KeyRotation{q.Text(0), q.Text(1), q.Text(2), q.Text(3),
                     q.Int(4),  q.Int(5),  q.Int(6),  q.Text(7)};
}

// How many tables a pass over domain walks, and the name of one (for progress).
size_t TableCount(KeyDomain domain) {
  return domain == KeyDomain::kIndex ? DigestColumns().size() : Tables().size();
}
std::string TableName(KeyDomain domain, size_t index) {
  return domain == KeyDomain::kIndex ? DigestColumns()[index].table : Tables()[index].table;
}

constexpr char kRotationColumns[] =
    "key_id, domain, replaced_key_id, requested_by, started_us, finished_us, resealed, position";

}  // namespace

const std::vector<SealedTable>& SealedTables() { return Tables(); }

std::vector<std::string> DigestColumnNames() {
  std::vector<std::string> out;
  for (const DigestColumn& c : DigestColumns()) out.push_back(c.table + "." + c.column);
  return out;
}

absl::StatusOr<std::vector<KeyRotation>> ListKeyRotations(Db& db) {
  absl::StatusOr<Stmt> q = db.Prepare(
      absl::StrCat("SELECT ", kRotationColumns, " FROM key_rotations ORDER BY started_us, key_id"));
  if (!q.ok()) return q.status();
  return q->Collect<KeyRotation>(RotationFromRow);
}

absl::StatusOr<std::string> RotateDataKey(Store& store, const Actor& actor, KeyDomain domain) {
  if (domain == KeyDomain::kAuditSigning) {
    return absl::InvalidArgumentError(
        "domain: audit_signing is not rotated here; the data keys that can be rotated are "
        "identity, content and index (every verifier pins the audit signing key)");
  }
  // An index key's digests end with its tag; a new key whose tag an older one has (a 1 in
  // 2^32 draw) would make two generations indistinguishable, so it is drawn again.
  std::set<std::string> tags;
  if (domain == KeyDomain::kIndex) {
    absl::StatusOr<std::vector<std::string>> ids =
        store.Read<std::vector<std::string>>([](Db& db) -> absl::StatusOr<std::vector<std::string>> {
          absl::StatusOr<Stmt> q = db.Prepare("SELECT key_id FROM keys WHERE domain = 'index'");
          if (!q.ok()) return q.status();
          return q->Collect<std::string>([](const Stmt& s) { return s.Text(0); });
        });
    if (!ids.ok()) return ids.status();
    for (const std::string& id : *ids) tags.insert(Keyring::DigestTag(id));
  }
  absl::StatusOr<WrappedKey> fresh = store.NewDataKey(domain);
  while (fresh.ok() && tags.contains(Keyring::DigestTag(fresh->key_id))) {
    fresh = store.NewDataKey(domain);
  }
  if (!fresh.ok()) return fresh.status();
  const WrappedKey key = *fresh;
  absl::StatusOr<std::string> done =
      store.Apply(actor, "", [key, domain](WriteTxn& txn) -> absl::StatusOr<std::string> {
        const std::string old_id = txn.keyring().active_key_id(domain);
        const std::string name(KeyDomainName(domain));
        absl::StatusOr<Stmt> off =
            txn.db().Prepare("UPDATE keys SET active = 0 WHERE domain = ? AND active = 1");
        if (!off.ok()) return off.status();
        off->Bind(name);
        if (absl::Status st = off->Run(); !st.ok()) return st;
        // Keys load in creation order, which for index keys is the digest chain's order:
        // the new key is made strictly later than every other, whatever the clock says.
        absl::StatusOr<Stmt> ins = txn.db().Prepare(
            "INSERT INTO keys(key_id, domain, wrapped, active, created_us) "
            "VALUES (?1, ?2, ?3, 1, max(?4, (SELECT coalesce(max(created_us), 0) + 1 FROM keys)))");
        if (!ins.ok()) return ins.status();
        ins->Bind(key.key_id, name, Blob{key.wrapped}, txn.now_us());
        if (absl::Status st = ins->Run(); !st.ok()) return st;
        absl::StatusOr<Stmt> rot = txn.db().Prepare(
            "INSERT INTO key_rotations(key_id, domain, replaced_key_id, requested_by, started_us) "
            "VALUES (?,?,?,?,?)");
        if (!rot.ok()) return rot.status();
        rot->Bind(key.key_id, name, old_id, txn.actor().user_id, txn.now_us());
        if (absl::Status st = rot->Run(); !st.ok()) return st;
        absl::StatusOr<int64_t> seq = txn.AppendEvent(
            {"key.rotate", "data_key", key.key_id, old_id, key.key_id, "domain=" + name});
        if (!seq.ok()) return seq.status();
        return key.key_id;
      });
  if (!done.ok()) return done.status();
  // Only after the commit: a value sealed under a key the database does not hold would be
  // lost. Until this line new values still use the old key, which the job reseals later.
  if (absl::Status st = store.UseDataKey(key); !st.ok()) return st;
  return key.key_id;
}

absl::StatusOr<bool> Resealer::Step() {
  // Which rotation: the oldest unfinished one.
  absl::StatusOr<std::vector<KeyRotation>> rotations =
      store_.Read<std::vector<KeyRotation>>(ListKeyRotations);
  if (!rotations.ok()) return rotations.status();
  const KeyRotation* current = nullptr;
  for (const KeyRotation& r : *rotations) {
    if (r.finished_us == 0) {
      current = &r;
      break;
    }
  }
  if (current == nullptr) return false;
  if (current->key_id != key_id_) {
    key_id_ = current->key_id;
    table_ = 0;
    cursor_.clear();
  }
  absl::StatusOr<KeyDomain> domain = ParseKeyDomain(current->domain);
  if (!domain.ok()) return domain.status();
  // A pass starts only once the running keyring uses the newest key of the domain: from
  // then on no new value is sealed under an older one, so a finished pass leaves none.
  // (Between the rotation's commit and that switch, a few values may still take the old
  // key; waiting here is what catches them.)
  std::string newest;
  for (const KeyRotation& r : *rotations) {
    if (r.domain == current->domain) newest = r.key_id;  // ordered by start
  }
  if (store_.keyring().active_key_id(*domain) != newest) return true;
  // A newer rotation of the domain started during this pass: start the pass again, so that
  // a finished pass always ran entirely under the newest key.
  if (pass_key_ != newest) {
    pass_key_ = newest;
    table_ = 0;
    cursor_.clear();
  }
  const std::string key_id = key_id_;
  const KeyDomain dom = *domain;
  const size_t table_index = table_;
  const std::vector<std::string> cursor = cursor_;
  const int batch = batch_;
  struct Outcome {
    std::vector<std::string> last_key;
    int rows = 0;
  };
  auto outcome = std::make_shared<Outcome>();
  absl::StatusOr<std::string> done = store_.Apply(
      {"system", "system", ""}, "",
      [key_id, dom, table_index, cursor, batch,
       outcome](WriteTxn& txn) -> absl::StatusOr<std::string> {
        // The writer may run a mutation again after a failed group commit: start afresh.
        *outcome = Outcome{};
        const std::string now_active = txn.keyring().active_key_id(dom);
        int64_t resealed = 0;
        const size_t table_count = TableCount(dom);
        if (dom == KeyDomain::kIndex && table_index < table_count) {
          absl::StatusOr<int64_t> advanced = AdvanceDigests(
              txn, DigestColumns()[table_index], cursor, batch, &outcome->rows, &outcome->last_key);
          if (!advanced.ok()) return advanced.status();
          resealed = *advanced;
        } else if (table_index < table_count) {
          const SealedTable& t = Tables()[table_index];
          const std::string keys = absl::StrJoin(t.key_columns, ", ");
          std::vector<std::string> cols;
          for (const SealedColumn& c : t.columns) {
            cols.push_back(c.column);
            cols.push_back(c.row_id_sql);
          }
          std::string where = "1";
          if (!cursor.empty()) {
            std::vector<std::string> marks(t.key_columns.size(), "?");
            where = absl::StrCat("(", keys, ") > (", absl::StrJoin(marks, ", "), ")");
          }
          absl::StatusOr<Stmt> q = txn.db().Prepare(
              absl::StrCat("SELECT ", keys, ", ", absl::StrJoin(cols, ", "), " FROM ", t.table,
                           " WHERE ", where, " ORDER BY ", keys, " LIMIT ", batch));
          if (!q.ok()) return q.status();
          q->BindList(cursor);
          std::vector<std::string> marks;
          for (const std::string& k : t.key_columns) marks.push_back(k + " = ?");
          const size_t nk = t.key_columns.size();
          while (true) {
            absl::StatusOr<bool> row = q->Step();
            if (!row.ok()) return row.status();
            if (!*row) break;
            ++outcome->rows;
            std::vector<std::string> key_values;
            for (size_t i = 0; i < nk; ++i) key_values.push_back(q->Text(static_cast<int>(i)));
            for (size_t c = 0; c < t.columns.size(); ++c) {
              const std::string sealed = q->BlobAt(static_cast<int>(nk + 2 * c));
              if (sealed.empty()) continue;
              std::optional<std::string> id = Keyring::KeyIdOf(sealed);
              if (!id.has_value() || *id == now_active) continue;
              if (txn.keyring().DomainOfKey(*id) != dom) continue;
              const std::string row_id = q->Text(static_cast<int>(nk + 2 * c + 1));
              const FieldRef where_ref{t.table, t.columns[c].column, row_id};
              absl::StatusOr<std::string> plain = txn.keyring().Open(where_ref, sealed);
              if (!plain.ok()) return plain.status();
              absl::StatusOr<std::string> again = txn.keyring().Seal(dom, where_ref, *plain);
              if (!again.ok()) return again.status();
              absl::StatusOr<Stmt> up =
                  txn.db().Prepare(absl::StrCat("UPDATE ", t.table, " SET ", t.columns[c].column,
                                                " = ? WHERE ", absl::StrJoin(marks, " AND ")));
              if (!up.ok()) return up.status();
              up->BindList(Blob{*again}, key_values);
              if (absl::Status st = up->Run(); !st.ok()) return st;
              ++resealed;
            }
            outcome->last_key = key_values;
          }
        }
        const bool pass_done = table_index >= table_count;
        absl::StatusOr<Stmt> up = txn.db().Prepare(
            "UPDATE key_rotations SET resealed = resealed + ?, position = ? WHERE key_id = ?");
        if (!up.ok()) return up.status();
        up->Bind(resealed, pass_done ? std::string("done") : TableName(dom, table_index), key_id);
        if (absl::Status st = up->Run(); !st.ok()) return st;
        if (pass_done) {
          // A full pass leaves no value of this domain under an older key: every unfinished
          // rotation of the domain is finished.
          absl::StatusOr<Stmt> fin = txn.db().Prepare(
              "UPDATE key_rotations SET finished_us = ? WHERE domain = ? AND finished_us = 0");
          if (!fin.ok()) return fin.status();
          fin->Bind(txn.now_us(), std::string(KeyDomainName(dom)));
          if (absl::Status st = fin->Run(); !st.ok()) return st;
          absl::StatusOr<Stmt> total =
              txn.db().Prepare("SELECT resealed FROM key_rotations WHERE key_id = ?");
          if (!total.ok()) return total.status();
          total->Bind(key_id);
          absl::StatusOr<bool> has = total->Step();
          if (!has.ok()) return has.status();
          absl::StatusOr<int64_t> seq =
              txn.AppendEvent({"key.rotation_finished", "data_key", key_id, "RESEALING", "DONE",
                               absl::StrCat("resealed=", *has ? total->Int(0) : 0)});
          if (!seq.ok()) return seq.status();
        }
        return std::string();
      });
  if (!done.ok()) return done.status();
  if (table_ >= TableCount(dom)) return true;  // the pass finished in this step
  if (outcome->rows < batch_) {
    ++table_;
    cursor_.clear();
  } else {
    cursor_ = outcome->last_key;
  }
  return true;
}

}  // namespace jijian::storage
