#include "storage/schema.h"

#include "absl/strings/str_cat.h"

namespace jijian::storage {
namespace {

// Version 1: keys, users, certificates, idempotency records, the audit log and its
// Merkle tree. Sensitive values are only ever stored sealed (see keyring.h).
constexpr std::string_view kV1 = R"sql(
CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value BLOB NOT NULL
) WITHOUT ROWID;

-- Data keys, only in wrapped form (the KEK is never in this file).
CREATE TABLE keys (
  key_id     TEXT PRIMARY KEY,
  domain     TEXT NOT NULL,
  wrapped    BLOB NOT NULL,
  active     INTEGER NOT NULL CHECK (active IN (0, 1)),
  created_us INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX keys_one_active ON keys(domain) WHERE active = 1;

CREATE TABLE users (
  user_id      TEXT PRIMARY KEY,
  display_name TEXT NOT NULL,
  department   TEXT NOT NULL,
  roles        TEXT NOT NULL,      -- comma-separated role names
  enabled      INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  version      INTEGER NOT NULL,
  created_us   INTEGER NOT NULL,
  updated_us   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE certificates (
  serial_hex  TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users(user_id),
  fingerprint TEXT NOT NULL UNIQUE,  -- SHA-256 of DER, lowercase hex
  not_before  INTEGER NOT NULL,
  not_after   INTEGER NOT NULL,
  revoked_at  INTEGER NOT NULL DEFAULT 0,
  issued_by   TEXT NOT NULL,
  issued_us   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX certificates_user ON certificates(user_id);

-- Idempotency: the first result of each (actor, client request id).
CREATE TABLE requests (
  actor      TEXT NOT NULL,
  request_id TEXT NOT NULL,
  result     BLOB NOT NULL,
  created_us INTEGER NOT NULL,
  PRIMARY KEY (actor, request_id)
) WITHOUT ROWID;

-- The audit log: append-only, gap-free seq starting at 0 (= Merkle leaf index).
-- leaf holds the canonical event bytes (audit.h); never sensitive plaintext.
CREATE TABLE audit_events (
  seq          INTEGER PRIMARY KEY,
  ts_us        INTEGER NOT NULL,
  actor        TEXT NOT NULL,
  role         TEXT NOT NULL,
  cert_fp      TEXT NOT NULL,
  action       TEXT NOT NULL,
  object_type  TEXT NOT NULL,
  object_id    TEXT NOT NULL,
  state_before TEXT NOT NULL,
  state_after  TEXT NOT NULL,
  reason       TEXT NOT NULL,
  request_id   TEXT NOT NULL,
  leaf         BLOB NOT NULL
);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id, seq);
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;

-- Hashes of every complete Merkle subtree: (level, idx) covers leaves
-- [idx * 2^level, (idx + 1) * 2^level). Level 0 holds the leaf hashes.
CREATE TABLE merkle_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Signed tree heads (docs/audit.md gives the signed bytes).
CREATE TABLE tree_heads (
  tree_size INTEGER PRIMARY KEY,
  root      BLOB NOT NULL,
  ts_us     INTEGER NOT NULL,
  signature BLOB NOT NULL
);
)sql";

// Version 2: links between objects (petition -> lead -> case, duplicate -> original), so
// that a timeline can follow the chain.
constexpr std::string_view kV2 = R"sql(
CREATE TABLE object_links (
  from_id    TEXT NOT NULL,
  to_id      TEXT NOT NULL,
  kind       TEXT NOT NULL,      -- e.g. 'lead', 'case', 'duplicate_of', 'appeal_of'
  created_us INTEGER NOT NULL,
  PRIMARY KEY (from_id, to_id)
) WITHOUT ROWID;
CREATE INDEX object_links_to ON object_links(to_id);
)sql";

// Version 3: petitions (信访举报). Identity and content are sealed BLOBs (keyring.h); ids,
// states, enums, dates, units and ranks stay plain so that lists and statistics need no
// decryption. Deadlines, person indexes and the per-year counters are shared with leads
// and cases.
constexpr std::string_view kV3 = R"sql(
-- Gap-free numbering per kind and year: XF-2026-000001, ...
CREATE TABLE id_counters (
  kind TEXT NOT NULL,
  year INTEGER NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (kind, year)
) WITHOUT ROWID;

CREATE TABLE petitions (
  id              TEXT PRIMARY KEY,
  version         INTEGER NOT NULL,
  state           TEXT NOT NULL,
  channel         TEXT NOT NULL,
  category        TEXT NOT NULL,
  received_date   TEXT NOT NULL,
  anonymous       INTEGER NOT NULL,
  disciplines     TEXT NOT NULL,
  reporter        BLOB,            -- sealed (identity)
  summary         BLOB NOT NULL,   -- sealed (content)
  content         BLOB NOT NULL,   -- sealed (content)
  receipt_digest  BLOB NOT NULL UNIQUE,
  decision_mode   TEXT NOT NULL DEFAULT '',
  decision_reason BLOB,            -- sealed (content)
  decision_to     TEXT NOT NULL DEFAULT '',
  decision_due    TEXT NOT NULL DEFAULT '',
  decided_by      TEXT NOT NULL DEFAULT '',
  decided_date    TEXT NOT NULL DEFAULT '',
  duplicate_of    TEXT NOT NULL DEFAULT '',
  duplicate_count INTEGER NOT NULL DEFAULT 0,
  closed_date     TEXT NOT NULL DEFAULT '',
  conclusion      BLOB,            -- sealed (content)
  registered_by   TEXT NOT NULL,
  created_us      INTEGER NOT NULL,
  updated_us      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX petitions_state ON petitions(state, id);
CREATE INDEX petitions_received ON petitions(received_date, id);

CREATE TABLE petition_subjects (
  petition_id TEXT NOT NULL REFERENCES petitions(id),
  idx         INTEGER NOT NULL,
  subject     BLOB NOT NULL,       -- sealed (identity): the whole Subject record
  unit        TEXT NOT NULL,
  rank        TEXT NOT NULL,
  flags       TEXT NOT NULL,       -- party,top_leader,committee,commission_head
  PRIMARY KEY (petition_id, idx)
) WITHOUT ROWID;
CREATE INDEX petition_subjects_unit ON petition_subjects(unit, petition_id);

-- Blind indexes of people (subjects): keyed HMAC digests, never names.
CREATE TABLE person_index (
  digest    BLOB NOT NULL,
  object_id TEXT NOT NULL,
  PRIMARY KEY (digest, object_id)
) WITHOUT ROWID;

CREATE TABLE petition_messages (
  petition_id TEXT NOT NULL REFERENCES petitions(id),
  seq         INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  date        TEXT NOT NULL,
  means       TEXT NOT NULL,
  body        BLOB NOT NULL,       -- sealed (content)
  author      TEXT NOT NULL,
  created_us  INTEGER NOT NULL,
  PRIMARY KEY (petition_id, seq)
) WITHOUT ROWID;

-- Deadlines of any object (petition, lead, case); open while met_date = ''.
CREATE TABLE deadlines (
  object_id   TEXT NOT NULL,
  name        TEXT NOT NULL,
  due_date    TEXT NOT NULL,
  provisional INTEGER NOT NULL,
  met_date    TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (object_id, name)
) WITHOUT ROWID;
CREATE INDEX deadlines_open ON deadlines(due_date, object_id) WHERE met_date = '';
)sql";

// Version 4: problem leads (问题线索), their subjects, assignment history, disposal
// proposals, notes, and declared recusals (回避).
constexpr std::string_view kV4 = R"sql(
CREATE TABLE leads (
  id               TEXT PRIMARY KEY,
  version          INTEGER NOT NULL,
  state            TEXT NOT NULL,
  source           TEXT NOT NULL,
  petition_id      TEXT NOT NULL DEFAULT '',
  summary          BLOB NOT NULL,   -- sealed (content)
  inspector        TEXT NOT NULL DEFAULT '',
  department       TEXT NOT NULL DEFAULT '',
  report_required  INTEGER NOT NULL,
  reported_date    TEXT NOT NULL DEFAULT '',
  case_id          TEXT NOT NULL DEFAULT '',
  hold_review_date TEXT NOT NULL DEFAULT '',
  registered_by    TEXT NOT NULL,
  registered_date  TEXT NOT NULL,
  closed_date      TEXT NOT NULL DEFAULT '',
  created_us       INTEGER NOT NULL,
  updated_us       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX leads_state ON leads(state, id);
CREATE INDEX leads_inspector ON leads(inspector, id);
CREATE INDEX leads_hold ON leads(hold_review_date) WHERE hold_review_date != '';

CREATE TABLE lead_subjects (
  petition_id TEXT NOT NULL,      -- the lead id (same shape as petition_subjects)
  idx         INTEGER NOT NULL,
  subject     BLOB NOT NULL,      -- sealed (identity)
  unit        TEXT NOT NULL,
  rank        TEXT NOT NULL,
  flags       TEXT NOT NULL,
  PRIMARY KEY (petition_id, idx)
) WITHOUT ROWID;

CREATE TABLE lead_assignments (
  lead_id     TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  inspector   TEXT NOT NULL,
  department  TEXT NOT NULL,
  assigned_by TEXT NOT NULL,
  date        TEXT NOT NULL,
  PRIMARY KEY (lead_id, seq)
) WITHOUT ROWID;

CREATE TABLE lead_proposals (
  lead_id         TEXT NOT NULL,
  seq             INTEGER NOT NULL,
  kind            TEXT NOT NULL,      -- talk-inquiry, verification, hold, close, file-case, ...
  reason          BLOB NOT NULL,      -- sealed (content)
  proposed_by     TEXT NOT NULL,
  date            TEXT NOT NULL,
  return_state    TEXT NOT NULL,      -- where a rejection sends the lead
  outcome         TEXT NOT NULL DEFAULT '',
  decided_by      TEXT NOT NULL DEFAULT '',
  decision_reason BLOB,               -- sealed (content)
  PRIMARY KEY (lead_id, seq)
) WITHOUT ROWID;

CREATE TABLE lead_notes (
  petition_id TEXT NOT NULL,      -- the lead id (same shape as petition_messages)
  seq         INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  date        TEXT NOT NULL,
  means       TEXT NOT NULL,
  body        BLOB NOT NULL,      -- sealed (content)
  author      TEXT NOT NULL,
  created_us  INTEGER NOT NULL,
  PRIMARY KEY (petition_id, seq)
) WITHOUT ROWID;

-- Declared conflicts: a user may not handle a matter about this person digest or petition.
CREATE TABLE recusals (
  user_id    TEXT NOT NULL,
  target     BLOB NOT NULL,       -- person blind-index digest, or a petition id (as bytes)
  kind       TEXT NOT NULL,       -- subject, reporter_of
  ground     TEXT NOT NULL,       -- relative, witness, interest, other
  reason     BLOB NOT NULL,       -- sealed (content)
  created_us INTEGER NOT NULL,
  PRIMARY KEY (user_id, target)
) WITHOUT ROWID;
CREATE INDEX recusals_target ON recusals(target);
)sql";

// Version 5: cases (立案审查调查) and the persons in them. Case notes share lead_notes.
constexpr std::string_view kV5 = R"sql(
CREATE TABLE cases (
  id                TEXT PRIMARY KEY,
  version           INTEGER NOT NULL,
  state             TEXT NOT NULL,
  lead_id           TEXT NOT NULL,
  inspector         TEXT NOT NULL,
  requested_by      TEXT NOT NULL,
  approved_by       TEXT NOT NULL DEFAULT '',
  external_approver BLOB,            -- sealed (identity of the committee head)
  external_date     TEXT NOT NULL DEFAULT '',
  filed_date        TEXT NOT NULL DEFAULT '',
  closed_date       TEXT NOT NULL DEFAULT '',
  created_us        INTEGER NOT NULL,
  updated_us        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX cases_state ON cases(state, id);
CREATE INDEX cases_inspector ON cases(inspector, id);

CREATE TABLE case_persons (
  case_id          TEXT NOT NULL,
  idx              INTEGER NOT NULL,
  person           BLOB NOT NULL,   -- sealed (identity): name and unit
  decision         BLOB,            -- sealed (content)
  decision_date    TEXT NOT NULL DEFAULT '',
  to_procuratorate INTEGER NOT NULL DEFAULT 0,
  announced_date   TEXT NOT NULL DEFAULT '',
  delivered_date   TEXT NOT NULL DEFAULT '',
  filed_date       TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (case_id, idx)
) WITHOUT ROWID;
)sql";

// Version 6: dispositions (四种形态) of one person in a lead or case, their history, the
// blind indexes that find them by person, and integrity checks (廉政意见回复). Measures,
// form, unit and dates stay plain so that statistics and period lists need no decryption;
// reasons and the person's name are sealed.
constexpr std::string_view kV6 = R"sql(
CREATE TABLE dispositions (
  id               TEXT PRIMARY KEY,
  version          INTEGER NOT NULL,
  state            TEXT NOT NULL,      -- PROPOSED, APPROVED, REJECTED, REVOKED
  object_id        TEXT NOT NULL,      -- XS-... or LA-...
  subject_idx      INTEGER NOT NULL,
  unit             TEXT NOT NULL,
  measures         TEXT NOT NULL,      -- measure codes, comma-separated, table order
  form             INTEGER NOT NULL,   -- derived from the measures
  party            INTEGER NOT NULL,   -- has a party sanction (党纪处分)
  government       INTEGER NOT NULL,   -- has a government sanction (政务处分)
  disciplines      TEXT NOT NULL,
  decided_date     TEXT NOT NULL,
  probation_months INTEGER NOT NULL,
  period_months    INTEGER NOT NULL,
  permanent        INTEGER NOT NULL,
  period_end       TEXT NOT NULL,      -- '' when none or permanent
  reason           BLOB NOT NULL,      -- sealed (content)
  proposed_by      TEXT NOT NULL,
  approved_by      TEXT NOT NULL DEFAULT '',
  announced_date   TEXT NOT NULL DEFAULT '',
  delivered_date   TEXT NOT NULL DEFAULT '',
  filed_date       TEXT NOT NULL DEFAULT '',
  appeal_petition  TEXT NOT NULL DEFAULT '',
  appeal_outcome   TEXT NOT NULL DEFAULT '',
  created_us       INTEGER NOT NULL,
  updated_us       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX dispositions_object ON dispositions(object_id, subject_idx);
-- Statistics: one covering range scan over the decision dates of approved dispositions.
CREATE INDEX dispositions_stats
  ON dispositions(state, decided_date, unit, form, measures, party, government);
-- Period lists: approved dispositions by the end of their period.
CREATE INDEX dispositions_period ON dispositions(state, permanent, period_end);

CREATE TABLE disposition_history (
  disposition_id TEXT NOT NULL,
  seq            INTEGER NOT NULL,
  kind           TEXT NOT NULL,
  date           TEXT NOT NULL,
  actor          TEXT NOT NULL,
  measures       TEXT NOT NULL,
  text           BLOB,                 -- sealed (content)
  PRIMARY KEY (disposition_id, seq)
) WITHOUT ROWID;

-- A disposition's person by blind index (the digests of person_index), kept apart so that
-- duplicate searches over petitions and leads never meet dispositions.
CREATE TABLE disposition_index (
  digest         BLOB NOT NULL,
  disposition_id TEXT NOT NULL,
  PRIMARY KEY (digest, disposition_id)
) WITHOUT ROWID;

-- Integrity checks (廉政意见回复): who asked, when, and the opinion given. The person is
-- a blind-index digest; the purpose is sealed.
CREATE TABLE integrity_checks (
  id          TEXT PRIMARY KEY,        -- LZ-YYYY-NNNNNN
  digest      BLOB NOT NULL,
  purpose     BLOB,                    -- sealed (content)
  opinion     TEXT NOT NULL,
  asked_by    TEXT NOT NULL,
  date        TEXT NOT NULL,
  created_us  INTEGER NOT NULL
) WITHOUT ROWID;

-- Statistics over petitions, leads and cases by date.
CREATE INDEX petitions_stats
  ON petitions(received_date, channel, category, decision_mode, anonymous);
CREATE INDEX leads_registered ON leads(registered_date, source);
CREATE INDEX cases_filed ON cases(filed_date);
CREATE INDEX cases_closed ON cases(closed_date);
CREATE INDEX cases_lead ON cases(lead_id);
)sql";

// Version 7: identity unsealing under dual control (申请 → 批准 → 限时查看 → 过期).
constexpr std::string_view kV7 = R"sql(
CREATE TABLE unseal_requests (
  id              TEXT PRIMARY KEY,    -- JM-YYYY-NNNNNN
  petition_id     TEXT NOT NULL,
  state           TEXT NOT NULL,       -- UNSEAL_PENDING, _APPROVED, _REFUSED, _EXPIRED
  requested_by    TEXT NOT NULL,
  reason          BLOB NOT NULL,       -- sealed (content)
  decided_by      TEXT NOT NULL DEFAULT '',
  decision_reason BLOB,                -- sealed (content)
  requested_us    INTEGER NOT NULL,
  decided_us      INTEGER NOT NULL DEFAULT 0,
  expires_us      INTEGER NOT NULL DEFAULT 0,
  views           INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX unseal_requests_petition ON unseal_requests(petition_id, requested_by);
CREATE INDEX unseal_requests_open ON unseal_requests(expires_us) WHERE state = 'UNSEAL_APPROVED';
)sql";

// Version 8: data-key rotations and the progress of their background resealing.
constexpr std::string_view kV8 = R"sql(
CREATE TABLE key_rotations (
  key_id          TEXT PRIMARY KEY,    -- the new key
  domain          TEXT NOT NULL,
  replaced_key_id TEXT NOT NULL,
  requested_by    TEXT NOT NULL,
  started_us      INTEGER NOT NULL,
  finished_us     INTEGER NOT NULL DEFAULT 0,
  resealed        INTEGER NOT NULL DEFAULT 0,
  position        TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
)sql";

// Version 9: blind-index digests carry the tag of the index key they were made under (the
// last 8 characters of its key id), so that an index-key rotation can carry each one
// forward and resume where it stopped. Digests made before are the active index key's.
constexpr std::string_view kV9 = R"sql(
CREATE TEMP TABLE v9_tag AS
  SELECT CAST(substr(key_id, -8) AS BLOB) AS tag FROM keys WHERE domain = 'index' AND active = 1;
UPDATE person_index SET digest = digest || (SELECT tag FROM v9_tag) WHERE length(digest) = 16;
UPDATE disposition_index SET digest = digest || (SELECT tag FROM v9_tag) WHERE length(digest) = 16;
UPDATE petitions SET receipt_digest = receipt_digest || (SELECT tag FROM v9_tag)
  WHERE length(receipt_digest) = 16;
UPDATE recusals SET target = target || (SELECT tag FROM v9_tag)
  WHERE kind = 'subject' AND length(target) = 16;
UPDATE integrity_checks SET digest = digest || (SELECT tag FROM v9_tag) WHERE length(digest) = 16;
DROP TABLE v9_tag;
)sql";

