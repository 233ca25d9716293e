// Lists at national volume: ids order by year, then number, however many digits the number
// has.
#include <stdlib.h>

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "storage/crypto.h"
#include "storage/leads.h"
#include "storage/schema.h"
#include "storage/store.h"

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

}  // namespace
}  // namespace jijian::storage
