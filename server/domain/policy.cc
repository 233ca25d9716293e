#include "server/domain/policy.h"

#include <algorithm>

namespace jijian::server::domain {
namespace {

constexpr Role kRegistrar = v1::ROLE_REGISTRAR;
constexpr Role kCaseManager = v1::ROLE_CASE_MANAGER;
constexpr Role kInspector = v1::ROLE_INSPECTOR;
constexpr Role kReviewer = v1::ROLE_REVIEWER;
constexpr Role kLeader = v1::ROLE_LEADER;
constexpr Role kAuditor = v1::ROLE_AUDITOR;
constexpr Role kAdmin = v1::ROLE_ADMIN;

}  // namespace

// The staff port's table. ReporterService has no rows on purpose: it is served only on the
// reporter port, where nobody is authenticated and a receipt code is the only credential.
const std::vector<PolicyRow>& PolicyTable() {
  // clang-format off
  static const std::vector<PolicyRow> kTable = {
    // rpc                                           roles allowed
    {"/jijian.v1.AdminService/WhoAmI",              {kRegistrar, kCaseManager, kInspector, kReviewer, kLeader, kAuditor, kAdmin}},
    {"/jijian.v1.AdminService/AddUser",             {kAdmin}},
    {"/jijian.v1.AdminService/GetUser",             {kAdmin}},
    {"/jijian.v1.AdminService/ListUsers",           {kAdmin}},
    {"/jijian.v1.AdminService/DisableUser",         {kAdmin}},
    {"/jijian.v1.AdminService/IssueCertificate",    {kAdmin}},
    {"/jijian.v1.AdminService/RevokeCertificate",   {kAdmin}},
    {"/jijian.v1.AdminService/RotateDataKey",       {kAdmin}},
    {"/jijian.v1.AdminService/ListKeyRotations",    {kAdmin}},
    {"/jijian.v1.AdminService/ListCertificates",    {kAdmin}},
    // Petitions (信访举报): the registrar keeps them; case managers and leaders read them.
    {"/jijian.v1.PetitionService/RegisterPetition", {kRegistrar}},
    {"/jijian.v1.PetitionService/GetPetition",      {kRegistrar, kCaseManager, kLeader}},  // identity: registrar, leader
    {"/jijian.v1.PetitionService/ListPetitions",    {kRegistrar, kCaseManager, kLeader}},
    {"/jijian.v1.PetitionService/DecidePetition",   {kRegistrar}},
    {"/jijian.v1.PetitionService/NotifyReporter",   {kRegistrar}},
    {"/jijian.v1.PetitionService/RecordResult",     {kRegistrar}},
    {"/jijian.v1.PetitionService/ClosePetition",    {kRegistrar}},
    {"/jijian.v1.PetitionService/GiveFeedback",     {kRegistrar}},
    {"/jijian.v1.PetitionService/FindDuplicates",   {kRegistrar, kCaseManager, kLeader}},
    // Problem leads (问题线索): case management keeps the ledger, leaders approve, inspectors
    // work only what is assigned to them (checked in the handler: others get NOT_FOUND).
    {"/jijian.v1.LeadService/RegisterLead",         {kCaseManager}},
    {"/jijian.v1.LeadService/GetLead",              {kCaseManager, kLeader, kInspector}},
    {"/jijian.v1.LeadService/ListLeads",            {kCaseManager, kLeader, kInspector}},
    {"/jijian.v1.LeadService/AssignLead",           {kCaseManager}},
    {"/jijian.v1.LeadService/ProposeDisposal",      {kCaseManager, kInspector}},  // inspector: if assigned
    {"/jijian.v1.LeadService/ApproveProposal",      {kLeader}},                   // not their own
    {"/jijian.v1.LeadService/RejectProposal",       {kLeader}},                   // not their own
    {"/jijian.v1.LeadService/RecordInquirySent",    {kInspector}},                // the assigned one
    {"/jijian.v1.LeadService/RecordInquiryReply",   {kInspector}},                // the assigned one
    {"/jijian.v1.LeadService/RecordVerificationPlan", {kInspector}},              // the assigned one
    {"/jijian.v1.LeadService/SubmitVerificationReport", {kInspector}},            // the assigned one
    {"/jijian.v1.LeadService/RecordHigherReport",   {kCaseManager}},              // 第二十二条
    {"/jijian.v1.LeadService/DeclareRecusal",       {kRegistrar, kCaseManager, kInspector, kReviewer, kLeader}},
    {"/jijian.v1.LeadService/MyQueue",              {kCaseManager, kInspector, kReviewer, kLeader}},
    // Cases (立案审查调查): inspectors act only on their own cases (checked in the handler).
    {"/jijian.v1.CaseService/FileCase",             {kCaseManager, kInspector}},
    {"/jijian.v1.CaseService/ApproveFiling",        {kLeader}},                   // not their own request
    {"/jijian.v1.CaseService/GetCase",              {kCaseManager, kLeader, kInspector, kReviewer}},
    {"/jijian.v1.CaseService/ListCases",            {kCaseManager, kLeader, kInspector, kReviewer}},
    {"/jijian.v1.CaseService/SubmitInvestigationReport", {kInspector}},
    {"/jijian.v1.CaseService/TransferToReview",     {kCaseManager, kInspector}},
    {"/jijian.v1.CaseService/SubmitReviewOpinion",  {kReviewer}},
    {"/jijian.v1.CaseService/CloseCase",            {kCaseManager}},
    // Dispositions (四种形态): a reviewer or the assigned inspector proposes, a leader who is
    // not the proposer decides; case management records execution and registers appeals.
    {"/jijian.v1.DispositionService/RecordDisposition",  {kReviewer, kInspector}},     // inspector: if assigned
    {"/jijian.v1.DispositionService/ApproveDisposition", {kLeader}},                  // not their own
    {"/jijian.v1.DispositionService/RejectDisposition",  {kLeader}},                  // not their own
    {"/jijian.v1.DispositionService/RecordExecution",    {kCaseManager}},
    {"/jijian.v1.DispositionService/RegisterAppeal",     {kRegistrar, kCaseManager}},
    {"/jijian.v1.DispositionService/DecideAppeal",       {kLeader}},
    {"/jijian.v1.DispositionService/GetDisposition",     {kCaseManager, kLeader, kInspector, kReviewer}},
    {"/jijian.v1.DispositionService/ListDispositions",   {kCaseManager, kLeader, kInspector, kReviewer}},
    {"/jijian.v1.DispositionService/ListMeasures",       {kRegistrar, kCaseManager, kInspector, kReviewer, kLeader, kAuditor}},
    // 廉政意见回复: answered by case management or a leader; every check is an audit event.
    {"/jijian.v1.DispositionService/IntegrityCheck",     {kCaseManager, kLeader}},
    // Statistics are counts only: auditors read them too.
    {"/jijian.v1.StatsService/GetStatistics",            {kCaseManager, kLeader, kAuditor}},
    // Identity unsealing under dual control: a registrar asks, a leader (not the requester)
    // decides; auditors list every request, without reasons.
    {"/jijian.v1.IdentityService/RequestUnseal",    {kRegistrar}},
    {"/jijian.v1.IdentityService/ApproveUnseal",    {kLeader}},                   // not their own
    {"/jijian.v1.IdentityService/RefuseUnseal",     {kLeader}},                   // not their own
    {"/jijian.v1.IdentityService/ListUnsealings",   {kAuditor, kLeader}},
    // The audit log (issue 6): auditors review it, leaders and admins may check it too.
    // No response carries sensitive plaintext.
    {"/jijian.v1.AuditService/GetTreeHead",         {kAuditor, kLeader, kAdmin}},  // signed head
    {"/jijian.v1.AuditService/GetInclusionProof",   {kAuditor, kLeader, kAdmin}},  // proof + event
    {"/jijian.v1.AuditService/GetConsistencyProof", {kAuditor, kLeader, kAdmin}},  // history check
    {"/jijian.v1.AuditService/GetEvents",           {kAuditor, kLeader, kAdmin}},  // <= 1000 events
    {"/jijian.v1.AuditService/Timeline",            {kAuditor, kLeader, kAdmin}},  // object chain
  };
  // clang-format on
  return kTable;
}

absl::StatusOr<Role> AuthorizeRpc(std::string_view rpc, const std::vector<Role>& caller_roles) {
  const auto& table = PolicyTable();
  auto row =
      std::find_if(table.begin(), table.end(), [&](const PolicyRow& r) { return r.rpc == rpc; });
  if (row == table.end()) {
    return absl::PermissionDeniedError(std::string(rpc) + " is not in the policy table");
  }
  for (Role role : caller_roles) {
    if (std::find(row->roles.begin(), row->roles.end(), role) != row->roles.end()) return role;
  }
  return absl::PermissionDeniedError(std::string(rpc) + " needs one of the roles " +
                                     JoinRoleNames(row->roles) + "; the caller has " +
                                     (caller_roles.empty() ? "none" : JoinRoleNames(caller_roles)));
}

std::string PolicyTableMarkdown() {
  constexpr std::string_view kPackagePrefix = "/jijian.v1.";
  std::string out = "| RPC |";
  std::string rule = "|---|";
  for (Role role : AllRoles()) {
    out += " " + std::string(RoleName(role)) + " |";
    rule += ":-:|";
  }
  out += "\n" + rule + "\n";
  for (const PolicyRow& row : PolicyTable()) {
    std::string_view rpc = row.rpc;
    if (rpc.substr(0, kPackagePrefix.size()) == kPackagePrefix) {
      rpc.remove_prefix(kPackagePrefix.size());
    }
    out += "| `" + std::string(rpc) + "` |";
    for (Role role : AllRoles()) {
      const bool allowed = std::find(row.roles.begin(), row.roles.end(), role) != row.roles.end();
      out += allowed ? " ✓ |" : "  |";
    }
    out += "\n";
  }
  return out;
}

}  // namespace jijian::server::domain