// Version 10: lists and queues at national volume.
// Ids are KIND-YYYY-NNNNNN, and from the millionth object of a kind in a year they have 7 to
// 9 digits, which no longer sort as text. Each paged table gets id_order, year * 10^9 +
// number, derived from the id (IdOrder in schema.h computes the same), and lists walk an
// index on it; unique, so that a page ends at one row and the next starts after it.
// Work queues (server/queue.cc) read each lane of pending work as one range in id order: by
// state, by inspector and state ('' = unassigned), and the leads whose report to the higher
// commission is due in any state. These replace the (state, id) and (inspector, id) indexes
// of leads and cases, whose equality lookups they serve as well.
constexpr std::string_view kV10 = R"sql(
ALTER TABLE petitions ADD COLUMN id_order INTEGER GENERATED ALWAYS AS (
  CAST(substr(id, instr(id, '-') + 1, 4) AS INTEGER) * 1000000000
  + CAST(substr(id, instr(id, '-') + 6) AS INTEGER)) VIRTUAL;
ALTER TABLE leads ADD COLUMN id_order INTEGER GENERATED ALWAYS AS (
  CAST(substr(id, instr(id, '-') + 1, 4) AS INTEGER) * 1000000000
  + CAST(substr(id, instr(id, '-') + 6) AS INTEGER)) VIRTUAL;
