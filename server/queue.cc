#include "server/queue.h"

#include <algorithm>
#include <set>

#include "server/domain/calendar.h"
#include "server/domain/case_rules.h"
#include "server/domain/lead_rules.h"
#include "server/lead_codec.h"
#include "server/petition_codec.h"
#include "storage/cases.h"
#include "storage/leads.h"
#include "storage/petitions.h"

namespace jijian::server {
namespace {

using domain::FormatDate;
constexpr char kLeads[] = "leads";

}  // namespace

absl::StatusOr<v1::MyQueueResponse> BuildQueue(const ServiceDeps& deps, const Caller& caller) {
  const absl::CivilDay today = Today();
  auto has = [&](v1::Role role) {
    return std::find(caller.roles.begin(), caller.roles.end(), role) != caller.roles.end();
  };
  return deps.store->Read<v1::MyQueueResponse>(
      [&](storage::Db& db) -> absl::StatusOr<v1::MyQueueResponse> {
        v1::MyQueueResponse queue;
        auto add = [&](const storage::LeadRow& row, const std::string& next) -> absl::Status {
          absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines =
              storage::GetDeadlines(db, row.id);
          if (!deadlines.ok()) return deadlines.status();
          v1::LeadQueueItem* item = queue.add_items();
          item->set_id(row.id);
          item->set_kind("lead");
          item->set_state(std::string(domain::LeadStateName(LeadStateOf(row))));
          item->set_next_action(next);
          for (const storage::DeadlineRow& d : *deadlines) {
            if (!d.met_date.empty()) continue;
            if (item->due_date().empty() || d.due_date < item->due_date()) {
              item->set_due_date(d.due_date);
              absl::StatusOr<absl::CivilDay> due = domain::ParseDate("due", d.due_date);
              item->set_working_days_late(
                  due.ok() && *due < today ? deps.calendar->WorkingDaysBetween(*due, today) : 0);
            }
          }
          absl::StatusOr<std::string> summary =
              OpenAt(deps.store->keyring(), kLeads, "summary", row.id, row.summary);
          if (!summary.ok()) return summary.status();
          item->set_summary(*summary);
          return absl::OkStatus();
        };
        storage::LeadFilter f;
        f.limit = 1000;
        f.today = FormatDate(today);
        // An inspector's own open leads come through the inspector index (however large the
        // ledger); the roles that act on anyone's leads read the ledger's first page.
        std::vector<storage::LeadRow> rows;
        if (has(v1::ROLE_INSPECTOR)) {
          absl::StatusOr<std::vector<storage::LeadRow>> mine =
              storage::ListOpenLeadsOfInspector(db, caller.user.user_id, f.limit);
          if (!mine.ok()) return mine.status();
          rows = *std::move(mine);
        }
        if (has(v1::ROLE_LEADER) || has(v1::ROLE_CASE_MANAGER)) {
          absl::StatusOr<std::vector<storage::LeadRow>> all = storage::ListLeads(db, f);
          if (!all.ok()) return all.status();
          std::set<std::string> seen;
          for (const storage::LeadRow& r : rows) seen.insert(r.id);
          for (storage::LeadRow& r : *all) {
            if (seen.count(r.id) == 0) rows.push_back(std::move(r));
          }
        }
        for (const storage::LeadRow& row : rows) {
          const v1::LeadState state = LeadStateOf(row);
          std::string next;
          if (has(v1::ROLE_INSPECTOR) && row.inspector == caller.user.user_id) {
            switch (state) {
              case v1::LEAD_REGISTERED:
                next = "propose a disposal method";
                break;
              case v1::LEAD_INQUIRY:
                next = "hold the talk or send the inquiry letter, record the reply";
                break;
              case v1::LEAD_INQUIRY_REPLIED:
                next = "propose: close, verification or hold";
                break;
              case v1::LEAD_VERIFICATION:
                next = "submit the verification report";
                break;
              default:
                break;
            }
          }
          if (next.empty() && has(v1::ROLE_LEADER) &&
              (state == v1::LEAD_PROPOSED || state == v1::LEAD_VERIFICATION_REPORTED)) {
            absl::StatusOr<std::vector<storage::ProposalRow>> proposals =
                storage::GetProposals(db, row.id);
            if (!proposals.ok()) return proposals.status();
            if (!proposals->empty() && proposals->back().proposed_by != caller.user.user_id) {
              next = "approve or reject: " + proposals->back().kind;
            }
          }
          if (next.empty() && has(v1::ROLE_CASE_MANAGER)) {
            if (state == v1::LEAD_REGISTERED && row.inspector.empty())
              next = "assign an inspector";
            else if (state == v1::LEAD_CASE_PENDING && row.case_id.empty())
              next = "draft the filing request (case file)";
            else if (row.report_required && row.reported_date.empty())
              next = "report to the higher commission (第二十二条)";
            else if (state == v1::LEAD_HOLD && !row.hold_review_date.empty() &&
                     row.hold_review_date <= f.today) {
              next = "review the held lead";
            }
          }
          if (!next.empty()) {
            if (absl::Status st = add(row, next); !st.ok()) return st;
          }
        }
        // Cases: who acts next in each state.
        storage::CaseFilter cf;
        cf.limit = 1000;
        std::vector<storage::CaseRow> cases;
        if (has(v1::ROLE_INSPECTOR)) {
          absl::StatusOr<std::vector<storage::CaseRow>> mine =
              storage::ListOpenCasesOfInspector(db, caller.user.user_id, cf.limit);
          if (!mine.ok()) return mine.status();
          cases = *std::move(mine);
        }
        if (has(v1::ROLE_REVIEWER) || has(v1::ROLE_LEADER) || has(v1::ROLE_CASE_MANAGER)) {
          absl::StatusOr<std::vector<storage::CaseRow>> all = storage::ListCases(db, cf);
          if (!all.ok()) return all.status();
          std::set<std::string> seen;
          for (const storage::CaseRow& c : cases) seen.insert(c.id);
          for (storage::CaseRow& c : *all) {
            if (seen.count(c.id) == 0) cases.push_back(std::move(c));
          }
        }
        for (const storage::CaseRow& c : cases) {
          v1::CaseState cs{};
          v1::CaseState_Parse(c.state, &cs);
          std::string next;
          const bool mine = c.inspector == caller.user.user_id;
          if (has(v1::ROLE_INSPECTOR) && mine && cs == v1::CASE_INVESTIGATION)
            next = "write the investigation report";
          else if (has(v1::ROLE_INSPECTOR) && mine && cs == v1::CASE_INVESTIGATED)
            next = "transfer to review";
          else if (has(v1::ROLE_REVIEWER) && cs == v1::CASE_IN_REVIEW)
            next = "give the review opinion";
          else if (has(v1::ROLE_LEADER) && cs == v1::CASE_FILING_REQUESTED &&
                   c.requested_by != caller.user.user_id) {
            next = "approve filing";
          } else if (has(v1::ROLE_LEADER) && cs == v1::CASE_REVIEWED)
            next = "decide on each person";
          else if (has(v1::ROLE_CASE_MANAGER) && cs == v1::CASE_DECIDED)
            next = "record execution, then close";
          if (next.empty()) continue;
          absl::StatusOr<std::vector<storage::DeadlineRow>> deadlines =
              storage::GetDeadlines(db, c.id);
          if (!deadlines.ok()) return deadlines.status();
          v1::LeadQueueItem* item = queue.add_items();
          item->set_id(c.id);
          item->set_kind("case");
          item->set_state(std::string(domain::CaseStateName(cs)));
          item->set_next_action(next);
          for (const storage::DeadlineRow& d : *deadlines) {
            if (d.met_date.empty() && (item->due_date().empty() || d.due_date < item->due_date())) {
              item->set_due_date(d.due_date);
            }
          }
          item->set_summary("lead " + c.lead_id);
        }
        std::stable_sort(queue.mutable_items()->begin(), queue.mutable_items()->end(),
                         [](const v1::LeadQueueItem& a, const v1::LeadQueueItem& b) {
                           if (a.due_date().empty() != b.due_date().empty())
                             return !a.due_date().empty();
                           return a.due_date() < b.due_date();
                         });
        return queue;
      });
}

}  // namespace jijian::server
