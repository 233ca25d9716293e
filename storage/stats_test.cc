#include "storage/stats.h"

#include <stdlib.h>

#include <functional>

#include "gtest/gtest.h"
#include "storage/cases.h"
#include "storage/dispositions.h"
#include "storage/leads.h"
#include "storage/petitions.h"

namespace jijian::storage {
namespace {

const Actor kWriter{"writer", "registrar", "fp-writer"};

class StatsUpkeepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/stats_test_XXXXXX";
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Create({.path = dir + "/jijian.db"}, *Kek::FromBytes(std::string(32, '\x42')));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Runs body as one mutation, then expects every counter to equal the count of the rows.
  void Write(const std::string& what, const std::function<absl::Status(WriteTxn&)>& body) {
    SCOPED_TRACE(what);
    absl::StatusOr<std::string> done =
        store_->Apply(kWriter, "", [&](WriteTxn& txn) -> absl::StatusOr<std::string> {
          if (absl::Status st = body(txn); !st.ok()) return st;
          absl::StatusOr<int64_t> seq = txn.AppendEvent({what, "test", "", "", "", ""});
          if (!seq.ok()) return seq.status();
          return std::string();
        });
    ASSERT_TRUE(done.ok()) << done.status();
    absl::StatusOr<std::vector<std::string>> differ =
        store_->Read<std::vector<std::string>>([](Db& db) { return CheckStatsCounters(db, 20); });
    ASSERT_TRUE(differ.ok()) << differ.status();
    for (const std::string& d : *differ) ADD_FAILURE() << d;
  }

  int64_t Counter(const std::string& sql) {
    return *store_->Read<int64_t>([&](Db& db) -> absl::StatusOr<int64_t> {
      absl::StatusOr<std::optional<int64_t>> n = db.QueryInt(sql);
      if (!n.ok()) return n.status();
      return n->value_or(0);
    });
  }

