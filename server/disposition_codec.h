// What the disposition service and the integrity check share: the matter (lead or case) a
// disposition is about, its person, the derived columns of a decision, periods, and the
// proto of a disposition.
#ifndef JIJIAN_SERVER_DISPOSITION_CODEC_H_
#define JIJIAN_SERVER_DISPOSITION_CODEC_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jijian/v1/disposition.pb.h"
#include "server/auth.h"
#include "server/domain/measures.h"
#include "server/lead_codec.h"
#include "server/service_support.h"
#include "storage/cases.h"
#include "storage/dispositions.h"

namespace jijian::server::dispositions {

inline constexpr char kTable[] = "dispositions";
inline constexpr char kHistory[] = "disposition_history";

std::string StateName(v1::DispositionState s);
v1::DispositionState StateOf(const storage::DispositionRow& row);
// "DISPOSITION_APPROVED" -> "APPROVED".
std::string ShortState(const std::string& stored);
// "a,b" -> {"a", "b"}.
std::vector<std::string> SplitCodes(const std::string& joined);

// The lead or case a disposition is about, and the person in it.
struct Matter {
  bool is_case = false;
  std::string id;                   // XS-... or LA-...
  std::string state;                // the lead's or case's state name
  std::string inspector;            // the assigned inspector
  std::string filed_or_registered;  // the earliest a decision can be dated
  LeadRecord lead;                  // the lead itself, or the case's lead
  storage::CaseRow case_row;
};
absl::StatusOr<Matter> LoadMatter(storage::Db& db, const std::string& object_id);

// Need to know: an inspector acting as such sees only matters assigned to them, and gets
// NOT_FOUND (naming shown_id) for the rest, as for leads and cases.
absl::Status CheckNeedToKnow(const Caller& caller, const Matter& m, const std::string& shown_id);

// The person idx (1-based) of the matter; INVALID_ARGUMENT naming the field when out of range.
absl::StatusOr<v1::Subject> SubjectOf(const storage::Keyring& keys, const Matter& m, int64_t idx);

// The number (1-based) of the matter's subject with this ID number; NOT_FOUND naming the
// field when no subject of the matter has it (the number itself is never echoed).
absl::StatusOr<int64_t> SubjectByIdNumber(const storage::Keyring& keys, const Matter& m,
                                          const std::string& id_number);

// Sets the derived columns of row (measures in table order, form, party/government, period
// and its end) for a decision with these measures, from row.decided_date.
absl::Status Derive(const domain::MeasureTable& table, const std::vector<std::string>& codes,
                    int probation, storage::DispositionRow& row);

// True when an approved disposition's period contains today.
bool RowInPeriod(const storage::DispositionRow& r, absl::CivilDay today);

absl::StatusOr<v1::Disposition> ToProto(storage::Db& db, const storage::Keyring& keys,
                                        const domain::MeasureTable& table,
                                        const storage::DispositionRow& r, const Matter& m);

// The measure codes of a joined list, or their Chinese names when zh.
std::vector<std::string> CodesOf(const domain::MeasureTable& table, const std::string& joined,
                                 bool zh);

// The body of DispositionService.IntegrityCheck (廉政意见回复) for an already validated
// request: looks the person up through the name + ID-number blind index, answers with their
// open matters and running sanction periods, and records the check and its audit event.
storage::MutationFn IntegrityCheckMutation(const ServiceDeps& deps,
                                           const v1::IntegrityCheckRequest& request);

}  // namespace jijian::server::dispositions

#endif  // JIJIAN_SERVER_DISPOSITION_CODEC_H_
