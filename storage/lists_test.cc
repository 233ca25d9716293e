// Lists and queue lanes at national volume: ids order by year, then number, however many
// digits the number has, and every list and lane is one range of an index (schema 10), as
// SQLite plans the very statements the functions run.
#include <sqlite3.h>
#include <stdlib.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/cases.h"
#include "storage/crypto.h"
#include "storage/dispositions.h"
#include "storage/leads.h"
#include "storage/petitions.h"
#include "storage/schema.h"
#include "storage/store.h"
#include "storage/unseal.h"

namespace jijian::storage {
namespace {

const Actor kSystem{"system", "system", ""};

class ListsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = ::testing::TempDir() + "/lists_test_XXXXXX";
    ASSERT_NE(::mkdtemp(dir.data()), nullptr);
    Store::Options options;
    options.path = dir + "/jijian.db";
    absl::StatusOr<std::unique_ptr<Store>> store =
        Store::Create(options, *Kek::FromBytes(std::string(32, '\x42')));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Inserts a lead row per id (state REGISTERED, nothing sealed that anyone opens).
  void InsertLeads(const std::vector<std::string>& ids) {
    absl::StatusOr<std::string> done =
        store_->Apply(kSystem, "", [&](WriteTxn& txn) -> absl::StatusOr<std::string> {
          for (const std::string& id : ids) {
            LeadRow row;
            row.id = id;
            row.state = "LEAD_REGISTERED";
            row.source = "LEAD_SOURCE_AUDIT";
            row.summary = "x";
            row.registered_by = "cm";
            row.registered_date = "2023-01-01";
            if (absl::Status st = InsertLead(txn, row); !st.ok()) return st;
          }
          return std::string();
        });
    ASSERT_TRUE(done.ok()) << done.status();
  }

