#include "server/disposition_codec.h"

#include <algorithm>

#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "server/domain/calendar.h"
#include "server/domain/id_number.h"
#include "server/petition_codec.h"
#include "server/service_support.h"

namespace jijian::server::dispositions {
namespace {

using domain::FormatDate;
using storage::DispositionRow;

domain::SanctionPeriod PeriodOfRow(const DispositionRow& r) {
  return domain::SanctionPeriod{static_cast<int>(r.period_months), r.permanent};
}

void FillMeasures(const domain::MeasureTable& table, const std::string& codes,
                  google::protobuf::RepeatedPtrField<v1::MeasureRef>* out) {
  for (const std::string& code : SplitCodes(codes)) {
    v1::MeasureRef* ref = out->Add();
    ref->set_code(code);
    if (const domain::Measure* m = table.Find(code)) {
      ref->set_name_zh(m->name_zh);
      ref->set_form(m->form);
      ref->set_kind(std::string(domain::MeasureKindName(m->kind)));
    }
  }
}

}  // namespace

std::string StateName(v1::DispositionState s) { return v1::DispositionState_Name(s); }

v1::DispositionState StateOf(const DispositionRow& row) {
  v1::DispositionState s{};
  v1::DispositionState_Parse(row.state, &s);
  return s;
}

std::string ShortState(const std::string& stored) {
  constexpr std::string_view kPrefix = "DISPOSITION_";
  return stored.rfind(kPrefix, 0) == 0 ? stored.substr(kPrefix.size()) : stored;
}

std::vector<std::string> SplitCodes(const std::string& joined) {
  std::vector<std::string> out;
  for (absl::string_view c : absl::StrSplit(joined, ',', absl::SkipEmpty())) out.emplace_back(c);
  return out;
}

absl::StatusOr<Matter> LoadMatter(storage::Db& db, const std::string& object_id) {
  Matter m;
  m.id = object_id;
  m.is_case = object_id.rfind("LA-", 0) == 0;
  std::string lead_id = object_id;
  if (m.is_case) {
    absl::StatusOr<storage::CaseRow> c = storage::GetCase(db, object_id);
    if (!c.ok()) return c.status();
    m.case_row = *std::move(c);
    m.state = m.case_row.state;
    m.inspector = m.case_row.inspector;
    m.filed_or_registered = m.case_row.filed_date;
    lead_id = m.case_row.lead_id;
  }
  absl::StatusOr<LeadRecord> lead = LoadLeadRecord(db, lead_id);
  if (!lead.ok()) return lead.status();
  m.lead = *std::move(lead);
  if (!m.is_case) {
    m.state = m.lead.row.state;
    m.inspector = m.lead.row.inspector;
    m.filed_or_registered = m.lead.row.registered_date;
  }
  return m;
}

// Need to know: an inspector acting as such sees only matters assigned to them, and gets
// NOT_FOUND for the rest, as for leads and cases.
absl::Status CheckNeedToKnow(const Caller& caller, const Matter& m, const std::string& shown_id) {
  if (caller.acting_role == v1::ROLE_INSPECTOR && m.inspector != caller.user.user_id) {
    return absl::NotFoundError(shown_id + " does not exist");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Subject> SubjectOf(const storage::Keyring& keys, const Matter& m, int64_t idx) {
  absl::StatusOr<std::vector<v1::Subject>> subjects = OpenLeadSubjects(keys, m.lead);
  if (!subjects.ok()) return subjects.status();
  if (idx < 1 || idx > static_cast<int64_t>(subjects->size())) {
    return absl::InvalidArgumentError("subject_index (--subject-id): " + m.id +
                                      " has persons 1 to " + std::to_string(subjects->size()));
  }
  return (*subjects)[static_cast<size_t>(idx - 1)];
}

// The derived columns of a decision with these measures: form, kinds, period, end.
absl::Status Derive(const domain::MeasureTable& table, const std::vector<std::string>& codes,
                    int probation, DispositionRow& row) {
  absl::StatusOr<int> form = domain::DeriveForm(table, codes);
  if (!form.ok()) return form.status();
  absl::StatusOr<domain::SanctionPeriod> period = domain::LongestPeriod(table, codes, probation);
  if (!period.ok()) return period.status();
  absl::StatusOr<absl::CivilDay> decided = domain::ParseDate("decided", row.decided_date);
  if (!decided.ok()) return decided.status();
  // Store codes in table order so that equal decisions group together in statistics.
  std::vector<std::string> ordered;
  row.party = row.government = false;
  for (const domain::Measure& m : table.measures()) {
    if (std::find(codes.begin(), codes.end(), m.code) == codes.end()) continue;
    ordered.push_back(m.code);
    row.party |= m.kind == domain::MeasureKind::kParty;
    row.government |= m.kind == domain::MeasureKind::kGovernment;
  }
  row.measures = absl::StrJoin(ordered, ",");
  row.form = *form;
  row.probation_months = probation;
  row.period_months = period->months;
  row.permanent = period->permanent;
  std::optional<absl::CivilDay> end = domain::PeriodEnd(*decided, *period);
  row.period_end = (end.has_value() && period->months > 0) ? FormatDate(*end) : "";
  return absl::OkStatus();
}

bool RowInPeriod(const DispositionRow& r, absl::CivilDay today) {
  if (StateOf(r) != v1::DISPOSITION_APPROVED) return false;
  absl::StatusOr<absl::CivilDay> decided = domain::ParseDate("decided", r.decided_date);
  return decided.ok() && domain::InPeriod(*decided, PeriodOfRow(r), today);
}

absl::StatusOr<v1::Disposition> ToProto(storage::Db& db, const storage::Keyring& keys,
                                        const domain::MeasureTable& table, const DispositionRow& r,
                                        const Matter& m) {
  v1::Disposition d;
  d.set_id(r.id);
  d.set_version(r.version);
  d.set_state(StateOf(r));
  d.set_object_id(r.object_id);
  d.set_subject_index(static_cast<int32_t>(r.subject_idx));
  absl::StatusOr<v1::Subject> subject = SubjectOf(keys, m, r.subject_idx);
  if (!subject.ok()) return subject.status();
  d.set_subject_name(subject->name());
  d.set_unit(r.unit);
  FillMeasures(table, r.measures, d.mutable_measures());
  d.set_form(static_cast<int32_t>(r.form));
  for (absl::string_view name : absl::StrSplit(r.disciplines, ',', absl::SkipEmpty())) {
    v1::Discipline disc{};
    if (v1::Discipline_Parse(std::string(name), &disc)) d.add_disciplines(disc);
  }
  d.set_decided_date(r.decided_date);
  d.set_probation_months(static_cast<int32_t>(r.probation_months));
  d.set_period_months(static_cast<int32_t>(r.period_months));
  d.set_permanent(r.permanent);
  d.set_period_end(r.period_end);
  d.set_in_period(RowInPeriod(r, Today()));
  absl::StatusOr<std::string> reason = OpenAt(keys, kTable, "reason", r.id, r.reason);
  if (!reason.ok()) return reason.status();
  d.set_reason(*reason);
  d.set_proposed_by(r.proposed_by);
  d.set_approved_by(r.approved_by);
  d.set_announced_date(r.announced_date);
  d.set_delivered_date(r.delivered_date);
  d.set_filed_date(r.filed_date);
  d.set_appeal_petition_id(r.appeal_petition);
  v1::AppealOutcome outcome{};
  if (!r.appeal_outcome.empty()) v1::AppealOutcome_Parse(r.appeal_outcome, &outcome);
  d.set_appeal_outcome(outcome);
  absl::StatusOr<std::vector<storage::DispositionHistoryRow>> history =
      storage::GetDispositionHistory(db, r.id);
  if (!history.ok()) return history.status();
  for (const storage::DispositionHistoryRow& h : *history) {
    v1::DispositionEvent* e = d.add_history();
    e->set_kind(h.kind);
    e->set_date(h.date);
    e->set_by(h.actor);
    for (const std::string& code : SplitCodes(h.measures)) e->add_measures(code);
    absl::StatusOr<std::string> text =
        OpenAt(keys, kHistory, "text", ChildRowId(r.id, h.seq), h.text);
    if (!text.ok()) return text.status();
    e->set_text(*text);
  }
  return d;
}

std::vector<std::string> CodesOf(const domain::MeasureTable& table, const std::string& joined,
                                 bool zh) {
  std::vector<std::string> out;
  for (const std::string& code : SplitCodes(joined)) {
    const domain::Measure* m = table.Find(code);
    out.push_back(zh && m != nullptr ? m->name_zh : code);
  }
  return out;
}

absl::StatusOr<int64_t> SubjectByIdNumber(const storage::Keyring& keys, const Matter& m,
                                          const std::string& id_number) {
  absl::StatusOr<std::vector<v1::Subject>> subjects = OpenLeadSubjects(keys, m.lead);
  if (!subjects.ok()) return subjects.status();
  const std::string wanted = domain::NormalizeIdNumber(id_number);
  for (size_t i = 0; i < subjects->size(); ++i) {
    const std::string& have = (*subjects)[i].id_number();
    if (!have.empty() && domain::NormalizeIdNumber(have) == wanted) {
      return static_cast<int64_t>(i + 1);
    }
  }
  return absl::NotFoundError("subject_id_number (--subject-id): no person of " + m.id +
                             " was recorded with that ID number; give the person's number "
                             "(1, 2, ...) as `lead show` / `case show` list them");
}

}  // namespace jijian::server::dispositions