ALTER TABLE cases ADD COLUMN id_order INTEGER GENERATED ALWAYS AS (
  CAST(substr(id, instr(id, '-') + 1, 4) AS INTEGER) * 1000000000
  + CAST(substr(id, instr(id, '-') + 6) AS INTEGER)) VIRTUAL;
ALTER TABLE dispositions ADD COLUMN id_order INTEGER GENERATED ALWAYS AS (
  CAST(substr(id, instr(id, '-') + 1, 4) AS INTEGER) * 1000000000
  + CAST(substr(id, instr(id, '-') + 6) AS INTEGER)) VIRTUAL;
ALTER TABLE unseal_requests ADD COLUMN id_order INTEGER GENERATED ALWAYS AS (
  CAST(substr(id, instr(id, '-') + 1, 4) AS INTEGER) * 1000000000
  + CAST(substr(id, instr(id, '-') + 6) AS INTEGER)) VIRTUAL;
CREATE UNIQUE INDEX petitions_order ON petitions(id_order);
CREATE UNIQUE INDEX leads_order ON leads(id_order);
CREATE UNIQUE INDEX cases_order ON cases(id_order);
CREATE UNIQUE INDEX dispositions_order ON dispositions(id_order);
CREATE UNIQUE INDEX unseal_requests_order ON unseal_requests(id_order);

