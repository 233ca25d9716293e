// Statistics on a generated dataset with a known mix: a year at the 2023 national shares of
// the four forms (63.8 / 28.6 / 3.7 / 3.9 %, DOMAIN.md §8), written as disposition rows
// through the store's real write path, must come back exactly, per form, per measure, per
// unit and per month, with noise (proposals, revoked decisions, another year) left out.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <map>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "server/domain/measures.h"
#include "server/stats_service.h"
#include "storage/dispositions.h"
#include "storage/keyring.h"
#include "storage/store.h"

namespace jijian::testing {
namespace {

using storage::DispositionRow;

struct Decision {
  std::vector<std::string> measures;
  int probation = 0;
};

// The measures each form's person-times cycle through (a mix of single and combined).
const std::vector<std::vector<Decision>>& Menu() {
  static const std::vector<std::vector<Decision>> kMenu = {
      {{{"reminder-talk"}},
       {{"criticism-education", "self-examination"}},
       {{"admonishment"}},
       {{"circulated-criticism"}},
       {{"closed-after-inquiry"}}},
      {{{"party-warning"}},
       {{"party-serious-warning", "gov-major-demerit"}},
       {{"gov-demerit"}},
       {{"org-removal"}}},
      {{{"party-probation"}, 12}, {{"party-expulsion", "gov-expulsion"}}, {{"gov-dismissal"}}},
      {{{"prosecution-transfer", "party-expulsion", "gov-expulsion"}}},
  };
  return kMenu;
}

class StatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "/stats_test_XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    storage::Store::Options options;
    options.path = tmpl + "/jijian.db";
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::Store::Create(options, *storage::Kek::FromBytes(std::string(32, '\x11')));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Writes one disposition of the given state, decided on day, in unit, in batches of
  // mutations through Store::Apply (the real write path: one audit event each).
  void Add(const Decision& d, const std::string& state, const std::string& day,
           const std::string& unit) {
    const server::domain::MeasureTable& table = server::domain::MeasureTable::BuiltIn();
    DispositionRow row;
    row.id = "CZ-2023-" + std::to_string(1000000 + next_).substr(1);
    ++next_;
    row.state = state;
    row.object_id = "LA-2023-000001";
    row.subject_idx = 1;
    row.unit = unit;
    row.measures = absl::StrJoin(d.measures, ",");
    row.form = *server::domain::DeriveForm(table, d.measures);
    for (const std::string& code : d.measures) {
      row.party |= table.Find(code)->kind == server::domain::MeasureKind::kParty;
      row.government |= table.Find(code)->kind == server::domain::MeasureKind::kGovernment;
    }
    row.disciplines = "DISCIPLINE_INTEGRITY";
    row.decided_date = day;
    row.probation_months = d.probation;
    row.reason = "sealed-elsewhere";
    row.proposed_by = "rev";
    pending_.push_back(row);
  }

  // Writes the pending rows, 200 per mutation, each row with its audit event.
  void Flush() {
    for (size_t at = 0; at < pending_.size(); at += 200) {
      std::vector<DispositionRow> chunk(
          pending_.begin() + static_cast<std::ptrdiff_t>(at),
          pending_.begin() + static_cast<std::ptrdiff_t>(std::min(pending_.size(), at + 200)));
      absl::StatusOr<std::string> done = store_->Apply(
          {"generator", "system", ""}, "",
          [chunk](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
            for (DispositionRow r : chunk) {
              r.created_us = r.updated_us = txn.now_us();
              if (absl::Status st = storage::InsertDisposition(txn, r); !st.ok()) return st;
              absl::StatusOr<int64_t> seq =
                  txn.AppendEvent({"disposition.generate", "disposition", r.id, "", r.state, ""});
              if (!seq.ok()) return seq.status();
            }
            return std::string();
          });
      ASSERT_TRUE(done.ok()) << done.status();
    }
    pending_.clear();
  }

  v1::Statistics Stats(const std::string& from, const std::string& to, const std::string& unit) {
    absl::StatusOr<v1::Statistics> s = store_->Read<v1::Statistics>([&](storage::Db& db) {
      return server::ComputeStatistics(db, server::domain::MeasureTable::BuiltIn(), from, to, unit,
                                       "2024-06-30");
    });
    EXPECT_TRUE(s.ok()) << s.status();
    return *s;
  }

