// The year's petitions: registration, the handling decision, the notice (petition_service.cc).
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "tests/bench/year_generator.h"

namespace jijian::bench::year {

absl::Status YearGenerator::PetitionRegister(WriteTxn& txn, int day, uint32_t) {
  const storage::Keyring& keys = txn.keyring();
  absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "XF", options_.year);
  if (!number.ok()) return number.status();
  const uint32_t n = static_cast<uint32_t>(*number);
  if (n != petitions_.size()) return absl::InternalError("petition numbers out of step");
  Petition p;
  first_petition_of_person_.resize(next_person_, 0);
  // About one petition in eight is about someone already reported on (a repeat report).
  if (next_person_ > 1 && Real() < 0.13) {
    p.p1 = static_cast<uint32_t>(Uniform(1, static_cast<int>(next_person_ - 1)));
    p.original = first_petition_of_person_[p.p1];
  } else {
    p.p1 = NewPerson();
  }
  if (Real() < 0.15) p.p2 = NewPerson();
  p.anonymous = Real() < 0.4;
  first_petition_of_person_.resize(next_person_, 0);
  for (uint32_t person : {p.p1, p.p2}) {
    if (person != kNone && first_petition_of_person_[person] == 0) {
      first_petition_of_person_[person] = n;
    }
  }
  const std::string id = Id("XF", n);
  static constexpr v1::Channel kChannels[] = {
      v1::CHANNEL_ONLINE, v1::CHANNEL_ONLINE, v1::CHANNEL_ONLINE, v1::CHANNEL_LETTER,
      v1::CHANNEL_LETTER, v1::CHANNEL_VISIT,  v1::CHANNEL_PHONE,  v1::CHANNEL_HIGHER,
      v1::CHANNEL_AGENCY, v1::CHANNEL_ONLINE};
  static constexpr v1::Category kCategories[] = {
      v1::CATEGORY_ACCUSATION,   v1::CATEGORY_ACCUSATION,   v1::CATEGORY_ACCUSATION,
      v1::CATEGORY_COMPLAINT,    v1::CATEGORY_APPEAL,       v1::CATEGORY_SUGGESTION,
      v1::CATEGORY_OUT_OF_SCOPE, v1::CATEGORY_OUT_OF_SCOPE, v1::CATEGORY_NO_SUBSTANCE,
      v1::CATEGORY_ACCUSATION};
  storage::PetitionRow row;
  row.id = id;
  row.state = v1::PetitionState_Name(v1::PETITION_REGISTERED);
  row.channel = v1::Channel_Name(kChannels[n % 10]);
  row.category = v1::Category_Name(kCategories[(n / 10) % 10]);
  row.received_date = Date(day);
  row.anonymous = p.anonymous;
  row.disciplines = n % 3 == 0 ? "DISCIPLINE_INTEGRITY,DISCIPLINE_WORK" : "DISCIPLINE_INTEGRITY";
  absl::StatusOr<std::string> sealed;
  if (!p.anonymous) {
    v1::Reporter reporter;
    const int64_t who = 100'000'000 + n;  // reporters are not among the persons reported on
    reporter.set_name(PersonName(who));
    reporter.set_id_number(PersonIdNumber(who));
    reporter.set_phone(absl::StrFormat("139%08d", n % 100000000));
    reporter.set_address(PersonUnit(who) + "家属院");
    if (!(sealed = SealAt(keys, KeyDomain::kIdentity, "petitions", "reporter", id,
                          reporter.SerializeAsString()))
             .ok())
      return sealed.status();
    row.reporter = *sealed;
  }
  const std::string summary = "反映" + PersonName(p.p1) + "违规收受礼金、违规吃喝问题";
  std::string content = summary + "。";
  for (int i = 0; i < 6; ++i) content += "具体时间地点见附件，涉及金额若干，有知情人可以证实。";
  if (!(sealed = SealAt(keys, KeyDomain::kContent, "petitions", "summary", id, summary)).ok())
    return sealed.status();
  row.summary = *sealed;
  if (!(sealed = SealAt(keys, KeyDomain::kContent, "petitions", "content", id, content)).ok())
    return sealed.status();
  row.content = *sealed;
  absl::StatusOr<std::string> code = storage::GenerateReceiptCode();
  if (!code.ok()) return code.status();
  row.receipt_digest = storage::ReceiptDigest(keys, *storage::NormalizeReceiptCode(*code));
  row.registered_by = txn.actor().user_id;
  row.created_us = row.updated_us = txn.now_us();
  if (absl::Status st = storage::InsertPetition(txn, row); !st.ok()) return st;
  int64_t idx = 0;
  for (uint32_t person : {p.p1, p.p2}) {
    if (person == kNone) continue;
    ++idx;
    const v1::Subject s = SubjectProto(person);
    absl::StatusOr<std::string> subject =
        SealAt(keys, KeyDomain::kIdentity, "petition_subjects", "subject", ChildRowId(id, idx),
               s.SerializeAsString());
    if (!subject.ok()) return subject.status();
    if (absl::Status st = storage::InsertSubject(
            txn, {id, idx, *subject, s.unit(), s.rank(), server::SubjectFlags(s)});
        !st.ok())
      return st;
    for (const std::string& digest : server::SubjectDigests(keys, s)) {
      if (absl::Status st = storage::AddPersonIndex(txn, digest, id); !st.ok()) return st;
    }
  }
  const server::domain::PetitionDeadlineRules rules;
  auto deadline = [&](const std::string& name, int working_days) {
    server::domain::WorkCalendar::Deadline due =
        calendar_.AddWorkingDays(start_ + day, working_days);
    return storage::SetDeadline(txn, {id, name, FormatDate(due.due), due.provisional, ""});
  };
  if (absl::Status st = deadline("proposal", rules.proposal_working_days); !st.ok()) return st;
  if (!p.anonymous) {
    if (absl::Status st = deadline("acceptance_notice", rules.notice_working_days); !st.ok())
      return st;
  }
  if (absl::Status st = Event(txn, {"petition.register", "petition", id, "", "REGISTERED",
                                    "channel=" + row.channel + " category=" + row.category +
                                        (p.anonymous ? " anonymous" : " real-name")});
      !st.ok())
    return st;
  // As the service answers: the objects sharing a person index with this one.
  absl::StatusOr<std::vector<std::string>> related =
      server::RelatedByPerson(txn.db(), txn.keyring(), id);
  if (!related.ok()) return related.status();
  petitions_.push_back(p);
  ++counts_.petitions;
  Schedule(day + Uniform(3, 10), Step::kPetitionDecide, n);
  return absl::OkStatus();
}

