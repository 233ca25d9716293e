#include "server/domain/request_validate.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/domain/id_number.h"
#include "server/domain/petition_validate.h"
#include "server/domain/validate.h"

namespace jijian::server::domain {

absl::Status ValidateRegisterLead(const v1::RegisterLeadRequest& req, absl::CivilDay today) {
  if (absl::Status st = CheckRequestId(req.request_id()); !st.ok()) return st;
  if (!req.petition_id().empty()) {
    if (absl::Status st = CheckObjectId("petition_id", "XF", req.petition_id()); !st.ok()) {
      return st;
    }
    if (req.source() != v1::LEAD_SOURCE_UNSPECIFIED || !req.subjects().empty() ||
        !req.summary().empty()) {
      return absl::InvalidArgumentError(
          "petition_id: a lead from a petition takes its source, subjects and summary from it");
    }
    return absl::OkStatus();
  }
  if (req.source() == v1::LEAD_SOURCE_UNSPECIFIED || req.source() == v1::LEAD_SOURCE_PETITION ||
      !v1::LeadSource_IsValid(req.source())) {
    return absl::InvalidArgumentError(
        "source: must be one of inspection-tour, audit, supervision, agency, self-report "
        "(or give petition_id)");
  }
  if (absl::Status st = CheckSubjects(req.subjects(), today); !st.ok()) return st;
  return CheckText("summary", req.summary(), kMaxSummaryChars, true);
}

absl::Status ValidateFileCase(const v1::FileCaseRequest& req) {
  if (absl::Status st = CheckRequestId(req.request_id()); !st.ok()) return st;
  if (absl::Status st = CheckObjectId("lead_id", "XS", req.lead_id()); !st.ok()) return st;
  return CheckText("reason", req.reason(), kMaxReasonChars, true, true);
}

absl::StatusOr<std::vector<std::string>> CheckMeasureList(
    const google::protobuf::RepeatedPtrField<std::string>& measures) {
  if (measures.empty()) {
    return absl::InvalidArgumentError("measure: at least one measure is required");
  }
  if (measures.size() > kMaxMeasures) {
    return absl::InvalidArgumentError("measure: at most " + std::to_string(kMaxMeasures) +
                                      " measures in one decision");
  }
  return std::vector<std::string>(measures.begin(), measures.end());
}

absl::StatusOr<std::string> CheckDisciplines(
    const google::protobuf::RepeatedField<int>& disciplines) {
  if (disciplines.empty()) {
    return absl::InvalidArgumentError(
        "discipline: at least one of political, organizational, integrity, mass, work, life");
  }
  std::set<int> seen;
  std::vector<std::string> names;
  for (int d : disciplines) {
    if (d == v1::DISCIPLINE_UNSPECIFIED || !v1::Discipline_IsValid(d)) {
      return absl::InvalidArgumentError(
          "discipline: must be among political, organizational, integrity, mass, work, life");
    }
    if (!seen.insert(d).second) return absl::InvalidArgumentError("discipline: listed twice");
    names.push_back(v1::Discipline_Name(static_cast<v1::Discipline>(d)));
  }
  return absl::StrJoin(names, ",");
}

absl::StatusOr<DispositionDecision> ValidateRecordDisposition(
    const v1::RecordDispositionRequest& req, const MeasureTable& measures, absl::CivilDay today) {
  DispositionDecision out;
  if (absl::Status st = CheckRequestId(req.request_id()); !st.ok()) return st;
  out.is_case = req.object_id().rfind("LA-", 0) == 0;
  if (!CheckObjectId("object_id", out.is_case ? "LA" : "XS", req.object_id()).ok()) {
    return absl::InvalidArgumentError(
        "object_id: must be a lead (XS-YYYY-NNNNNN) or a case (LA-YYYY-NNNNNN)");
  }
  if (req.subject_index() < 1 && req.subject_id_number().empty()) {
    return absl::InvalidArgumentError(
        "subject_index (--subject-id): required, the person's number in the matter (1, 2, ...) "
        "or their ID number");
  }
  if (req.subject_index() > 0 && !req.subject_id_number().empty()) {
    return absl::InvalidArgumentError(
        "subject_index (--subject-id): give the person's number or their ID number, not both");
  }
  if (!req.subject_id_number().empty()) {
    if (absl::Status st =
            CheckIdNumber("subject_id_number (--subject-id)", req.subject_id_number(), today);
        !st.ok()) {
      return st;
    }
  }
  absl::StatusOr<std::vector<std::string>> codes = CheckMeasureList(req.measures());
  if (!codes.ok()) return codes.status();
  out.measure_codes = *std::move(codes);
  absl::StatusOr<std::string> disciplines = CheckDisciplines(req.disciplines());
  if (!disciplines.ok()) return disciplines.status();
  out.disciplines = *std::move(disciplines);
  if (req.decided_date().empty()) {
    return absl::InvalidArgumentError(
        "decided_date (--decided): required, the date of the decision (YYYY-MM-DD)");
  }
  absl::StatusOr<absl::CivilDay> decided =
      DateNotInFuture("decided_date (--decided)", req.decided_date(), today);
  if (!decided.ok()) return decided.status();
  out.decided = *decided;
  if (req.probation_months() < 0 || req.probation_months() > 24) {
    return absl::InvalidArgumentError("probation_months: must be 12 or 24 (留党察看)");
  }
  if (absl::Status st =
          CheckCombination(measures, out.measure_codes, out.is_case, req.probation_months());
      !st.ok()) {
    return absl::Status(st.code(), absl::StrCat("measure: ", st.message()));
  }
  if (absl::Status st = CheckText("reason", req.reason(), kMaxReasonChars, true, true); !st.ok()) {
    return st;
  }
  return out;
}

}  // namespace jijian::server::domain
