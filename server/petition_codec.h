// Translation between petition rows (sealed bytes, plain enums as text) and the API
// messages, including sealing and opening with the keyring at each field's place.
#ifndef JIJIAN_SERVER_PETITION_CODEC_H_
#define JIJIAN_SERVER_PETITION_CODEC_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jijian/v1/petition.pb.h"
#include "server/domain/calendar.h"
#include "storage/keyring.h"
#include "storage/petitions.h"
#include "storage/store.h"

namespace jijian::server {

// What a reader may see of a petition.
struct PetitionView {
  bool content = true;    // summary, content, reasons, messages
  bool identity = false;  // the reporter and subjects' ID numbers
  bool full_text = true;  // with content: also the petition's full text, not only its summary
};

// Seals plain at (table, column, row_id) in domain; empty plain stays empty.
absl::StatusOr<std::string> SealAt(const storage::Keyring& keyring, storage::KeyDomain domain,
                                   std::string_view table, std::string_view column,
                                   const std::string& row_id, const std::string& plain);
// Opens sealed bytes at their place; empty stays empty.
absl::StatusOr<std::string> OpenAt(const storage::Keyring& keyring, std::string_view table,
                                   std::string_view column, const std::string& row_id,
                                   const std::string& sealed);

// Row id used for sealed subject and message values.
std::string ChildRowId(const std::string& petition_id, int64_t index);

// Blind-index digest of a person by ID number alone (recusal declarations), as stored.
std::string PersonIdDigest(const storage::Keyring& keyring, const std::string& id_number);
// The same at every generation of the index key chain, for lookups.
std::vector<std::string> PersonIdDigests(const storage::Keyring& keyring,
                                         const std::string& id_number);

// Blind-index digests of a subject, as stored: name + ID number (if known), ID number (if
// known) and name + unit. The name + ID number digest comes first.
std::vector<std::string> SubjectDigests(const storage::Keyring& keyring, const v1::Subject& s);
// The name + ID number digest of a person at every generation of the index key chain (an
// integrity check looks a person up by it, so a namesake never matches).
std::vector<std::string> NameIdDigests(const storage::Keyring& keyring, const v1::Subject& s);
// Every digest of a subject at every generation, for lookups.
std::vector<std::string> SubjectLookupDigests(const storage::Keyring& keyring,
                                              const v1::Subject& s);

// Other matters (petitions, leads) that share a person with petition id, found by the
// blind indexes of its subjects under every index key, so that rows of an older
// generation (an index-key rotation still under way) are found too. Sorted, unique.
absl::StatusOr<std::vector<std::string>> RelatedByPerson(storage::Db& db,
                                                         const storage::Keyring& keyring,
                                                         const std::string& petition_id);

// Comma-separated subject flags as stored (party,top_leader,committee,commission_head).
std::string SubjectFlags(const v1::Subject& s);
bool HasFlag(const std::string& flags, std::string_view flag);

// Deadline rows as API messages, with working days late as of today for open ones.
void DeadlinesToProto(const std::vector<storage::DeadlineRow>& rows,
                      const domain::WorkCalendar& calendar, absl::CivilDay today,
                      google::protobuf::RepeatedPtrField<v1::Deadline>* out, bool overdue_only);

// Builds the API message of a petition from its rows, opening what view allows.
absl::StatusOr<v1::Petition> PetitionToProto(const storage::Keyring& keyring,
                                             const storage::PetitionRow& row,
                                             const std::vector<storage::SubjectRow>& subjects,
                                             const std::vector<storage::MessageRow>& messages,
                                             const std::vector<storage::DeadlineRow>& deadlines,
                                             const domain::WorkCalendar& calendar,
                                             absl::CivilDay today, const PetitionView& view);

// The stored state of a petition, and its short name ("REGISTERED", ...) for events.
v1::PetitionState PetitionStateOf(const storage::PetitionRow& row);
std::string PetitionStateText(const std::string& stored_state);

// Adds a sealed message to a petition (notice, feedback, objection, result report,
// material), authored by the transaction's actor.
absl::Status AddSealedPetitionMessage(storage::WriteTxn& txn, const std::string& id,
                                      const std::string& kind, const std::string& date,
                                      const std::string& means, const std::string& text);

// A ledger line of a petition: plain fields, the opened summary, overdue deadlines.
absl::StatusOr<v1::PetitionListItem> PetitionListItemFromRow(
    const storage::Keyring& keyring, const storage::PetitionRow& row,
    const std::vector<storage::DeadlineRow>& deadlines, const domain::WorkCalendar& calendar,
    absl::CivilDay today);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_PETITION_CODEC_H_