DROP INDEX leads_state;
DROP INDEX leads_inspector;
DROP INDEX cases_state;
DROP INDEX cases_inspector;
CREATE INDEX leads_state_order ON leads(state, id_order);
CREATE INDEX leads_inspector_order ON leads(inspector, state, id_order);
CREATE INDEX leads_report_due ON leads(id_order) WHERE report_required = 1 AND reported_date = '';
CREATE INDEX cases_state_order ON cases(state, id_order);
CREATE INDEX cases_inspector_order ON cases(inspector, state, id_order);
)sql";

// Version 11: statistics counters (storage/stats.h). Per unit ('' = every unit), per day and
// per month, how many objects share each combination of the columns the statistics group by.
// The write path keeps them in the writing transaction; the *_recount views count the same
// from the rows (the backfill below, and `jijian-server verify`). A petition or lead counts
// once under '' and once under each distinct unit of its subjects; a case under its lead's
// units; a disposition under '' and its person's unit. Applying this again recounts the
// counters from the rows.
constexpr std::string_view kV11 = R"sql(
-- Every counter row is of one grain: 'day' (period YYYY-MM-DD) or 'month' (period YYYY-MM).

-- Approved dispositions (四种形态) by decision date, in person-times.
CREATE TABLE IF NOT EXISTS stats_dispositions (
  unit       TEXT NOT NULL,
  grain      TEXT NOT NULL,
  period     TEXT NOT NULL,      -- of decided_date
  form       INTEGER NOT NULL,
  measures   TEXT NOT NULL,
  party      INTEGER NOT NULL,
  government INTEGER NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (unit, grain, period, form, measures, party, government)
) WITHOUT ROWID;