absl::Status YearGenerator::PetitionDecide(WriteTxn& txn, int day, uint32_t n) {
  Petition& p = petitions_[n];
  const std::string id = Id("XF", n);
  // The handling mix: about 55 % of the leads of the year come from petitions (of those that
  // are not duplicates, which are about one in eight).
  const double accept_share =
      0.55 / 0.87 * static_cast<double>(kNationalLeads) / static_cast<double>(kNationalPetitions);
  v1::HandlingMode mode;
  if (p.original != 0 && p.original != n) {
    mode = v1::HANDLING_DUPLICATE;
  } else {
    const double r = Real();
    mode = r < accept_share          ? v1::HANDLING_ACCEPT
           : r < accept_share + 0.03 ? v1::HANDLING_ESCALATE
           : r < accept_share + 0.33 ? v1::HANDLING_TRANSFER_DOWN
           : r < accept_share + 0.43 ? v1::HANDLING_ASSIGN_DOWN
           : r < accept_share + 0.58 ? v1::HANDLING_REFER_OUT
                                     : v1::HANDLING_ARCHIVE;
  }
  using server::domain::PetitionAction;
  static const std::map<v1::HandlingMode, PetitionAction> kAction = {
      {v1::HANDLING_ACCEPT, PetitionAction::kAccept},
      {v1::HANDLING_ESCALATE, PetitionAction::kEscalate},
      {v1::HANDLING_TRANSFER_DOWN, PetitionAction::kTransferDown},
      {v1::HANDLING_ASSIGN_DOWN, PetitionAction::kAssignDown},
      {v1::HANDLING_REFER_OUT, PetitionAction::kReferOut},
      {v1::HANDLING_ARCHIVE, PetitionAction::kArchive},
      {v1::HANDLING_DUPLICATE, PetitionAction::kDuplicate}};
  const PetitionAction action = kAction.at(mode);
  absl::StatusOr<storage::PetitionRow> row = storage::GetPetition(txn.db(), id);
  if (!row.ok()) return row.status();
  if (absl::Status st = txn.CheckVersion("petitions", "id", id, row->version); !st.ok()) return st;
  const v1::PetitionState from = server::PetitionStateOf(*row);
  absl::StatusOr<v1::PetitionState> next = server::domain::NextPetitionState(id, from, action);
  if (!next.ok()) return next.status();
  storage::EventInput event{"petition.decide",
                            "petition",
                            id,
                            std::string(server::domain::PetitionStateName(from)),
                            std::string(server::domain::PetitionStateName(*next)),
                            ""};
  const std::string date = Date(day);
  const server::domain::PetitionDeadlineRules rules;
  absl::StatusOr<std::string> reason = SealAt(txn.keyring(), KeyDomain::kContent, "petitions",
                                              "decision_reason", id, "经集体研究，按规定处理");
  if (!reason.ok()) return reason.status();
  row->decision_mode = v1::HandlingMode_Name(mode);
  row->decision_reason = *reason;
  row->decided_by = txn.actor().user_id;
  row->decided_date = date;
  const bool has_body = mode == v1::HANDLING_ESCALATE || mode == v1::HANDLING_TRANSFER_DOWN ||
                        mode == v1::HANDLING_ASSIGN_DOWN || mode == v1::HANDLING_REFER_OUT;
  if (has_body)
    row->decision_to = PersonUnit(p.p1).substr(0, PersonUnit(p.p1).find("县") + 3) + "纪委监委";
  if (mode == v1::HANDLING_ASSIGN_DOWN) row->decision_due = Date(day + 60);
  event.reason = "mode=" + std::string(server::domain::PetitionActionName(action));
  if (!row->decision_to.empty()) event.reason += " to=" + row->decision_to;
  if (absl::Status st = storage::MeetDeadline(txn, id, "proposal", date); !st.ok()) return st;
  const absl::CivilDay received = *server::domain::ParseDate("received_date", row->received_date);
  auto deadline = [&](const std::string& name, absl::CivilDay from_day, int working_days,
                      const std::string& met) {
    server::domain::WorkCalendar::Deadline due = calendar_.AddWorkingDays(from_day, working_days);
    return storage::SetDeadline(txn, {id, name, FormatDate(due.due), due.provisional, met});
  };
  absl::Status st;
  switch (mode) {
    case v1::HANDLING_ESCALATE:
      st = deadline("escalation", received, rules.escalation_working_days, date);
      break;
    case v1::HANDLING_TRANSFER_DOWN:
      st = deadline("transfer", received, rules.transfer_working_days, date);
      break;
    case v1::HANDLING_ASSIGN_DOWN:
      st = storage::SetDeadline(txn, {id, "result_report", row->decision_due, false, ""});
      break;
    case v1::HANDLING_ARCHIVE:
      row->closed_date = date;
      if (!row->anonymous)
        st = deadline("result_feedback", start_ + day, rules.feedback_working_days, "");
      break;
    case v1::HANDLING_DUPLICATE: {
      absl::StatusOr<storage::PetitionRow> original =
          storage::GetPetition(txn.db(), Id("XF", p.original));
      if (!original.ok()) return original.status();
      const std::string original_state = server::PetitionStateText(original->state);
      original->duplicate_count += 1;
      if (st = storage::UpdatePetition(txn, *original); !st.ok()) return st;
      if (st = Event(txn, {"petition.duplicate_linked", "petition", original->id, original_state,
                           original_state, "duplicate=" + id});
          !st.ok())
        return st;
      if (st = storage::AddObjectLink(txn, id, original->id, "duplicate_of"); !st.ok()) return st;
      row->duplicate_of = original->id;
      row->closed_date = date;
      event.reason += " duplicate_of=" + original->id;
      st = storage::DropDeadline(txn, id, "acceptance_notice");
      break;
    }
    default:
      break;
  }
  if (!st.ok()) return st;
  row->state = v1::PetitionState_Name(*next);
  if (st = storage::UpdatePetition(txn, *row); !st.ok()) return st;
  if (st = Event(txn, event); !st.ok()) return st;
  p.mode = static_cast<uint8_t>(mode);
  counts_.petition_modes[v1::HandlingMode_Name(mode)] += 1;
  if (mode == v1::HANDLING_ACCEPT) {
    Lead lead;
    lead.petition = n;
    lead.p1 = p.p1;
    lead.p2 = p.p2;
    leads_.push_back(lead);
    Schedule(day + 1, Step::kLeadRegister, static_cast<uint32_t>(leads_.size() - 1));
  }
  if (!p.anonymous && mode != v1::HANDLING_DUPLICATE && mode != v1::HANDLING_ARCHIVE) {
    Schedule(day + Uniform(1, 5), Step::kPetitionNotify, n);
  }
  return absl::OkStatus();
}

