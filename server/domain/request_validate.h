// Validation of the lead, case and disposition requests whose fields need more than one
// check: every field, before anything is read or written. Errors are INVALID_ARGUMENT naming
// the field and the rule and never echo sensitive values. Pure: the services call these
// first, and tests/fuzz/request_validation_fuzz.cc feeds them arbitrary requests.
#ifndef JIJIAN_SERVER_DOMAIN_REQUEST_VALIDATE_H_
#define JIJIAN_SERVER_DOMAIN_REQUEST_VALIDATE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "jijian/v1/case.pb.h"
#include "jijian/v1/disposition.pb.h"
#include "jijian/v1/lead.pb.h"
#include "server/domain/measures.h"

namespace jijian::server::domain {

// Most measures in one disposition decision.
inline constexpr int kMaxMeasures = 8;

// A lead registered from a petition (petition_id, nothing else), or from another source with
// its subjects and summary.
absl::Status ValidateRegisterLead(const v1::RegisterLeadRequest& req, absl::CivilDay today);

// Filing a case on a lead: request id, lead id, reason.
absl::Status ValidateFileCase(const v1::FileCaseRequest& req);

// 1 to kMaxMeasures measure codes, as given (CheckCombination checks what they are).
absl::StatusOr<std::vector<std::string>> CheckMeasureList(
    const google::protobuf::RepeatedPtrField<std::string>& measures);

// One or more distinct disciplines; their names joined by commas ("DISCIPLINE_INTEGRITY,...").
absl::StatusOr<std::string> CheckDisciplines(const google::protobuf::RepeatedField<int>& disciplines);

// What a valid RecordDisposition request decides, as the service stores it.
struct DispositionDecision {
  bool is_case = false;                    // object_id is a case (LA-), not a lead (XS-)
  std::vector<std::string> measure_codes;  // as given, a valid combination
  std::string disciplines;                 // CheckDisciplines
  absl::CivilDay decided;                  // not after today
};

// Checks a RecordDisposition request completely against the measure table: the matter, the
// person (by number or ID number, not both), the measures and their combination, the
// disciplines, the decision date, the probation months and the reason. INVALID_ARGUMENT,
// or FAILED_PRECONDITION for measures of forms 2-4 on a lead (a case must be filed first).
absl::StatusOr<DispositionDecision> ValidateRecordDisposition(
    const v1::RecordDispositionRequest& req, const MeasureTable& measures, absl::CivilDay today);

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_REQUEST_VALIDATE_H_
