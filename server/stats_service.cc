#include "server/stats_service.h"

#include <array>
#include <map>

#include "absl/strings/str_split.h"
#include "server/domain/calendar.h"
#include "server/domain/four_forms.h"
#include "server/domain/petition_validate.h"
#include "server/domain/validate.h"

namespace jijian::server {
namespace {

constexpr int kMaxSpanDays = 5 * 366;

// Chinese labels of the stored enum names and disposal kinds, as the reports print them.
const std::map<std::string, std::string>& Labels() {
  static const std::map<std::string, std::string> kLabels = {
      {"CHANNEL_LETTER", "来信"},
      {"CHANNEL_VISIT", "来访"},
      {"CHANNEL_PHONE", "来电"},
      {"CHANNEL_ONLINE", "网络举报"},
      {"CHANNEL_HIGHER", "上级转交"},
      {"CHANNEL_AGENCY", "有关部门转来"},
      {"CATEGORY_ACCUSATION", "检举"},
      {"CATEGORY_COMPLAINT", "控告"},
      {"CATEGORY_APPEAL", "申诉"},
      {"CATEGORY_SUGGESTION", "批评建议"},
      {"CATEGORY_OUT_OF_SCOPE", "业务范围外"},
      {"CATEGORY_NO_SUBSTANCE", "无实质内容"},
      {"HANDLING_ACCEPT", "本级受理"},
      {"HANDLING_ESCALATE", "上报"},
      {"HANDLING_TRANSFER_DOWN", "转送"},
      {"HANDLING_ASSIGN_DOWN", "交办"},
      {"HANDLING_REFER_OUT", "转有关机关"},
      {"HANDLING_ARCHIVE", "存档"},
      {"HANDLING_DUPLICATE", "重复件"},
      {"PENDING", "待处理"},
      {"LEAD_SOURCE_PETITION", "信访举报"},
      {"LEAD_SOURCE_INSPECTION_TOUR", "巡视巡察移交"},
      {"LEAD_SOURCE_AUDIT", "审计移交"},
      {"LEAD_SOURCE_SUPERVISION", "日常监督"},
      {"LEAD_SOURCE_AGENCY", "其他机关移送"},
      {"LEAD_SOURCE_SELF_REPORT", "主动交代"},
      {"talk-inquiry", "谈话函询"},
      {"verification", "初步核实"},
      {"hold", "暂存待查"},
      {"close", "予以了结"},
      {"first-form", "第一种形态了结"},
      {"file-case", "立案审查"},
      {"transfer", "移送"},
      {"1", "第一种形态"},
      {"2", "第二种形态"},
      {"3", "第三种形态"},
      {"4", "第四种形态"},
  };
  return kLabels;
}

// Turns tallies into Count rows with labels and shares of total, in key order unless
// order is given (then in that order, keys missing from it last).
void AddCounts(const std::map<std::string, int64_t>& tally, int64_t total,
               google::protobuf::RepeatedPtrField<v1::Count>* out,
               const std::vector<std::string>& order = {}) {
  std::vector<std::string> keys = order;
  for (const auto& [k, n] : tally) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
  }
  for (const std::string& k : keys) {
    auto it = tally.find(k);
    const int64_t n = it == tally.end() ? 0 : it->second;
    v1::Count* c = out->Add();
    c->set_key(k);
    auto label = Labels().find(k);
    if (label != Labels().end()) c->set_label(label->second);
    c->set_count(n);
    c->set_percent(domain::Percent(n, total));
  }
}

}  // namespace