-- Petitions by date received.
CREATE TABLE IF NOT EXISTS stats_petitions (
  unit      TEXT NOT NULL,
  grain     TEXT NOT NULL,
  period    TEXT NOT NULL,       -- of received_date
  channel   TEXT NOT NULL,
  category  TEXT NOT NULL,
  mode      TEXT NOT NULL,       -- decision_mode; '' until decided
  anonymous INTEGER NOT NULL,
  n         INTEGER NOT NULL,
  PRIMARY KEY (unit, grain, period, channel, category, mode, anonymous)
) WITHOUT ROWID;

-- The acceptance-notice and result-feedback deadlines of petitions, by the date the petition
-- was received. Met ones are counted under open_due = '' (n, and on_time if met by the due
-- date); open ones under their due date, so that a read can count those due before any day.
CREATE TABLE IF NOT EXISTS stats_petition_deadlines (
  unit     TEXT NOT NULL,
  name     TEXT NOT NULL,
  grain    TEXT NOT NULL,
  period   TEXT NOT NULL,        -- of the petition's received_date
  open_due TEXT NOT NULL,
  n        INTEGER NOT NULL,
  on_time  INTEGER NOT NULL,
  PRIMARY KEY (unit, name, grain, period, open_due)
) WITHOUT ROWID;

