// Lead rows <-> API messages, opening sealed fields with the keyring.
#ifndef JIJIAN_SERVER_LEAD_CODEC_H_
#define JIJIAN_SERVER_LEAD_CODEC_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jijian/v1/lead.pb.h"
#include "server/domain/calendar.h"
#include "storage/keyring.h"
#include "storage/leads.h"
#include "storage/petitions.h"

namespace jijian::server {

// Everything about one lead.
struct LeadRecord {
  storage::LeadRow row;
  std::vector<storage::SubjectRow> subjects;
  std::vector<storage::AssignmentRow> assignments;
  std::vector<storage::ProposalRow> proposals;
  std::vector<storage::MessageRow> notes;
  std::vector<storage::DeadlineRow> deadlines;
};

absl::StatusOr<LeadRecord> LoadLeadRecord(storage::Db& db, const std::string& id);

// The stored state of a lead.
v1::LeadState LeadStateOf(const storage::LeadRow& row);

// The subjects of a lead, opened (ID numbers included).
absl::StatusOr<std::vector<v1::Subject>> OpenLeadSubjects(const storage::Keyring& keyring,
                                                          const LeadRecord& record);

// The API message of a lead; subjects' ID numbers are left out.
absl::StatusOr<v1::Lead> LeadToProto(const storage::Keyring& keyring, const LeadRecord& record,
                                     const domain::WorkCalendar& calendar, absl::CivilDay today);

// A ledger line.
absl::StatusOr<v1::LeadListItem> LeadListItemFromRow(
    const storage::Keyring& keyring, const storage::LeadRow& row,
    const std::vector<storage::DeadlineRow>& deadlines, const domain::WorkCalendar& calendar,
    absl::CivilDay today);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_LEAD_CODEC_H_
