#include "server/queue.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <span>
#include <utility>
#include <vector>

#include "server/domain/calendar.h"
#include "server/domain/case_rules.h"
#include "server/domain/lead_rules.h"
#include "server/lead_codec.h"
#include "server/petition_codec.h"
#include "storage/cases.h"
#include "storage/leads.h"
#include "storage/petitions.h"
#include "storage/schema.h"

namespace jijian::server {
namespace {

using domain::FormatDate;
constexpr char kLeads[] = "leads";

// Which of the leads or cases in a state wait for the caller.
enum class Scope {
  kAll,             // every one
  kMine,            // those assigned to the caller
  kUnassigned,      // those assigned to no one yet
  kOthersProposal,  // those whose latest proposal is not the caller's
  kWithoutCase,     // those whose case filing is not requested yet
  kReportDue,       // in any state: those whose report to the higher commission is not made
  kHoldDue,         // those whose hold review date has come
  kOthersRequest,   // those whose filing someone else requested
};

// A lane of the queue: who acts next on the leads (or cases) in a state within a scope, and
// what they do. A lead in more than one of a caller's lanes is listed once, with the action
// of the first of them in table order.
struct LeadLane {
  v1::Role role;
  v1::LeadState state;  // unused with kReportDue
  Scope scope;
  const char* next_action;  // with kOthersProposal, followed by ": " and the proposal's kind
};
struct CaseLane {
  v1::Role role;
  v1::CaseState state;
  Scope scope;
  const char* next_action;
};

constexpr LeadLane kLeadLanes[] = {
    {v1::ROLE_INSPECTOR, v1::LEAD_REGISTERED, Scope::kMine, "propose a disposal method"},
    {v1::ROLE_INSPECTOR, v1::LEAD_INQUIRY, Scope::kMine,
     "hold the talk or send the inquiry letter, record the reply"},
    {v1::ROLE_INSPECTOR, v1::LEAD_INQUIRY_REPLIED, Scope::kMine,
     "propose: close, verification or hold"},
    {v1::ROLE_INSPECTOR, v1::LEAD_VERIFICATION, Scope::kMine, "submit the verification report"},
    {v1::ROLE_LEADER, v1::LEAD_PROPOSED, Scope::kOthersProposal, "approve or reject"},
    {v1::ROLE_LEADER, v1::LEAD_VERIFICATION_REPORTED, Scope::kOthersProposal, "approve or reject"},
    {v1::ROLE_CASE_MANAGER, v1::LEAD_REGISTERED, Scope::kUnassigned, "assign an inspector"},
    {v1::ROLE_CASE_MANAGER, v1::LEAD_CASE_PENDING, Scope::kWithoutCase,
     "draft the filing request (case file)"},
    {v1::ROLE_CASE_MANAGER, v1::LEAD_STATE_UNSPECIFIED, Scope::kReportDue,
     "report to the higher commission (第二十二条)"},
    {v1::ROLE_CASE_MANAGER, v1::LEAD_HOLD, Scope::kHoldDue, "review the held lead"},
};

constexpr CaseLane kCaseLanes[] = {
    {v1::ROLE_INSPECTOR, v1::CASE_INVESTIGATION, Scope::kMine, "write the investigation report"},
    {v1::ROLE_INSPECTOR, v1::CASE_INVESTIGATED, Scope::kMine, "transfer to review"},
    {v1::ROLE_REVIEWER, v1::CASE_IN_REVIEW, Scope::kAll, "give the review opinion"},
    {v1::ROLE_LEADER, v1::CASE_FILING_REQUESTED, Scope::kOthersRequest, "approve filing"},
    {v1::ROLE_LEADER, v1::CASE_REVIEWED, Scope::kAll, "decide on each person"},
    {v1::ROLE_CASE_MANAGER, v1::CASE_DECIDED, Scope::kAll, "record execution, then close"},
};

storage::LeadLaneFilter LeadLaneFilterOf(const LeadLane& lane, const std::string& user,
                                         const std::string& today) {
  storage::LeadLaneFilter f;
  f.state = v1::LeadState_Name(lane.state);
  switch (lane.scope) {
    case Scope::kMine:
      f.by_inspector = true;
      f.inspector = user;
      break;
    case Scope::kUnassigned:
      f.by_inspector = true;
      break;
    case Scope::kOthersProposal:
      f.not_proposed_by = user;
      break;
    case Scope::kWithoutCase:
      f.without_case = true;
      break;
    case Scope::kReportDue:
      f.report_due = true;
      f.state.clear();
      break;
    case Scope::kHoldDue:
      f.hold_due_by = today;
      break;
    case Scope::kAll:
    case Scope::kOthersRequest:
      break;
  }
  return f;
}

storage::CaseLaneFilter CaseLaneFilterOf(const CaseLane& lane, const std::string& user) {
  storage::CaseLaneFilter f;
  f.state = v1::CaseState_Name(lane.state);
  if (lane.scope == Scope::kMine) {
    f.by_inspector = true;
    f.inspector = user;
  }
  if (lane.scope == Scope::kOthersRequest) f.not_requested_by = user;
  return f;
}

// Rows by id order, each with the first of the caller's lanes that holds it.
template <typename Lane, typename Row>
using Merged = std::map<int64_t, std::pair<const Lane*, Row>>;

// The first `want` rows of the union of the caller's lanes, read by read(lane, limit). Each
// lane reads at most want rows: a row among the first want of the union is among the first
// want of every lane that holds it, so what the lanes return holds the first want of the
// union, each with all its lanes.
template <typename Row, typename Lane, typename Read>
absl::StatusOr<Merged<Lane, Row>> MergeLanes(std::span<const Lane> lanes, const Caller& caller,
                                             size_t want, const Read& read) {
  Merged<Lane, Row> merged;
  if (want == 0) return merged;
  for (const Lane& lane : lanes) {
    if (std::find(caller.roles.begin(), caller.roles.end(), lane.role) == caller.roles.end()) {
      continue;
    }
    absl::StatusOr<std::vector<Row>> rows = read(lane, static_cast<int>(want));
    if (!rows.ok()) return rows.status();
    for (Row& row : *rows) {
      const int64_t order = storage::IdOrder(row.id);
      merged.try_emplace(order, &lane, std::move(row));
    }
  }
  while (merged.size() > want) merged.erase(std::prev(merged.end()));
  return merged;
}

// Sets the item's due date to the earliest open deadline and how many working days late it is.
void SetDue(v1::LeadQueueItem& item, const std::vector<storage::DeadlineRow>& deadlines,
            const domain::WorkCalendar& calendar, absl::CivilDay today) {
  for (const storage::DeadlineRow& d : deadlines) {
    if (!d.met_date.empty()) continue;
    if (item.due_date().empty() || d.due_date < item.due_date()) item.set_due_date(d.due_date);
  }
  if (item.due_date().empty()) return;
  absl::StatusOr<absl::CivilDay> due = domain::ParseDate("due", item.due_date());
  item.set_working_days_late(due.ok() && *due < today ? calendar.WorkingDaysBetween(*due, today)
                                                      : 0);
}

// One page of the queue (see BuildQueue) read through db.
absl::StatusOr<v1::MyQueueResponse> ReadPage(storage::Db& db, const ServiceDeps& deps,
                                             const Caller& caller, const std::string& page_token,
                                             int page_size) {
  const absl::CivilDay today = Today();
  const std::string today_text = FormatDate(today);
  const std::string& user = caller.user.user_id;
  // The queue runs leads first: after a case, the leads are done.
  const bool in_cases = page_token.rfind("LA-", 0) == 0;
  // One item more than the page tells whether another page follows.
  const size_t want = static_cast<size_t>(page_size) + 1;
  absl::StatusOr<Merged<LeadLane, storage::LeadRow>> leads = MergeLanes<storage::LeadRow>(
      std::span<const LeadLane>(kLeadLanes), caller, in_cases ? 0 : want,
      [&](const LeadLane& lane, int limit) {
        storage::LeadLaneFilter f = LeadLaneFilterOf(lane, user, today_text);
        f.after_id = page_token;
        f.limit = limit;
        return storage::ListLeadLane(db, f);
      });
  if (!leads.ok()) return leads.status();
  absl::StatusOr<Merged<CaseLane, storage::CaseRow>> cases =
      MergeLanes<storage::CaseRow>(std::span<const CaseLane>(kCaseLanes), caller,
                                   want - leads->size(), [&](const CaseLane& lane, int limit) {
                                     storage::CaseLaneFilter f = CaseLaneFilterOf(lane, user);
                                     if (in_cases) f.after_id = page_token;
                                     f.limit = limit;
                                     return storage::ListCaseLane(db, f);
                                   });
  if (!cases.ok()) return cases.status();

  v1::MyQueueResponse queue;
  for (const auto& [order, entry] : *leads) {
    if (queue.items_size() == page_size) break;
    const auto& [lane, row] = entry;
    v1::LeadQueueItem* item = queue.add_items();
    item->set_id(row.id);
    item->set_kind("lead");
    item->set_state(std::string(domain::LeadStateName(LeadStateOf(row))));
    std::string next = lane->next_action;
    if (lane->scope == Scope::kOthersProposal) {
      absl::StatusOr<std::vector<storage::ProposalRow>> proposals =
          storage::GetProposals(db, row.id);
      if (!proposals.ok()) return proposals.status();
      if (!proposals->empty()) next += ": " + proposals->back().kind;
    }
    item->set_next_action(next);
    absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines = storage::GetDeadlines(db, row.id);
    if (!deadlines.ok()) return deadlines.status();
    SetDue(*item, *deadlines, *deps.calendar, today);
    absl::StatusOr<std::string> summary =
        OpenAt(deps.store->keyring(), kLeads, "summary", row.id, row.summary);
    if (!summary.ok()) return summary.status();
    item->set_summary(*summary);
  }
  for (const auto& [order, entry] : *cases) {
    if (queue.items_size() == page_size) break;
    const auto& [lane, row] = entry;
    v1::LeadQueueItem* item = queue.add_items();
    item->set_id(row.id);
    item->set_kind("case");
    item->set_state(std::string(domain::CaseStateName(lane->state)));
    item->set_next_action(lane->next_action);
    absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines = storage::GetDeadlines(db, row.id);
    if (!deadlines.ok()) return deadlines.status();
    SetDue(*item, *deadlines, *deps.calendar, today);
    item->set_summary("lead " + row.lead_id);
  }
  if (leads->size() + cases->size() > static_cast<size_t>(page_size)) {
    queue.set_next_page_token(queue.items(page_size - 1).id());
  }
  return queue;
}

}  // namespace

absl::StatusOr<v1::MyQueueResponse> BuildQueue(const ServiceDeps& deps, const Caller& caller,
                                               const std::string& page_token, int page_size) {
  return deps.store->Read<v1::MyQueueResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::MyQueueResponse> {
        // One snapshot for every lane, so that a lead moving between lanes shows once.
        if (absl::Status st = db.Exec("BEGIN"); !st.ok()) return st;
        absl::StatusOr<v1::MyQueueResponse> page =
            ReadPage(db, deps, caller, page_token, page_size);
        (void)db.Exec("COMMIT");  // a read transaction: this only ends the snapshot
        return page;
      });
}

}  // namespace jijian::server