-- Leads by date registered.
CREATE TABLE IF NOT EXISTS stats_leads (
  unit   TEXT NOT NULL,
  grain  TEXT NOT NULL,
  period TEXT NOT NULL,          -- of registered_date
  source TEXT NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (unit, grain, period, source)
) WITHOUT ROWID;

-- Approved disposal proposals of leads, by the date proposed.
CREATE TABLE IF NOT EXISTS stats_lead_disposals (
  unit   TEXT NOT NULL,
  grain  TEXT NOT NULL,
  period TEXT NOT NULL,          -- of lead_proposals.date
  kind   TEXT NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (unit, grain, period, kind)
) WITHOUT ROWID;

-- Cases filed and closed, by that date.
CREATE TABLE IF NOT EXISTS stats_cases (
  unit   TEXT NOT NULL,
  grain  TEXT NOT NULL,
  period TEXT NOT NULL,
  kind   TEXT NOT NULL,          -- filed, closed
  n      INTEGER NOT NULL,
  PRIMARY KEY (unit, grain, period, kind)
) WITHOUT ROWID;

-- The two grains, and the units each petition and lead is counted under.
CREATE VIEW IF NOT EXISTS stats_grains AS SELECT 'day' AS grain UNION ALL SELECT 'month';
CREATE VIEW IF NOT EXISTS stats_petition_units AS
  SELECT id AS object_id, '' AS unit FROM petitions
  UNION SELECT petition_id, unit FROM petition_subjects WHERE unit != '';