  std::unique_ptr<Store> store_;
};

TEST_F(ListsTest, IdOrderIsTheColumnsValueAndOrdersByYearThenNumber) {
  // Inserted out of order; listed by year, then number.
  const std::vector<std::string> ordered = {
      "XS-2022-1000000", "XS-2023-000001",   "XS-2023-000010",    "XS-2023-100000",
      "XS-2023-100001",  "XS-2023-999999",   "XS-2023-1000000",   "XS-2023-1000001",
      "XS-2023-9999999", "XS-2023-10000000", "XS-2023-999999999", "XS-2024-000001"};
  InsertLeads({ordered[7], ordered[3], ordered[11], ordered[0], ordered[5], ordered[9], ordered[1],
               ordered[10], ordered[6], ordered[4], ordered[8], ordered[2]});
  std::vector<std::string> stored = *store_->Read<std::vector<std::string>>(
      [&](Db& db) -> absl::StatusOr<std::vector<std::string>> {
        absl::StatusOr<Stmt> q = db.Prepare("SELECT id, id_order FROM leads ORDER BY id_order");
        if (!q.ok()) return q.status();
        return q->Collect<std::string>([](const Stmt& s) {
          EXPECT_EQ(s.Int(1), IdOrder(s.Text(0))) << s.Text(0);
          return s.Text(0);
        });
      });
  EXPECT_EQ(stored, ordered);
  EXPECT_EQ(IdOrder(""), 0);
  EXPECT_EQ(IdOrder("XF-2023-1000000"), 2023001000000);

  // Pages of 5 after each page's last id: complete, in order, no gap or repeat.
  std::vector<std::string> listed;
  LeadFilter f;
  f.limit = 5;
  while (true) {
    std::vector<LeadRow> page = *store_->Read<std::vector<LeadRow>>(
        [&](Db& db) -> absl::StatusOr<std::vector<LeadRow>> { return ListLeads(db, f); });
    for (const LeadRow& r : page) listed.push_back(r.id);
    if (static_cast<int>(page.size()) < f.limit) break;
    f.after_id = page.back().id;
  }
  EXPECT_EQ(listed, ordered);
}

// SQL of every statement run on db while it is set (sqlite3_trace_v2).
int CollectSql(unsigned, void* out, void* stmt, void*) {
  static_cast<std::vector<std::string>*>(out)->push_back(
      sqlite3_sql(static_cast<sqlite3_stmt*>(stmt)));
  return 0;
}

TEST_F(ListsTest, EveryListAndQueueLaneIsOneRangeOfAnIndex) {
  InsertLeads({"XS-2023-000001", "XS-2023-1000000"});
  // Each call and the index its statement must walk.
  struct Call {
    std::string index;
    std::function<absl::Status(Db&)> run;
  };
  auto lead_lane = [](const std::string& state, const std::function<void(LeadLaneFilter&)>& set) {
    LeadLaneFilter f;
    f.state = state;
    set(f);
    return [f](Db& db) { return ListLeadLane(db, f).status(); };
  };
  auto case_lane = [](const std::string& state, const std::function<void(CaseLaneFilter&)>& set) {
    CaseLaneFilter f;
    f.state = state;
    set(f);
    return [f](Db& db) { return ListCaseLane(db, f).status(); };
  };
  const std::vector<Call> calls = {
      // Queue lanes (server/queue.cc), one of each shape.
      {"leads_inspector_order", lead_lane("LEAD_INQUIRY",
                                          [](LeadLaneFilter& f) {
                                            f.by_inspector = true;
                                            f.inspector = "insp1";
                                          })},
      {"leads_inspector_order",
       lead_lane("LEAD_REGISTERED", [](LeadLaneFilter& f) { f.by_inspector = true; })},
      {"leads_state_order",
       lead_lane("LEAD_PROPOSED", [](LeadLaneFilter& f) { f.not_proposed_by = "ldr"; })},
      {"leads_state_order",
       lead_lane("LEAD_CASE_PENDING", [](LeadLaneFilter& f) { f.without_case = true; })},
      {"leads_state_order",
       lead_lane("LEAD_HOLD", [](LeadLaneFilter& f) { f.hold_due_by = "2023-06-01"; })},
      {"leads_report_due", lead_lane("",
                                     [](LeadLaneFilter& f) {
                                       f.report_due = true;
                                       f.after_id = "XS-2023-000001";
                                     })},
      {"cases_inspector_order", case_lane("CASE_INVESTIGATION",
                                          [](CaseLaneFilter& f) {
                                            f.by_inspector = true;
                                            f.inspector = "insp1";
                                          })},
      {"cases_state_order", case_lane("CASE_IN_REVIEW", [](CaseLaneFilter&) {})},
      {"cases_state_order",
       case_lane("CASE_FILING_REQUESTED", [](CaseLaneFilter& f) { f.not_requested_by = "ldr"; })},
      // Lists, with and without their filters.
      {"petitions_order", [](Db& db) { return ListPetitions(db, PetitionFilter()).status(); }},
      {"petitions_order",
       [](Db& db) {
         PetitionFilter f;
         f.state = "PETITION_REGISTERED";
         f.subject_unit = "某局";
         f.overdue = true;
         f.today = "2023-06-01";
         f.after_id = "XF-2023-1000000";
         return ListPetitions(db, f).status();
       }},
      {"leads_order",
       [](Db& db) {
         LeadFilter f;
         f.after_id = "XS-2023-999999";
         return ListLeads(db, f).status();
       }},
      {"leads_order",
       [](Db& db) {
         LeadFilter f;
         f.state = "LEAD_HOLD";
         f.inspector = "insp1";
         f.overdue = f.hold_due = true;
         f.today = "2023-06-01";
         return ListLeads(db, f).status();
       }},
      {"cases_order",
       [](Db& db) {
         CaseFilter f;
         f.state = "CASE_IN_REVIEW";
         f.overdue = true;
         f.today = "2023-06-01";
         return ListCases(db, f).status();
       }},
      {"dispositions_order",
       [](Db& db) {
         DispositionFilter f;
         f.in_period = true;
         f.today = "2023-06-01";
         f.after_id = "CZ-2023-1000000";
         return ListDispositions(db, f).status();
       }},
      {"dispositions_order",
       [](Db& db) {
         DispositionFilter f;
         f.state = "DISPOSITION_APPROVED";
         f.today = "2023-06-01";
         f.ending_by = "2023-09-01";
         return ListDispositions(db, f).status();
       }},
      {"unseal_requests_order",
       [](Db& db) {
         UnsealFilter f;
         f.state = "UNSEAL_PENDING";
         return ListUnseals(db, f).status();
       }},
  };
  // The statements each call ran, and SQLite's plan of each.
  struct Planned {
    std::vector<std::string> sql;
    std::vector<std::string> plan;
  };
  absl::StatusOr<std::vector<Planned>> planned =
      store_->Read<std::vector<Planned>>([&](Db& db) -> absl::StatusOr<std::vector<Planned>> {
        std::vector<Planned> out;
        for (const Call& call : calls) {
          Planned p;
          sqlite3_trace_v2(db.raw(), SQLITE_TRACE_STMT, CollectSql, &p.sql);
          absl::Status st = call.run(db);
          sqlite3_trace_v2(db.raw(), 0, nullptr, nullptr);
          if (!st.ok()) return st;
          for (const std::string& sql : p.sql) {
            absl::StatusOr<Stmt> q = db.Prepare("EXPLAIN QUERY PLAN " + sql);
            if (!q.ok()) return q.status();
            absl::StatusOr<std::vector<std::string>> lines =
                q->Collect<std::string>([](const Stmt& s) { return s.Text(3); });
            if (!lines.ok()) return lines.status();
            p.plan.insert(p.plan.end(), lines->begin(), lines->end());
          }
          out.push_back(std::move(p));
        }
        return out;
      });
  ASSERT_TRUE(planned.ok()) << planned.status();
  ASSERT_EQ(planned->size(), calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    const Planned& p = (*planned)[i];
    std::string text;
    for (const std::string& line : p.plan) text += line + "\n";
    SCOPED_TRACE(calls[i].index + "\n" + (p.sql.empty() ? "" : p.sql[0]) + "\n" + text);
    ASSERT_EQ(p.sql.size(), 1u);
    ASSERT_FALSE(p.plan.empty());
    // The outer loop seeks a range of the index that gives the id order itself...
    EXPECT_EQ(p.plan.front().rfind("SEARCH ", 0), 0u);
    EXPECT_NE(p.plan.front().find(" USING INDEX " + calls[i].index + " ("), std::string::npos);
    EXPECT_NE(p.plan.front().find("id_order>?"), std::string::npos);
    // ...and nothing scans a table or sorts.
    for (const std::string& line : p.plan) {
      EXPECT_EQ(line.rfind("SCAN ", 0), std::string::npos);
      EXPECT_EQ(line.find("TEMP B-TREE"), std::string::npos);
    }
  }
}

// A file of schema 9 keeps its ids: migration 10 derives id_order from each of them.
TEST(MigrationTenTest, OrdersTheRowsAFileAlreadyHolds) {
  std::string dir = ::testing::TempDir() + "/lists_test_XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  absl::StatusOr<std::unique_ptr<Db>> db =
      Db::Open(dir + "/v9.db", {.read_only = false, .create = true});
  ASSERT_TRUE(db.ok()) << db.status();
  for (const Migration& m : Migrations()) {
    if (m.version > 9) break;
    ASSERT_TRUE((*db)->Exec(m.sql).ok()) << m.version;
  }
  ASSERT_TRUE((*db)->Exec("PRAGMA user_version = 9").ok());
  ASSERT_TRUE(
      (*db)
          ->Exec("INSERT INTO cases(id, version, state, lead_id, inspector, requested_by, "
                 "created_us, updated_us) VALUES "
                 "('LA-2024-000002', 1, 'CASE_IN_REVIEW', 'XS-2024-000001', 'i', 'c', 0, 0),"
                 "('LA-2023-999999', 1, 'CASE_IN_REVIEW', 'XS-2023-000001', 'i', 'c', 0, 0),"
                 "('LA-2023-000001', 1, 'CASE_CLOSED', 'XS-2023-000001', 'i', 'c', 0, 0)")
          .ok());
  ASSERT_TRUE(Migrate(**db).ok());
  EXPECT_EQ((*db)->QueryInt("PRAGMA user_version")->value_or(-1), LatestSchemaVersion());
  absl::StatusOr<Stmt> q = (*db)->Prepare("SELECT id, id_order FROM cases ORDER BY id_order");
  ASSERT_TRUE(q.ok());
  std::vector<std::string> ids = *q->Collect<std::string>([](const Stmt& s) {
    EXPECT_EQ(s.Int(1), IdOrder(s.Text(0)));
    return s.Text(0);
  });
  EXPECT_EQ(ids, (std::vector<std::string>{"LA-2023-000001", "LA-2023-999999", "LA-2024-000002"}));
  CaseLaneFilter review;
  review.state = "CASE_IN_REVIEW";
  absl::StatusOr<std::vector<CaseRow>> lane = ListCaseLane(**db, review);
  ASSERT_TRUE(lane.ok()) << lane.status();
  ASSERT_EQ(lane->size(), 2u);
  EXPECT_EQ((*lane)[0].id, "LA-2023-999999");
  EXPECT_EQ((*db)
                ->QueryInt("SELECT COUNT(*) FROM pragma_integrity_check "
                           "WHERE integrity_check != 'ok'")
                ->value_or(-1),
            0);
}

}  // namespace
}  // namespace jijian::storage
