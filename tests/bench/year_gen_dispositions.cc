// The year's dispositions in the four forms: proposal, approval, execution
// (disposition_service.cc).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "tests/bench/year_generator.h"

namespace jijian::bench::year {

const std::vector<std::vector<MeasureChoice>>& Menu() {
  static const std::vector<std::vector<MeasureChoice>> kMenu = {
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

int YearGenerator::NextCaseForm() const {
  const int64_t total =
      proposed_forms_[0] + proposed_forms_[1] + proposed_forms_[2] + proposed_forms_[3] + 1;
  int best = 1;
  double best_deficit = -1e18;
  for (int f = 0; f < 4; ++f) {
    const double deficit = kFormsPerMille[static_cast<size_t>(f)] / 1000.0 * total -
                           static_cast<double>(proposed_forms_[static_cast<size_t>(f)]);
    if (deficit > best_deficit) {
      best_deficit = deficit;
      best = f;
    }
  }
  return best;
}

absl::Status YearGenerator::AddHistory(WriteTxn& txn, const storage::DispositionRow& r,
                                       const std::string& kind, const std::string& date) {
  absl::StatusOr<std::vector<storage::DispositionHistoryRow>> h =
      storage::GetDispositionHistory(txn.db(), r.id);
  if (!h.ok()) return h.status();
  return storage::AddDispositionHistory(txn, {r.id, static_cast<int64_t>(h->size()) + 1, kind, date,
                                              txn.actor().user_id, r.measures, ""});
}

absl::Status YearGenerator::DispositionsPropose(WriteTxn& txn, int day, uint32_t matter,
                                                bool is_case) {
  const std::string object_id = is_case ? Id("LA", matter) : Id("XS", matter);
  absl::StatusOr<server::dispositions::Matter> m =
      server::dispositions::LoadMatter(txn.db(), object_id);
  if (!m.ok()) return m.status();
  const size_t persons = m->lead.subjects.size();
  for (size_t i = 1; i <= persons; ++i) {
    absl::StatusOr<v1::Subject> subject =
        server::dispositions::SubjectOf(txn.keyring(), *m, static_cast<int64_t>(i));
    if (!subject.ok()) return subject.status();
    const int form = is_case ? NextCaseForm() : 0;
    const auto& menu = Menu()[static_cast<size_t>(form)];
    const MeasureChoice& choice = menu[static_cast<size_t>(menu_turn_[form]++) % menu.size()];
    absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "CZ", options_.year);
    if (!number.ok()) return number.status();
    storage::DispositionRow row;
    row.id = Id("CZ", static_cast<uint32_t>(*number));
    row.state = server::dispositions::StateName(v1::DISPOSITION_PROPOSED);
    row.object_id = m->id;
    row.subject_idx = static_cast<int64_t>(i);
    row.unit = subject->unit();
    row.disciplines = "DISCIPLINE_INTEGRITY";
    row.decided_date = Date(day);
    if (absl::Status st =
            server::dispositions::Derive(measures_, choice.codes, choice.probation, row);
        !st.ok())
      return st;
    if (row.form != form + 1) return absl::InternalError("menu form differs from derived form");
    absl::StatusOr<std::string> reason =
        SealAt(txn.keyring(), KeyDomain::kContent, "dispositions", "reason", row.id,
               "依据《中国共产党纪律处分条例》有关规定");
    if (!reason.ok()) return reason.status();
    row.reason = *reason;
    row.proposed_by = txn.actor().user_id;
    row.created_us = row.updated_us = txn.now_us();
    if (absl::Status st = storage::InsertDisposition(txn, row); !st.ok()) return st;
    if (absl::Status st = AddHistory(txn, row, "proposed", Date(day)); !st.ok()) return st;
    for (const std::string& digest : server::SubjectDigests(txn.keyring(), *subject)) {
      if (absl::Status st = storage::AddDispositionIndex(txn, digest, row.id); !st.ok()) return st;
    }
    if (absl::Status st = storage::AddObjectLink(txn, m->id, row.id, "disposition"); !st.ok())
      return st;
    if (absl::Status st =
            Event(txn, {"disposition.propose", "disposition", row.id, "", "PROPOSED",
                        "object=" + m->id + " person=" + std::to_string(i) +
                            " form=" + std::to_string(row.form) + " measures=" + row.measures});
        !st.ok())
      return st;
    proposed_forms_[static_cast<size_t>(form)] += 1;
    ++counts_.dispositions_proposed;
  }
  Schedule(day + Uniform(1, 3), Step::kDispositionsApprove, matter, is_case ? 1 : 0);
  return absl::OkStatus();
}

absl::Status YearGenerator::DispositionsChange(WriteTxn& txn, int day, uint32_t matter,
                                               bool is_case, Step step) {
  const std::string object_id = is_case ? Id("LA", matter) : Id("XS", matter);
  absl::StatusOr<std::vector<storage::DispositionRow>> rows =
      storage::DispositionsOf(txn.db(), object_id);
  if (!rows.ok()) return rows.status();
  const std::string date = Date(day);
  for (storage::DispositionRow& r : *rows) {
    if (absl::Status st = txn.CheckVersion("dispositions", "id", r.id, r.version); !st.ok())
      return st;
    const std::string before = server::dispositions::ShortState(r.state);
    std::vector<std::pair<std::string, std::string*>> acts;
    if (step == Step::kDispositionsApprove) {
      if (r.state != "DISPOSITION_PROPOSED") continue;
      r.state = server::dispositions::StateName(v1::DISPOSITION_APPROVED);
      r.approved_by = txn.actor().user_id;
      if (absl::Status st = AddHistory(txn, r, "approved", date); !st.ok()) return st;
      if (absl::Status st = storage::UpdateDisposition(txn, r); !st.ok()) return st;
      if (absl::Status st =
              Event(txn, {"disposition.approve", "disposition", r.id, before, "APPROVED",
                          "object=" + object_id + " form=" + std::to_string(r.form) +
                              " proposed_by=" + r.proposed_by});
          !st.ok())
        return st;
      counts_.forms[static_cast<size_t>(r.form - 1)] += 1;
      ++counts_.dispositions_approved;
      continue;
    }
    // Execution: announced, delivered, filed to the dossier, one call each.
    std::string* dates[] = {&r.announced_date, &r.delivered_date, &r.filed_date};
    const char* names[] = {"announced", "delivered", "filed"};
    for (int k = 0; k < 3; ++k) {
      *dates[k] = date;
      if (absl::Status st = AddHistory(txn, r, names[k], date); !st.ok()) return st;
      if (absl::Status st = storage::UpdateDisposition(txn, r); !st.ok()) return st;
      if (absl::Status st = Event(txn, {"disposition.execute", "disposition", r.id, before, before,
                                        std::string("step=") + names[k]});
          !st.ok())
        return st;
    }
  }
  if (step == Step::kDispositionsApprove && is_case) {
    // Every person decided: the case is DECIDED (SyncCaseState).
    absl::StatusOr<storage::CaseRow> c = storage::GetCase(txn.db(), object_id);
    if (!c.ok()) return c.status();
    const std::string before = c->state.substr(5);
    c->state = "CASE_DECIDED";
    if (absl::Status st = storage::UpdateCase(txn, *c); !st.ok()) return st;
    if (absl::Status st = Event(txn, {"case.decide", "case", object_id, before, "DECIDED",
                                      "persons decided=" + std::to_string(rows->size()) + "/" +
                                          std::to_string(rows->size())});
        !st.ok())
      return st;
    Schedule(day + Uniform(3, 10), Step::kDispositionsExecute, matter, 1);
  } else if (step == Step::kDispositionsApprove) {
    // The lead's first-form proposal (after an inquiry reply) or the verification report's
    // first-form proposal is approved once the measures are.
    const Lead& lead = leads_[matter];
    if (lead.plan == Plan::kInquiry) {
      Schedule(day + Uniform(1, 3), Step::kLeadPropose, matter);
    } else {
      Schedule(day + Uniform(1, 3), Step::kLeadApprove, matter);
    }
  } else if (step == Step::kDispositionsExecute && is_case) {
    Schedule(day + Uniform(1, 5), Step::kCaseClose, matter);
  }
  return absl::OkStatus();
}

}  // namespace jijian::bench::year