CREATE VIEW IF NOT EXISTS stats_lead_units AS
  SELECT id AS object_id, '' AS unit FROM leads
  UNION SELECT petition_id, unit FROM lead_subjects WHERE unit != '';

CREATE VIEW IF NOT EXISTS stats_dispositions_recount AS
  SELECT u.unit, g.grain,
         CASE g.grain WHEN 'day' THEN d.decided_date ELSE substr(d.decided_date, 1, 7) END
           AS period,
         d.form, d.measures, d.party, d.government, COUNT(*) AS n
    FROM dispositions d JOIN stats_grains g
    JOIN (SELECT id, '' AS unit FROM dispositions
          UNION ALL SELECT id, unit FROM dispositions WHERE unit != '') u ON u.id = d.id
    WHERE d.state = 'DISPOSITION_APPROVED'
    GROUP BY u.unit, g.grain, period, d.form, d.measures, d.party, d.government;
CREATE VIEW IF NOT EXISTS stats_petitions_recount AS
  SELECT u.unit, g.grain,
         CASE g.grain WHEN 'day' THEN p.received_date ELSE substr(p.received_date, 1, 7) END
           AS period,
         p.channel, p.category, p.decision_mode AS mode, p.anonymous, COUNT(*) AS n
    FROM petitions p JOIN stats_grains g JOIN stats_petition_units u ON u.object_id = p.id
    GROUP BY u.unit, g.grain, period, p.channel, p.category, p.decision_mode, p.anonymous;
CREATE VIEW IF NOT EXISTS stats_petition_deadlines_recount AS
  SELECT u.unit, d.name, g.grain,
         CASE g.grain WHEN 'day' THEN p.received_date ELSE substr(p.received_date, 1, 7) END
           AS period,
         CASE WHEN d.met_date = '' THEN d.due_date ELSE '' END AS open_due, COUNT(*) AS n,
         SUM(d.met_date != '' AND d.met_date <= d.due_date) AS on_time
    FROM deadlines d JOIN petitions p ON p.id = d.object_id JOIN stats_grains g
    JOIN stats_petition_units u ON u.object_id = p.id
    WHERE d.name IN ('acceptance_notice', 'result_feedback')
    GROUP BY u.unit, d.name, g.grain, period, open_due;
CREATE VIEW IF NOT EXISTS stats_leads_recount AS
  SELECT u.unit, g.grain,
         CASE g.grain WHEN 'day' THEN l.registered_date ELSE substr(l.registered_date, 1, 7) END
           AS period,
         l.source, COUNT(*) AS n
    FROM leads l JOIN stats_grains g JOIN stats_lead_units u ON u.object_id = l.id
    GROUP BY u.unit, g.grain, period, l.source;
