#include "server/petition_codec.h"

#include "absl/strings/str_split.h"
#include "server/domain/id_number.h"
#include "server/domain/petition_rules.h"

namespace jijian::server {
namespace {

constexpr char kPetitions[] = "petitions";
constexpr char kSubjects[] = "petition_subjects";
constexpr char kMessages[] = "petition_messages";

template <typename Enum>
Enum ParseEnum(const std::string& name, bool (*parse)(const std::string&, Enum*)) {
  Enum value{};
  parse(name, &value);
  return value;
}

}  // namespace

absl::StatusOr<std::string> SealAt(const storage::Keyring& keyring, storage::KeyDomain domain,
                                   std::string_view table, std::string_view column,
                                   const std::string& row_id, const std::string& plain) {
  if (plain.empty()) return std::string();
  return keyring.Seal(domain, {table, column, row_id}, plain);
}

absl::StatusOr<std::string> OpenAt(const storage::Keyring& keyring, std::string_view table,
                                   std::string_view column, const std::string& row_id,
                                   const std::string& sealed) {
  if (sealed.empty()) return std::string();
  return keyring.Open({table, column, row_id}, sealed);
}

std::string ChildRowId(const std::string& petition_id, int64_t index) {
  return petition_id + "#" + std::to_string(index);
}

namespace {

// The (purpose, value) pairs a subject is indexed by; the name + ID number pair first.
std::vector<std::pair<std::string, std::string>> SubjectIndexParts(const v1::Subject& s) {
  // Each part is normalised on its own, so spacing around a part cannot split a person.
  using storage::Keyring;
  const std::string name = Keyring::Normalize(s.name());
  std::vector<std::pair<std::string, std::string>> out;
  if (!s.id_number().empty()) {
    const std::string id = domain::NormalizeIdNumber(s.id_number());
    out.emplace_back("person:name+id", name + "|" + id);
    out.emplace_back("person:id", id);
  }
  out.emplace_back("person:name+unit", name + "|" + Keyring::Normalize(s.unit()));
  return out;
}

}  // namespace

std::string PersonIdDigest(const storage::Keyring& keyring, const std::string& id_number) {
  return keyring.BlindIndex("person:id", domain::NormalizeIdNumber(id_number));
}

std::vector<std::string> PersonIdDigests(const storage::Keyring& keyring,
                                         const std::string& id_number) {
  return keyring.BlindIndexes("person:id", domain::NormalizeIdNumber(id_number));
}

std::vector<std::string> SubjectDigests(const storage::Keyring& keyring, const v1::Subject& s) {
  std::vector<std::string> out;
  for (const auto& [purpose, value] : SubjectIndexParts(s)) {
    out.push_back(keyring.BlindIndex(purpose, value));
  }
  return out;
}

std::vector<std::string> NameIdDigests(const storage::Keyring& keyring, const v1::Subject& s) {
  const auto [purpose, value] = SubjectIndexParts(s).front();
  return keyring.BlindIndexes(purpose, value);
}

std::vector<std::string> SubjectLookupDigests(const storage::Keyring& keyring,
                                              const v1::Subject& s) {
  std::vector<std::string> out;
  for (const auto& [purpose, value] : SubjectIndexParts(s)) {
    for (std::string& d : keyring.BlindIndexes(purpose, value)) out.push_back(std::move(d));
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> RelatedByPerson(storage::Db& db,
                                                         const storage::Keyring& keyring,
                                                         const std::string& petition_id) {
  absl::StatusOr<std::vector<storage::SubjectRow>> rows = storage::GetSubjects(db, petition_id);
  if (!rows.ok()) return rows.status();
  std::vector<std::string> digests;
  for (const storage::SubjectRow& row : *rows) {
    absl::StatusOr<std::string> bytes = OpenAt(keyring, storage::kPetitionSubjects, "subject",
                                               ChildRowId(petition_id, row.idx), row.sealed);
    if (!bytes.ok()) return bytes.status();
    v1::Subject subject;
    if (!subject.ParseFromString(*bytes)) {
      return absl::DataLossError("petition " + petition_id + ": subject record unreadable");
    }
    for (std::string& d : SubjectLookupDigests(keyring, subject)) digests.push_back(std::move(d));
  }
  return storage::FindByPersonIndex(db, digests, petition_id);
}

std::string SubjectFlags(const v1::Subject& s) {
  std::string flags;
  auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (!flags.empty()) flags += ",";
    flags += name;
  };
  add(s.party_member(), "party");
  add(s.top_leader(), "top_leader");
  add(s.committee_member(), "committee");
  add(s.commission_head(), "commission_head");
  return flags;
}

bool HasFlag(const std::string& flags, std::string_view flag) {
  for (absl::string_view part : absl::StrSplit(flags, ',')) {
    if (std::string_view(part.data(), part.size()) == flag) return true;
  }
  return false;
}

void DeadlinesToProto(const std::vector<storage::DeadlineRow>& rows,
                      const domain::WorkCalendar& calendar, absl::CivilDay today,
                      google::protobuf::RepeatedPtrField<v1::Deadline>* out, bool overdue_only) {
  for (const storage::DeadlineRow& d : rows) {
    int late = 0;
    if (d.met_date.empty()) {
      absl::StatusOr<absl::CivilDay> due = domain::ParseDate("due_date", d.due_date);
      if (due.ok() && *due < today) late = calendar.WorkingDaysBetween(*due, today);
    }
    if (overdue_only && (late == 0 || !d.met_date.empty())) continue;
    v1::Deadline* p = out->Add();
    p->set_name(d.name);
    p->set_due_date(d.due_date);
    p->set_provisional(d.provisional);
    p->set_met_date(d.met_date);
    p->set_working_days_late(late);
  }
}

absl::StatusOr<v1::Petition> PetitionToProto(const storage::Keyring& keyring,
                                             const storage::PetitionRow& row,
                                             const std::vector<storage::SubjectRow>& subjects,
                                             const std::vector<storage::MessageRow>& messages,
                                             const std::vector<storage::DeadlineRow>& deadlines,
                                             const domain::WorkCalendar& calendar,
                                             absl::CivilDay today, const PetitionView& view) {
  v1::Petition p;
  p.set_id(row.id);
  p.set_version(row.version);
  p.set_state(ParseEnum<v1::PetitionState>(row.state, v1::PetitionState_Parse));
  p.set_channel(ParseEnum<v1::Channel>(row.channel, v1::Channel_Parse));
  p.set_category(ParseEnum<v1::Category>(row.category, v1::Category_Parse));
  p.set_received_date(row.received_date);
  p.set_anonymous(row.anonymous);
  for (absl::string_view d : absl::StrSplit(row.disciplines, ',', absl::SkipEmpty())) {
    p.add_disciplines(ParseEnum<v1::Discipline>(std::string(d), v1::Discipline_Parse));
  }
  if (!row.anonymous) {
    if (view.identity) {
      absl::StatusOr<std::string> bytes =
          OpenAt(keyring, kPetitions, "reporter", row.id, row.reporter);
      if (!bytes.ok()) return bytes.status();
      if (!p.mutable_reporter()->ParseFromString(*bytes)) {
        return absl::DataLossError("petition " + row.id + ": reporter record unreadable");
      }
    } else {
      p.set_identity_redacted(true);
    }
  }
  for (const storage::SubjectRow& s : subjects) {
    absl::StatusOr<std::string> bytes =
        OpenAt(keyring, kSubjects, "subject", ChildRowId(row.id, s.idx), s.sealed);
    if (!bytes.ok()) return bytes.status();
    v1::Subject* subject = p.add_subjects();
    if (!subject->ParseFromString(*bytes)) {
      return absl::DataLossError("petition " + row.id + ": subject record unreadable");
    }
    if (!view.identity) subject->clear_id_number();
  }
  if (view.content) {
    for (auto [column, sealed, setter] :
         {std::tuple<const char*, const std::string*, std::string* (v1::Petition::*)()>{
              "summary", &row.summary, &v1::Petition::mutable_summary},
          {"content", &row.content, &v1::Petition::mutable_content},
          {"conclusion", &row.conclusion, &v1::Petition::mutable_conclusion}}) {
      if (!view.full_text && sealed == &row.content) continue;
      absl::StatusOr<std::string> plain = OpenAt(keyring, kPetitions, column, row.id, *sealed);
      if (!plain.ok()) return plain.status();
      *(p.*setter)() = *std::move(plain);
    }
  }
  if (!row.decision_mode.empty()) {
    v1::Decision* d = p.mutable_decision();
    d->set_mode(ParseEnum<v1::HandlingMode>(row.decision_mode, v1::HandlingMode_Parse));
    if (view.content) {
      absl::StatusOr<std::string> reason =
          OpenAt(keyring, kPetitions, "decision_reason", row.id, row.decision_reason);
      if (!reason.ok()) return reason.status();
      d->set_reason(*reason);
    }
    d->set_to_body(row.decision_to);
    d->set_due_date(row.decision_due);
    d->set_decided_by(row.decided_by);
    d->set_decided_date(row.decided_date);
  }
  p.set_duplicate_of(row.duplicate_of);
  p.set_duplicate_count(static_cast<int32_t>(row.duplicate_count));
  DeadlinesToProto(deadlines, calendar, today, p.mutable_deadlines(), /*overdue_only=*/false);
  if (view.content) {
    for (const storage::MessageRow& m : messages) {
      absl::StatusOr<std::string> text =
          OpenAt(keyring, kMessages, "body", ChildRowId(row.id, m.seq), m.body);
      if (!text.ok()) return text.status();
      v1::PetitionMessage* out = p.add_messages();
      out->set_kind(m.kind);
      out->set_date(m.date);
      out->set_means(m.means);
      out->set_text(*text);
      out->set_author(m.author);
    }
  }
  p.set_closed_date(row.closed_date);
  p.set_registered_by(row.registered_by);
  return p;
}

v1::PetitionState PetitionStateOf(const storage::PetitionRow& row) {
  return ParseEnum<v1::PetitionState>(row.state, v1::PetitionState_Parse);
}

std::string PetitionStateText(const std::string& stored_state) {
  return std::string(domain::PetitionStateName(
      ParseEnum<v1::PetitionState>(stored_state, v1::PetitionState_Parse)));
}

absl::Status AddSealedPetitionMessage(storage::WriteTxn& txn, const std::string& id,
                                      const std::string& kind, const std::string& date,
                                      const std::string& means, const std::string& text) {
  absl::StatusOr<int64_t> seq = storage::NextMessageSeq(txn.db(), id);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<std::string> body = SealAt(txn.keyring(), storage::KeyDomain::kContent, kMessages,
                                            "body", ChildRowId(id, *seq), text);
  if (!body.ok()) return body.status();
  return storage::AddMessage(txn, {id, *seq, kind, date, means, *body, txn.actor().user_id, 0});
}

absl::StatusOr<v1::PetitionListItem> PetitionListItemFromRow(
    const storage::Keyring& keyring, const storage::PetitionRow& row,
    const std::vector<storage::DeadlineRow>& deadlines, const domain::WorkCalendar& calendar,
    absl::CivilDay today) {
  v1::PetitionListItem item;
  item.set_id(row.id);
  item.set_version(row.version);
  item.set_state(ParseEnum<v1::PetitionState>(row.state, v1::PetitionState_Parse));
  item.set_channel(ParseEnum<v1::Channel>(row.channel, v1::Channel_Parse));
  item.set_category(ParseEnum<v1::Category>(row.category, v1::Category_Parse));
  item.set_received_date(row.received_date);
  item.set_anonymous(row.anonymous);
  absl::StatusOr<std::string> summary = OpenAt(keyring, kPetitions, "summary", row.id, row.summary);
  if (!summary.ok()) return summary.status();
  item.set_summary(*std::move(summary));
  DeadlinesToProto(deadlines, calendar, today, item.mutable_overdue(), /*overdue_only=*/true);
  return item;
}

}  // namespace jijian::server