  std::unique_ptr<Store> store_;
};

PetitionRow Petition(const std::string& id, const std::string& received) {
  PetitionRow p;
  p.id = id;
  p.state = "PETITION_REGISTERED";
  p.channel = "CHANNEL_LETTER";
  p.category = "CATEGORY_ACCUSATION";
  p.received_date = received;
  p.summary = p.content = "sealed";
  p.receipt_digest = "digest-" + id;
  p.registered_by = "writer";
  return p;
}

SubjectRow Subject(const std::string& object, int64_t idx, const std::string& unit) {
  return SubjectRow{object, idx, "sealed", unit, "section", ""};
}

// The services add subjects right after their object, before any deadline, proposal or case;
// the upkeep does not depend on that order, on received or registered dates never changing,
// or on which column of a row changes.
TEST_F(StatsUpkeepTest, CountersFollowChangesInAnyOrder) {
  PetitionRow p = Petition("XF-2026-000001", "2026-03-02");
  Write("petition without subjects", [&](WriteTxn& txn) { return InsertPetition(txn, p); });
  Write("deadlines before any subject", [&](WriteTxn& txn) {
    if (absl::Status st = SetDeadline(txn, {p.id, "acceptance_notice", "2026-03-20", false, ""});
        !st.ok())
      return st;
    if (absl::Status st = SetDeadline(txn, {p.id, "proposal", "2026-03-20", false, ""}); !st.ok())
      return st;
    return SetDeadline(txn, {p.id, "result_feedback", "2026-04-20", false, "2026-04-01"});
  });
  Write("subjects of one unit twice and of another", [&](WriteTxn& txn) -> absl::Status {
    for (const SubjectRow& s : {Subject(p.id, 1, "甲"), Subject(p.id, 2, "甲"),
                                Subject(p.id, 3, "乙"), Subject(p.id, 4, "")}) {
      if (absl::Status st = InsertSubject(txn, s); !st.ok()) return st;
    }
    return absl::OkStatus();
  });
  EXPECT_EQ(Counter("SELECT SUM(n) FROM stats_petitions WHERE unit = '甲' AND grain = 'day'"), 1);
  EXPECT_EQ(Counter("SELECT SUM(n) FROM stats_petitions WHERE unit = '甲' AND grain = 'month' "
                    "AND period = '2026-03'"),
            1);
  EXPECT_EQ(Counter("SELECT SUM(n) FROM stats_petition_deadlines WHERE unit = '乙' "
                    "AND grain = 'day'"),
            2);
  Write("deadline met late, replaced, dropped", [&](WriteTxn& txn) {
    if (absl::Status st = MeetDeadline(txn, p.id, "acceptance_notice", "2026-03-25"); !st.ok())
      return st;
    if (absl::Status st = SetDeadline(txn, {p.id, "result_feedback", "2026-05-20", false, ""});
        !st.ok())
      return st;
    return DropDeadline(txn, p.id, "result_feedback");
  });
  Write("received date and mode changed", [&](WriteTxn& txn) {
    p.received_date = "2026-02-27";
    p.decision_mode = "HANDLING_ACCEPT";
    return UpdatePetition(txn, p);
  });
  EXPECT_EQ(Counter("SELECT SUM(n) FROM stats_petition_deadlines WHERE period = '2026-02-27'"), 3);
  EXPECT_EQ(Counter("SELECT COUNT(*) FROM stats_petitions WHERE period LIKE '2026-03%'"), 0)
      << "counters that fell to zero are removed";

  LeadRow lead;
  lead.id = "XS-2026-000001";
  lead.state = "LEAD_REGISTERED";
  lead.source = "LEAD_SOURCE_PETITION";
  lead.summary = "sealed";
  lead.registered_by = "writer";
  lead.registered_date = "2026-03-05";
  CaseRow c{"LA-2026-000001",
            1,
            "CASE_INVESTIGATION",
            lead.id,
            "insp",
            "cm",
            "ldr",
            "",
            "",
            "2026-04-01",
            "",
            0,
            0};
  Write("lead, proposals and case before any subject", [&](WriteTxn& txn) -> absl::Status {
    if (absl::Status st = InsertLead(txn, lead); !st.ok()) return st;
    for (const char* kind : {"verification", "file-case", "close"}) {
      absl::StatusOr<int64_t> seq =
          AddProposal(txn, {lead.id, 0, kind, "sealed", "insp", "2026-03-10", "", "", "", ""});
      if (!seq.ok()) return seq.status();
      if (std::string(kind) == "close") continue;
      if (absl::Status st = DecideProposal(
              txn, {lead.id, *seq, kind, "", "", "", "", "approved", "ldr", "sealed"});
          !st.ok())
        return st;
    }
    return InsertCase(txn, c);
  });
  Write("lead subjects", [&](WriteTxn& txn) -> absl::Status {
    for (const SubjectRow& s : {Subject(lead.id, 1, "丙"), Subject(lead.id, 2, "甲")}) {
      if (absl::Status st = InsertSubject(txn, s, kLeadSubjects); !st.ok()) return st;
    }
    return absl::OkStatus();
  });
  EXPECT_EQ(Counter("SELECT SUM(n) FROM stats_lead_disposals WHERE unit = '丙' AND grain = 'day'"),
            2);
  EXPECT_EQ(Counter("SELECT SUM(n) FROM stats_cases WHERE unit = '甲' AND kind = 'filed' "
                    "AND grain = 'month'"),
            1);
  Write("lead source, case closed, proposal rejected after approval", [&](WriteTxn& txn) {
    lead.source = "LEAD_SOURCE_AUDIT";
    if (absl::Status st = UpdateLead(txn, lead); !st.ok()) return st;
    c.closed_date = "2026-06-01";
    if (absl::Status st = UpdateCase(txn, c); !st.ok()) return st;
    return DecideProposal(txn, {lead.id, 1, "verification", "", "", "", "", "rejected", "ldr", ""});
  });

  DispositionRow d;
  d.id = "CZ-2026-000001";
  d.state = "DISPOSITION_APPROVED";
  d.object_id = c.id;
  d.subject_idx = 1;
  d.unit = "丙";
  d.measures = "party-warning";
  d.form = 2;
  d.party = true;
  d.decided_date = "2026-05-01";
  d.reason = "sealed";
  d.proposed_by = "rev";
  Write("disposition inserted approved", [&](WriteTxn& txn) { return InsertDisposition(txn, d); });
  Write("disposition moved to another unit and day", [&](WriteTxn& txn) {
    d.unit = "丁";
    d.decided_date = "2026-05-02";
    return UpdateDisposition(txn, d);
  });
  EXPECT_EQ(Counter("SELECT COUNT(*) FROM stats_dispositions WHERE unit = '丙'"), 0);
  EXPECT_EQ(Counter("SELECT SUM(n) FROM stats_dispositions WHERE unit = '丁' AND grain = 'day'"),
            1);
  Write("disposition revoked", [&](WriteTxn& txn) {
    d.state = "DISPOSITION_REVOKED";
    return UpdateDisposition(txn, d);
  });
  EXPECT_EQ(Counter("SELECT COUNT(*) FROM stats_dispositions"), 0);
}

// A mutation that fails rolls its counter changes back with its rows.
TEST_F(StatsUpkeepTest, AFailedMutationLeavesNoCount) {
  absl::StatusOr<std::string> failed =
      store_->Apply(kWriter, "", [&](WriteTxn& txn) -> absl::StatusOr<std::string> {
        if (absl::Status st = InsertPetition(txn, Petition("XF-2026-000001", "2026-03-02"));
            !st.ok())
          return st;
        return absl::AbortedError("changed my mind");
      });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Counter("SELECT COUNT(*) FROM stats_petitions"), 0);
  EXPECT_EQ(Counter("SELECT COUNT(*) FROM petitions"), 0);
}

