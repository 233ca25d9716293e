// Rows of problem leads (问题线索): the lead, its assignment history, its disposal
// proposals, and users' declared recusals. Sealed columns hold bytes sealed by the caller.
// Writing a lead, a lead subject or a proposal's outcome keeps the statistics counters
// (storage/stats.h) in the same transaction.
#ifndef JIJIAN_STORAGE_LEADS_H_
#define JIJIAN_STORAGE_LEADS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/db.h"
#include "storage/store.h"

namespace jijian::storage {

struct LeadRow {
  std::string id;
  int64_t version = 1;
  std::string state;
  std::string source;
  std::string petition_id;
  std::string summary;  // sealed
  std::string inspector;
  std::string department;
  bool report_required = false;
  std::string reported_date;
  std::string case_id;
  std::string hold_review_date;
  std::string registered_by;
  std::string registered_date;
  std::string closed_date;
  int64_t created_us = 0;
  int64_t updated_us = 0;
};

struct AssignmentRow {
  std::string lead_id;
  int64_t seq = 0;
  std::string inspector, department, assigned_by, date;
};

struct ProposalRow {
  std::string lead_id;
  int64_t seq = 0;
  std::string kind;
  std::string reason;  // sealed
  std::string proposed_by, date, return_state;
  std::string outcome, decided_by;
  std::string decision_reason;  // sealed
};

struct RecusalRow {
  std::string user_id;
  std::string target;  // person digest or petition id
  std::string kind;    // subject, reporter_of
  std::string ground;
  std::string reason;  // sealed
};

absl::Status InsertLead(WriteTxn& txn, const LeadRow& row);
// Writes every column, bumping the version (the caller checked it).
absl::Status UpdateLead(WriteTxn& txn, LeadRow& row);
absl::StatusOr<LeadRow> GetLead(Db& db, const std::string& id);

struct LeadFilter {
  std::string state, inspector, after_id;
  bool overdue = false, hold_due = false;
  std::string today;
  int limit = 50;
};
// The leads that match filter after after_id (the last id of the previous page), in id
// order (year, then number), at most limit.
absl::StatusOr<std::vector<LeadRow>> ListLeads(Db& db, const LeadFilter& filter);

// One lane of a work queue (server/queue.cc). Each lane is one range of one index of
// schema 10, so that a page of it costs the rows it reads however large the ledger:
//  - by_inspector: the leads in state assigned to inspector ('' = to no one yet);
//  - report_due: the leads in any state (state unused) whose report to the higher
//    commission is required and not made yet;
//  - otherwise the leads in state, narrowed by not_proposed_by, without_case, hold_due_by.
struct LeadLaneFilter {
  std::string state;
  bool by_inspector = false;
  std::string inspector;
  bool report_due = false;
  std::string not_proposed_by;  // its latest proposal is not this user's (none: no match)
  bool without_case = false;    // no case filing requested for it yet (no link to a case)
  std::string hold_due_by;      // its hold review date is on or before this date
  std::string after_id;
  int limit = 50;
};
// The leads of one lane after after_id, in id order (year, then number), at most limit.
absl::StatusOr<std::vector<LeadRow>> ListLeadLane(Db& db, const LeadLaneFilter& lane);

absl::Status AddAssignment(WriteTxn& txn, AssignmentRow row);
absl::StatusOr<std::vector<AssignmentRow>> GetAssignments(Db& db, const std::string& lead_id);

// Appends a proposal (seq assigned here) and returns its seq.
absl::StatusOr<int64_t> AddProposal(WriteTxn& txn, ProposalRow row);
absl::Status DecideProposal(WriteTxn& txn, const ProposalRow& row);
absl::StatusOr<std::vector<ProposalRow>> GetProposals(Db& db, const std::string& lead_id);

absl::Status AddRecusal(WriteTxn& txn, const RecusalRow& row);
// True when user declared a conflict about any of targets.
absl::StatusOr<bool> HasRecusal(Db& db, const std::string& user_id,
                                const std::vector<std::string>& targets);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_LEADS_H_