CREATE VIEW IF NOT EXISTS stats_lead_disposals_recount AS
  SELECT u.unit, g.grain,
         CASE g.grain WHEN 'day' THEN p.date ELSE substr(p.date, 1, 7) END AS period,
         p.kind, COUNT(*) AS n
    FROM lead_proposals p JOIN leads l ON l.id = p.lead_id JOIN stats_grains g
    JOIN stats_lead_units u ON u.object_id = l.id
    WHERE p.outcome = 'approved'
    GROUP BY u.unit, g.grain, period, p.kind;
CREATE VIEW IF NOT EXISTS stats_cases_recount AS
  SELECT u.unit, g.grain,
         CASE g.grain WHEN 'day' THEN k.day ELSE substr(k.day, 1, 7) END AS period,
         k.kind, COUNT(*) AS n
    FROM (SELECT lead_id, filed_date AS day, 'filed' AS kind FROM cases WHERE filed_date != ''
          UNION ALL
          SELECT lead_id, closed_date, 'closed' FROM cases WHERE closed_date != '') k
    JOIN stats_grains g JOIN stats_lead_units u ON u.object_id = k.lead_id
    GROUP BY u.unit, g.grain, period, k.kind;

-- The backfill: what the rows written before this version count.
DELETE FROM stats_dispositions;
INSERT INTO stats_dispositions SELECT * FROM stats_dispositions_recount;
DELETE FROM stats_petitions;
INSERT INTO stats_petitions SELECT * FROM stats_petitions_recount;
DELETE FROM stats_petition_deadlines;
INSERT INTO stats_petition_deadlines SELECT * FROM stats_petition_deadlines_recount;
DELETE FROM stats_leads;
INSERT INTO stats_leads SELECT * FROM stats_leads_recount;
DELETE FROM stats_lead_disposals;
INSERT INTO stats_lead_disposals SELECT * FROM stats_lead_disposals_recount;
DELETE FROM stats_cases;
INSERT INTO stats_cases SELECT * FROM stats_cases_recount;
)sql";

}  // namespace

const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, kV1}, {2, kV2}, {3, kV3}, {4, kV4}, {5, kV5},
      {6, kV6}, {7, kV7}, {8, kV8}, {9, kV9}, {10, kV10}, {11, kV11},
  };
  return kMigrations;
}

int LatestSchemaVersion() { return Migrations().back().version; }

int64_t IdOrder(std::string_view id) {
  const size_t dash = id.find('-');
  if (dash == std::string_view::npos) return 0;
  // As SQLite's CAST(text AS INTEGER): the leading digits, 0 if none.
  auto digits = [](std::string_view text) {
    int64_t n = 0;
    for (char c : text) {
      if (c < '0' || c > '9') break;
      n = n * 10 + (c - '0');
    }
    return n;
  };
  const int64_t year = digits(id.substr(dash + 1, 4));
  const int64_t number = dash + 6 <= id.size() ? digits(id.substr(dash + 6)) : 0;
  return year * kIdNumberSpan + number;
}

absl::Status Migrate(Db& db) {
  absl::StatusOr<std::optional<int64_t>> current = db.QueryInt("PRAGMA user_version");
  if (!current.ok()) return current.status();
  int64_t version = current->value_or(0);
  if (version > LatestSchemaVersion()) {
    return absl::FailedPreconditionError(
        absl::StrCat("database schema version ", version, " is newer than this build (",
                     LatestSchemaVersion(), "); upgrade jijian-server"));
  }
  for (const Migration& m : Migrations()) {
    if (m.version <= version) continue;
    absl::Status st = db.Exec("BEGIN IMMEDIATE");
    if (st.ok()) st = db.Exec(m.sql);
    if (st.ok()) st = db.Exec(absl::StrCat("PRAGMA user_version = ", m.version));
    if (st.ok()) st = db.Exec("COMMIT");
    if (!st.ok()) {
      (void)db.Exec("ROLLBACK");
      return absl::Status(st.code(),
                          absl::StrCat("migration to schema ", m.version, ": ", st.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace jijian::storage