// The recount finds each kind of difference between the counters and the rows, and lists
// at most as many as asked.
TEST_F(StatsUpkeepTest, TheRecountNamesEveryCounterRowThatDiffers) {
  Write("two petitions", [&](WriteTxn& txn) -> absl::Status {
    for (const PetitionRow& p :
         {Petition("XF-2026-000001", "2026-03-02"), Petition("XF-2026-000002", "2026-03-05")}) {
      if (absl::Status st = InsertPetition(txn, p); !st.ok()) return st;
    }
    return InsertSubject(txn, Subject("XF-2026-000001", 1, "甲"));
  });
  auto check = [&](size_t max_listed) {
    return *store_->Read<std::vector<std::string>>(
        [&](Db& db) { return CheckStatsCounters(db, max_listed); });
  };
  ASSERT_TRUE(check(20).empty());
  // A count changed, a row lost, a row that counts nothing, and a row of all zeros (the same
  // as no row, so not a difference).
  ASSERT_TRUE(store_
                  ->Apply(kWriter, "",
                          [](WriteTxn& txn) -> absl::StatusOr<std::string> {
                            if (absl::Status st = txn.db().Exec(
                                    "UPDATE stats_petitions SET n = n + 5 WHERE unit = '' AND "
                                    "grain = 'month';"
                                    "DELETE FROM stats_petitions WHERE unit = '甲' AND "
                                    "grain = 'day';"
                                    "INSERT INTO stats_petitions VALUES ('丙', 'day', "
                                    "'2026-03-09', 'CHANNEL_VISIT', 'CATEGORY_OTHER', '', 0, 2);"
                                    "INSERT INTO stats_petitions VALUES ('丁', 'day', "
                                    "'2026-03-09', 'CHANNEL_VISIT', 'CATEGORY_OTHER', '', 0, 0);");
                                !st.ok())
                              return st;
                            return std::string();
                          })
                  .ok());
  const std::vector<std::string> differ = check(20);
  ASSERT_EQ(differ.size(), 3u) << ::testing::PrintToString(differ);
  // In key order: unit '' before '丙' before '甲' (bytewise UTF-8).
  EXPECT_EQ(differ[0],
            "stats_petitions (unit='' grain='month' period='2026-03' channel='CHANNEL_LETTER' "
            "category='CATEGORY_ACCUSATION' mode='' anonymous='0'): the counters hold n=7, the "
            "rows give n=2");
  EXPECT_EQ(differ[1],
            "stats_petitions (unit='丙' grain='day' period='2026-03-09' channel='CHANNEL_VISIT' "
            "category='CATEGORY_OTHER' mode='' anonymous='0'): the counters hold n=2, the rows "
            "give n=0");
  EXPECT_EQ(differ[2],
            "stats_petitions (unit='甲' grain='day' period='2026-03-02' channel='CHANNEL_LETTER' "
            "category='CATEGORY_ACCUSATION' mode='' anonymous='0'): the counters hold n=0, the "
            "rows give n=1");
  const std::vector<std::string> first = check(1);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], differ[0]);
  EXPECT_EQ(first[1], "... and more counter rows that differ");
}

}  // namespace
}  // namespace jijian::storage