absl::Status YearGenerator::PetitionNotify(WriteTxn& txn, int day, uint32_t n) {
  const std::string id = Id("XF", n);
  absl::StatusOr<storage::PetitionRow> row = storage::GetPetition(txn.db(), id);
  if (!row.ok()) return row.status();
  if (absl::Status st = txn.CheckVersion("petitions", "id", id, row->version); !st.ok()) return st;
  const v1::PetitionState from = server::PetitionStateOf(*row);
  absl::StatusOr<v1::PetitionState> next =
      server::domain::NextPetitionState(id, from, server::domain::PetitionAction::kNotify);
  if (!next.ok()) return next.status();
  const std::string date = Date(day);
  if (absl::Status st = storage::MeetDeadline(txn, id, "acceptance_notice", date); !st.ok())
    return st;
  if (absl::Status st = server::AddSealedPetitionMessage(
          txn, id, "acceptance_notice", date, "phone", "您反映的问题已收悉，已按规定处理。");
      !st.ok())
    return st;
  row->state = v1::PetitionState_Name(*next);
  if (absl::Status st = storage::UpdatePetition(txn, *row); !st.ok()) return st;
  return Event(
      txn, {"petition.notify", "petition", id, std::string(server::domain::PetitionStateName(from)),
            std::string(server::domain::PetitionStateName(*next)), "means=phone"});
}

}  // namespace jijian::bench::year