absl::StatusOr<v1::Statistics> ComputeStatistics(storage::Db& db,
                                                 const domain::MeasureTable& measures,
                                                 const std::string& from, const std::string& to,
                                                 const std::string& unit, const std::string& today,
                                                 storage::StatsSource source) {
  v1::Statistics s;
  s.set_from(from);
  s.set_to(to);
  s.set_unit(unit);
  std::map<std::string, v1::MonthRow> months;
  auto month = [&](const std::string& m) -> v1::MonthRow& {
    v1::MonthRow& row = months[m];
    row.set_month(m);
    return row;
  };

  // Four forms: each approved disposition is one person-time, in the form of its heaviest
  // measure (stored when it was decided; derived, never typed).
  absl::StatusOr<std::vector<storage::DispositionGroup>> groups =
      storage::CountDispositions(db, from, to, unit, source);
  if (!groups.ok()) return groups.status();
  std::array<int64_t, 4> per_form{};
  std::map<std::string, int64_t> by_measure;
  int64_t total = 0, party = 0, government = 0, procuratorate = 0;
  for (const storage::DispositionGroup& g : *groups) {
    if (g.form < 1 || g.form > 4) continue;
    per_form[static_cast<size_t>(g.form - 1)] += g.count;
    total += g.count;
    if (g.party) party += g.count;
    if (g.government) government += g.count;
    for (absl::string_view code : absl::StrSplit(g.measures, ',', absl::SkipEmpty())) {
      by_measure[std::string(code)] += g.count;
      if (code == "prosecution-transfer") procuratorate += g.count;
    }
    v1::MonthRow& m = month(g.month);
    switch (g.form) {
      case 1:
        m.set_form1(m.form1() + g.count);
        break;
      case 2:
        m.set_form2(m.form2() + g.count);
        break;
      case 3:
        m.set_form3(m.form3() + g.count);
        break;
      case 4:
        m.set_form4(m.form4() + g.count);
        break;
    }
  }
  s.set_person_times(total);
  std::map<std::string, int64_t> forms;
  for (size_t i = 0; i < 4; ++i) forms[std::to_string(i + 1)] = per_form[i];
  AddCounts(forms, total, s.mutable_forms());
  // Measures in table order; shares are of person-times (a decision may hold several).
  std::vector<std::string> order;
  for (const domain::Measure& m : measures.measures()) {
    if (by_measure.count(m.code)) order.push_back(m.code);
  }
  AddCounts(by_measure, total, s.mutable_measures(), order);
  for (v1::Count& c : *s.mutable_measures()) {
    if (const domain::Measure* m = measures.Find(c.key())) c.set_label(m->name_zh);
  }
  s.set_sentence(domain::FourFormsSentence(per_form));
  s.set_party_sanctioned(party);
  s.set_government_sanctioned(government);
  s.set_transferred_to_procuratorate(procuratorate);

  // Petitions received in the period.
  absl::StatusOr<std::vector<storage::PetitionGroup>> petitions =
      storage::CountPetitions(db, from, to, unit, source);
  if (!petitions.ok()) return petitions.status();
  std::map<std::string, int64_t> channel, category, handling;
  int64_t petition_total = 0, real_name = 0;
  for (const storage::PetitionGroup& g : *petitions) {
    petition_total += g.count;
    if (!g.anonymous) real_name += g.count;
    channel[g.channel] += g.count;
    category[g.category] += g.count;
    handling[g.mode.empty() ? "PENDING" : g.mode] += g.count;
    v1::MonthRow& m = month(g.month);
    m.set_petitions(m.petitions() + g.count);
  }
  s.set_petitions(petition_total);
  AddCounts(channel, petition_total, s.mutable_petitions_by_channel());
  AddCounts(category, petition_total, s.mutable_petitions_by_category());
  AddCounts(handling, petition_total, s.mutable_petitions_by_handling());
  s.set_real_name_percent(domain::Percent(real_name, petition_total));
  absl::StatusOr<storage::DeadlineCounts> notices =
      storage::CountPetitionDeadlines(db, "acceptance_notice", from, to, unit, today, source);
  if (!notices.ok()) return notices.status();
  s.set_acceptance_notices_due(notices->due);
  s.set_acceptance_notices_on_time(notices->on_time);
  absl::StatusOr<storage::DeadlineCounts> feedback =
      storage::CountPetitionDeadlines(db, "result_feedback", from, to, unit, today, source);
  if (!feedback.ok()) return feedback.status();
  s.set_feedback_due(feedback->due);
  s.set_feedback_on_time(feedback->on_time);

  // Leads registered, and disposal methods approved, in the period.
  absl::StatusOr<std::vector<storage::KeyCount>> leads =
      storage::CountLeads(db, from, to, unit, source);
  if (!leads.ok()) return leads.status();
  std::map<std::string, int64_t> sources;
  int64_t lead_total = 0;
  for (const storage::KeyCount& k : *leads) {
    lead_total += k.count;
    sources[k.key] += k.count;
    v1::MonthRow& m = month(k.month);
    m.set_leads(m.leads() + k.count);
  }
  s.set_leads(lead_total);
  AddCounts(sources, lead_total, s.mutable_leads_by_source());
  absl::StatusOr<std::vector<storage::KeyCount>> disposals =
      storage::CountLeadDisposals(db, from, to, unit, source);
  if (!disposals.ok()) return disposals.status();
  std::map<std::string, int64_t> methods;
  int64_t disposal_total = 0;
  for (const storage::KeyCount& k : *disposals) {
    disposal_total += k.count;
    methods[k.key] += k.count;
  }
  AddCounts(
      methods, disposal_total, s.mutable_leads_by_disposal(),
      {"talk-inquiry", "verification", "hold", "close", "first-form", "file-case", "transfer"});

  absl::StatusOr<std::vector<storage::KeyCount>> cases =
      storage::CountCases(db, from, to, unit, source);
  if (!cases.ok()) return cases.status();
  for (const storage::KeyCount& k : *cases) {
    if (k.key == "filed") {
      s.set_cases_filed(s.cases_filed() + k.count);
      v1::MonthRow& m = month(k.month);
      m.set_cases_filed(m.cases_filed() + k.count);
    } else {
      s.set_cases_closed(s.cases_closed() + k.count);
    }
  }
  for (auto& [key, row] : months) *s.add_months() = row;
  return s;
}