  int next_ = 1;
  std::vector<DispositionRow> pending_;
  std::unique_ptr<storage::Store> store_;
};

TEST_F(StatsTest, TheNationalMixOf2023ComesBackExactly) {
  const std::array<int, 4> per_form = {638, 286, 37, 39};  // per thousand, 2023
  std::map<std::string, int64_t> measure_tally;
  std::map<std::string, int64_t> month_tally;
  std::map<std::string, std::array<int64_t, 4>> unit_tally;
  int64_t party = 0, government = 0;
  int i = 0;
  for (int form = 0; form < 4; ++form) {
    for (int k = 0; k < per_form[static_cast<size_t>(form)]; ++k, ++i) {
      const auto& menu = Menu()[static_cast<size_t>(form)];
      const Decision& d = menu[static_cast<size_t>(k) % menu.size()];
      const int month = 1 + (i * 7) % 12;
      const std::string day = absl::StrFormat("2023-%02d-%02d", month, 1 + (i * 13) % 28);
      const std::string unit = (i % 3 == 0) ? "甲县财政局" : "乙县教育局";
      Add(d, "DISPOSITION_APPROVED", day, unit);
      for (const std::string& m : d.measures) measure_tally[m] += 1;
      month_tally[day.substr(0, 7)] += 1;
      unit_tally[unit][static_cast<size_t>(form)] += 1;
      const auto& table = server::domain::MeasureTable::BuiltIn();
      bool p = false, g = false;
      for (const std::string& m : d.measures) {
        p |= table.Find(m)->kind == server::domain::MeasureKind::kParty;
        g |= table.Find(m)->kind == server::domain::MeasureKind::kGovernment;
      }
      party += p;
      government += g;
    }
  }
  // Noise that must not count: proposals, rejections, revocations, and the next year.
  for (int k = 0; k < 40; ++k) {
    Add(Menu()[1][0],
        k % 3 == 0   ? "DISPOSITION_PROPOSED"
        : k % 3 == 1 ? "DISPOSITION_REJECTED"
                     : "DISPOSITION_REVOKED",
        "2023-05-05", "甲县财政局");
    Add(Menu()[0][0], "DISPOSITION_APPROVED", "2024-01-01", "甲县财政局");
  }

  Flush();
  const v1::Statistics s = Stats("2023-01-01", "2023-12-31", "");
  EXPECT_EQ(s.person_times(), 1000);
  ASSERT_EQ(s.forms_size(), 4);
  const double shares[] = {63.8, 28.6, 3.7, 3.9};
  for (int f = 0; f < 4; ++f) {
    EXPECT_EQ(s.forms(f).key(), std::to_string(f + 1));
    EXPECT_EQ(s.forms(f).count(), per_form[static_cast<size_t>(f)]);
    EXPECT_DOUBLE_EQ(s.forms(f).percent(), shares[f]);
  }
  EXPECT_EQ(s.sentence(),
            "运用\"四种形态\"批评教育帮助和处理 1000 人次，其中第一种形态 638 人次，占 63.8%；"
            "第二种形态 286 人次，占 28.6%；第三种形态 37 人次，占 3.7%；第四种形态 39 人次，"
            "占 3.9%。");
  std::map<std::string, int64_t> measures;
  for (const v1::Count& c : s.measures()) {
    measures[c.key()] = c.count();
    EXPECT_FALSE(c.label().empty()) << c.key();
  }
  EXPECT_EQ(measures, measure_tally);
  EXPECT_EQ(s.party_sanctioned(), party);
  EXPECT_EQ(s.government_sanctioned(), government);
  EXPECT_EQ(s.transferred_to_procuratorate(), 39);
  std::map<std::string, int64_t> months;
  for (const v1::MonthRow& m : s.months()) {
    months[m.month()] = m.form1() + m.form2() + m.form3() + m.form4();
  }
  EXPECT_EQ(months, month_tally);

  // Per unit, the same exactness.
  for (const auto& [unit, forms] : unit_tally) {
    const v1::Statistics u = Stats("2023-01-01", "2023-12-31", unit);
    int64_t total = 0;
    for (int f = 0; f < 4; ++f) {
      EXPECT_EQ(u.forms(f).count(), forms[static_cast<size_t>(f)]) << unit << " form " << f + 1;
      total += forms[static_cast<size_t>(f)];
    }
    EXPECT_EQ(u.person_times(), total);
  }
  // A quarter is a sub-range: Q1 counts only its months.
  const v1::Statistics q1 = Stats("2023-01-01", "2023-03-31", "");
  EXPECT_EQ(q1.person_times(),
            month_tally["2023-01"] + month_tally["2023-02"] + month_tally["2023-03"]);
}

}  // namespace
}  // namespace jijian::testing
