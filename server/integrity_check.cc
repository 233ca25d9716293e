// DispositionService.IntegrityCheck (廉政意见回复): open matters and running sanction periods
// of one person, found through the name + ID-number blind index; one audit event per check.
#include "server/disposition_codec.h"
#include "server/disposition_service.h"
#include "server/domain/calendar.h"
#include "server/domain/four_forms.h"
#include "server/domain/id_number.h"
#include "server/domain/petition_validate.h"
#include "server/domain/validate.h"
#include "server/petition_codec.h"
#include "storage/leads.h"
#include "storage/petitions.h"

namespace jijian::server {
namespace {

using domain::FormatDate;
using storage::DispositionRow;
using storage::KeyDomain;

bool OpenPetition(const std::string& state) {
  return state == "PETITION_REGISTERED" || state == "PETITION_ASSIGNED_DOWN";
}
bool OpenLead(const std::string& state) {
  return state != "LEAD_CLOSED" && state != "LEAD_TRANSFERRED" && state != "LEAD_CASE_FILED";
}
bool OpenCase(const std::string& state) { return state != "CASE_CLOSED"; }

std::string Shorten(const std::string& state) {
  size_t cut = state.find('_');
  return cut == std::string::npos ? state : state.substr(cut + 1);
}

}  // namespace

namespace dispositions {

storage::MutationFn IntegrityCheckMutation(const ServiceDeps& deps,
                                           const v1::IntegrityCheckRequest& request) {
  return [deps, request](storage::WriteTxn& txn) -> absl::StatusOr<std::string> {
    v1::Subject person;
    person.set_name(request.name());
    person.set_id_number(request.id_number());
    // The name-and-ID digest only: a namesake with another ID number never matches.
    const std::vector<std::string> digests = NameIdDigests(txn.keyring(), person);
    const std::string digest = digests.back();  // as stored with the check
    const absl::CivilDay today = Today();
    v1::IntegrityCheckResponse out;
    absl::StatusOr<std::vector<std::string>> ids =
        storage::FindByPersonIndex(txn.db(), digests, "");
    if (!ids.ok()) return ids.status();
    int closed = 0;
    auto add = [&](const std::string& id, const char* kind, const std::string& state, bool open) {
      if (!open) {
        ++closed;
        return;
      }
      v1::IntegrityMatter* mt = out.add_open_matters();
      mt->set_id(id);
      mt->set_kind(kind);
      mt->set_state(Shorten(state));
    };
    for (const std::string& id : *ids) {
      if (id.rfind("XF-", 0) == 0) {
        absl::StatusOr<storage::PetitionRow> p = storage::GetPetition(txn.db(), id);
        if (!p.ok()) return p.status();
        add(id, "petition", p->state, OpenPetition(p->state));
      } else if (id.rfind("XS-", 0) == 0) {
        absl::StatusOr<storage::LeadRow> l = storage::GetLead(txn.db(), id);
        if (!l.ok()) return l.status();
        add(id, "lead", l->state, OpenLead(l->state));
        absl::StatusOr<std::vector<std::string>> cases =
            storage::ListLinkedTo(txn.db(), id, "case");
        if (!cases.ok()) return cases.status();
        for (const std::string& cid : *cases) {
          absl::StatusOr<storage::CaseRow> c = storage::GetCase(txn.db(), cid);
          if (!c.ok()) return c.status();
          add(cid, "case", c->state, OpenCase(c->state));
        }
      }
    }
    absl::StatusOr<std::vector<DispositionRow>> sanctions =
        storage::ApprovedDispositionsByDigest(txn.db(), digests);
    if (!sanctions.ok()) return sanctions.status();
    domain::IntegrityFindings findings;
    findings.open_matters = out.open_matters_size();
    bool permanent = false;
    std::optional<absl::CivilDay> latest;
    for (const DispositionRow& d : *sanctions) {
      if (!dispositions::RowInPeriod(d, today)) continue;
      v1::IntegritySanction* s = out.add_sanctions();
      s->set_disposition_id(d.id);
      s->set_form(static_cast<int32_t>(d.form));
      for (const std::string& n : dispositions::CodesOf(*deps.measures, d.measures, /*zh=*/true))
        s->add_measures(n);
      s->set_decided_date(d.decided_date);
      s->set_period_end(d.period_end);
      s->set_permanent(d.permanent);
      permanent |= d.permanent;
      if (!d.permanent) {
        absl::StatusOr<absl::CivilDay> end = domain::ParseDate("period_end", d.period_end);
        if (end.ok() && (!latest.has_value() || *end > *latest)) latest = *end;
      }
    }
    findings.in_period = out.sanctions_size() > 0;
    if (findings.in_period && !permanent) findings.period_until = latest;
    const domain::Opinion opinion = domain::IntegrityOpinion(findings);
    absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "LZ", today.year());
    if (!number.ok()) return number.status();
    const std::string ref = domain::FormatObjectId("LZ", today.year(), *number);
    std::string purpose;
    if (!request.purpose().empty()) {
      absl::StatusOr<std::string> sealed =
          SealAt(txn.keyring(), KeyDomain::kContent, "integrity_checks", "purpose", ref,
                 request.purpose());
      if (!sealed.ok()) return sealed.status();
      purpose = *sealed;
    }
    if (absl::Status st = storage::InsertIntegrityCheck(
            txn, {ref, digest, purpose, std::string(domain::OpinionCode(opinion)),
                  txn.actor().user_id, FormatDate(today)});
        !st.ok())
      return st;
    // The event names who asked (its actor) and what was answered, never the person.
    absl::StatusOr<int64_t> seq = txn.AppendEvent(
        {"integrity.check", "integrity_check", ref, "", std::string(domain::OpinionCode(opinion)),
         "open=" + std::to_string(out.open_matters_size()) +
             " in_period=" + std::to_string(out.sanctions_size())});
    if (!seq.ok()) return seq.status();
    out.set_reference(ref);
    out.set_date(FormatDate(today));
    out.set_closed_matters(closed);
    out.set_opinion(std::string(domain::OpinionCode(opinion)));
    out.set_opinion_text(domain::OpinionText(findings));
    return Serialized(out);
  };
}

}  // namespace dispositions

grpc::Status DispositionServiceImpl::IntegrityCheck(grpc::ServerContext* ctx,
                                                    const v1::IntegrityCheckRequest* req,
                                                    v1::IntegrityCheckResponse* resp) {
  absl::StatusOr<Caller> caller =
      deps_.auth->Authorize(*ctx, "/jijian.v1.DispositionService/IntegrityCheck");
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::Status st = domain::CheckRequestId(req->request_id());
  if (st.ok()) st = domain::CheckText("name", req->name(), domain::kMaxNameChars, true);
  if (st.ok() && req->id_number().empty())
    st = absl::InvalidArgumentError(
        "id_number: required (18 characters), so that a namesake is "
        "never taken for the person");
  if (st.ok()) st = domain::CheckIdNumber("id_number", req->id_number(), Today());
  if (st.ok()) st = domain::CheckText("purpose", req->purpose(), domain::kMaxReasonChars, false);
  if (!st.ok()) return ToGrpcStatus(st);
  return RunMutation(deps_, *caller, req->request_id(),
                     dispositions::IntegrityCheckMutation(deps_, *req), resp);
}

}  // namespace jijian::server