grpc::Status StatsServiceImpl::GetStatistics(grpc::ServerContext* ctx,
                                             const v1::GetStatisticsRequest* req,
                                             v1::Statistics* resp) {
  absl::StatusOr<Caller> caller =
      deps_.auth->Authorize(*ctx, "/jijian.v1.StatsService/GetStatistics");
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st;
  absl::StatusOr<absl::CivilDay> from = domain::ParseDate("from", req->from());
  absl::StatusOr<absl::CivilDay> to = domain::ParseDate("to", req->to());
  if (!from.ok())
    st = from.status();
  else if (!to.ok())
    st = to.status();
  else if (*to < *from)
    st = absl::InvalidArgumentError("to: must not be before from");
  else if (*to - *from > kMaxSpanDays)
    st = absl::InvalidArgumentError("to: a period of at most " + std::to_string(kMaxSpanDays) +
                                    " days");
  if (st.ok()) st = domain::CheckText("unit", req->unit(), domain::kMaxNameChars, false);
  if (!st.ok()) return ToGrpcStatus(st);
  const std::string f = domain::FormatDate(*from), t = domain::FormatDate(*to);
  const std::string unit = req->unit();
  const domain::MeasureTable& measures = *deps_.measures;
  absl::StatusOr<v1::Statistics> stats =
      deps_.store->Read<v1::Statistics>([&](storage::Db& db) -> absl::StatusOr<v1::Statistics> {
        // One snapshot for every count, so the sections agree with each other.
        if (absl::Status st = db.Exec("BEGIN"); !st.ok()) return st;
        absl::StatusOr<v1::Statistics> out =
            ComputeStatistics(db, measures, f, t, unit, domain::FormatDate(Today()));
        (void)db.Exec("COMMIT");
        return out;
      });
  if (!stats.ok()) return ToGrpcStatus(stats.status());
  *resp = *std::move(stats);
  return grpc::Status::OK;
}

}  // namespace jijian::server
