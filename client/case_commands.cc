#include "client/case_commands.h"

#include "client/cli_parse.h"
#include "client/output.h"
#include "jijian/v1/case.grpc.pb.h"

namespace jijian::client {
namespace {

struct CaseArgs {
  std::string id, lead, reason, approver, approval_date, text, file, state, page_token;
  int64_t version = 0;
  bool overdue = false;
  int page_size = 0;
};

std::string CaseStateText(v1::CaseState s) { return EnumFlag("CASE_", v1::CaseState_Name(s)); }

void PrintCase(std::ostream& out, const v1::Case& c) {
  out << "case:        " << c.id() << "  (version " << c.version() << ")\n"
      << "state:       " << CaseStateText(c.state()) << "\n"
      << "lead:        " << c.lead_id() << "\n"
      << "inspector:   " << (c.inspector().empty() ? "-" : c.inspector()) << "\n"
      << "requested:   by " << c.requested_by() << "\n";
  if (!c.approved_by().empty()) {
    out << "filed:       " << c.filed_date() << ", approved by " << c.approved_by()
        << "; party committee head " << c.external_approver() << " approved "
        << c.external_approval_date() << "\n";
  }
  if (!c.closed_date().empty()) out << "closed:      " << c.closed_date() << "\n";
  std::vector<std::vector<std::string>> rows;
  for (const v1::CasePerson& p : c.persons()) {
    rows.push_back(
        {std::to_string(p.index()), p.name(), p.unit(),
         p.disposition_id().empty() ? "-" : p.disposition_id() + " F" + std::to_string(p.form()),
         p.decision().empty() ? "-" : p.decision(),
         p.decision_date().empty() ? "-" : p.decision_date(), p.to_procuratorate() ? "yes" : "-",
         p.announced_date().empty() ? "-" : p.announced_date(),
         p.delivered_date().empty() ? "-" : p.delivered_date(),
         p.filed_date().empty() ? "-" : p.filed_date()});
  }
  PrintTable(out,
             {"#", "PERSON", "UNIT", "DISPOSITION", "MEASURES", "DECIDED", "PROCURATORATE",
              "ANNOUNCED",
              "DELIVERED", "FILED"},
             rows);
  for (const v1::CaseNote& n : c.notes()) {
    out << n.kind() << " (" << n.date() << ", " << n.author() << "): " << n.text() << "\n";
  }
  for (const v1::Deadline& d : c.deadlines()) {
    out << "deadline " << d.name() << ": " << d.due_date()
        << (d.met_date().empty() ? (d.working_days_late() > 0 ? " OVERDUE" : " open")
                                 : " met " + d.met_date())
        << "\n";
  }
}

int Finish(Env& env, const grpc::Status& st, const v1::CaseResponse& resp) {
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    PrintCase(*env.out, resp.case_());
  }
  return 0;
}

template <typename Request, typename Call>
int Change(Env& env, const CaseArgs& a, Request req, Call call) {
  auto stub = v1::CaseService::NewStub(env.channel);
  int64_t version = a.version;
  if (version == 0) {
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    v1::GetCaseRequest get;
    get.set_id(a.id);
    v1::CaseResponse current;
    grpc::Status st = stub->GetCase(&ctx, get, &current);
    if (!st.ok()) return Report(env, st);
    version = current.case_().version();
  }
  req.set_request_id(NewRequestId());
  req.set_id(a.id);
  req.set_expected_version(version);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::CaseResponse resp;
  return Finish(env, call(*stub, &ctx, req, &resp), resp);
}

absl::StatusOr<std::string> TextOrFile(const CaseArgs& a) {
  if (!a.file.empty()) return ReadTextFile("--file", a.file);
  if (a.text.empty()) return absl::InvalidArgumentError("--text or --file is required");
  return a.text;
}

int File(Env& env, const CaseArgs& a) {
  v1::FileCaseRequest req;
  req.set_request_id(NewRequestId());
  req.set_lead_id(a.lead);
  req.set_reason(a.reason);
  auto stub = v1::CaseService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::CaseResponse resp;
  return Finish(env, stub->FileCase(&ctx, req, &resp), resp);
}

int List(Env& env, const CaseArgs& a) {
  v1::ListCasesRequest req;
  if (!a.state.empty()) {
    v1::CaseState state;
    if (!ParseEnumFlag("CASE_", a.state, v1::CaseState_Parse, &state)) {
      return Report(env,
                    BadFlag("--state",
                            "filing-requested, investigation, investigated, in-review, reviewed, "
                            "decided, closed"));
    }
    req.set_state(state);
  }
  req.set_overdue(a.overdue);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  auto stub = v1::CaseService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::ListCasesResponse resp;
  grpc::Status st = stub->ListCases(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::CaseListItem& c : resp.cases()) {
    std::string late;
    for (const v1::Deadline& d : c.overdue())
      late += d.name() + " +" + std::to_string(d.working_days_late()) + "wd ";
    rows.push_back({c.id(), CaseStateText(c.state()), c.lead_id(),
                    c.inspector().empty() ? "-" : c.inspector(),
                    c.filed_date().empty() ? "-" : c.filed_date(), std::to_string(c.persons()),
                    late.empty() ? "-" : late});
  }
  PrintTable(*env.out, {"ID", "STATE", "LEAD", "INSPECTOR", "FILED", "PERSONS", "OVERDUE"}, rows);
  if (!resp.next_page_token().empty())
    *env.out << "more: --page-token " << resp.next_page_token() << "\n";
  return 0;
}

CLI::App* WithId(CLI::App* parent, const char* name, const char* help, CaseArgs* a) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->add_option("ID", a->id, "case id (LA-YYYY-NNNNNN)")->required();
  cmd->add_option("--version", a->version, "the version you last saw (default: read it now)");
  return cmd;
}

void TextOptions(CLI::App* cmd, CaseArgs* a) {
  CLI::Option* text = cmd->add_option("--text", a->text, "the text");
  CLI::Option* file = cmd->add_option("--file", a->file, "read the text from FILE");
  text->excludes(file);
}

}  // namespace

std::shared_ptr<void> AddCaseCommands(CLI::App& app, Env& env, Action& action) {
  auto holder = std::make_shared<CaseArgs>();
  CaseArgs* a = holder.get();
  auto on = [&env, &action, a](CLI::App* cmd, std::function<int(Env&, CaseArgs&)> run) {
    cmd->callback([&env, &action, a, run] { action = [&env, a, run] { return run(env, *a); }; });
  };
  CLI::App* c = app.add_subcommand("case", "cases (立案审查调查)");
  c->require_subcommand(1);

  CLI::App* file =
      c->add_subcommand("file", "draft the filing request of a lead (立案请示); prints the LA id");
  file->add_option("LEAD", a->lead, "lead id XS-YYYY-NNNNNN")->required();
  file->add_option("--reason", a->reason, "why the case should be filed")->required();
  on(file, [](Env& e, CaseArgs& x) { return File(e, x); });

  CLI::App* approve = WithId(c, "approve", "approve filing (leader; not your own request)", a);
  approve
      ->add_option("--external-approver", a->approver,
                   "the same-level party committee head who approved")
      ->required();
  approve->add_option("--external-date", a->approval_date, "the date of that approval, YYYY-MM-DD")
      ->required();
  on(approve, [](Env& e, CaseArgs& x) {
    v1::ApproveFilingRequest req;
    req.set_external_approver(x.approver);
    req.set_external_approval_date(x.approval_date);
    return Change(e, x, req, [](auto& s, auto* ctx, const auto& r, auto* o) {
      return s.ApproveFiling(ctx, r, o);
    });
  });

  CLI::App* show = c->add_subcommand("show", "show a case");
  show->add_option("ID", a->id, "case id")->required();
  on(show, [](Env& e, CaseArgs& x) {
    auto stub = v1::CaseService::NewStub(e.channel);
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    v1::GetCaseRequest req;
    req.set_id(x.id);
    v1::CaseResponse resp;
    return Finish(e, stub->GetCase(&ctx, req, &resp), resp);
  });

  CLI::App* list = c->add_subcommand("list", "list cases");
  list->add_option("--state", a->state, "state");
  list->add_flag("--overdue", a->overdue, "with a deadline past due");
  list->add_option("--page-size", a->page_size, "rows per page");
  list->add_option("--page-token", a->page_token, "continue after this id");
  on(list, [](Env& e, CaseArgs& x) { return List(e, x); });

  CLI::App* inv = WithId(c, "investigation-report", "the investigation report (审查调查报告)", a);
  TextOptions(inv, a);
  on(inv, [](Env& e, CaseArgs& x) {
    absl::StatusOr<std::string> text = TextOrFile(x);
    if (!text.ok()) return Report(e, text.status());
    v1::CaseNoteRequest req;
    req.set_text(*text);
    return Change(e, x, req, [](auto& s, auto* ctx, const auto& r, auto* o) {
      return s.SubmitInvestigationReport(ctx, r, o);
    });
  });

  on(WithId(c, "transfer-review", "transfer to review (移送审理)", a), [](Env& e, CaseArgs& x) {
    return Change(e, x, v1::CaseStepRequest(), [](auto& s, auto* ctx, const auto& r, auto* o) {
      return s.TransferToReview(ctx, r, o);
    });
  });

  CLI::App* review = WithId(c, "review-opinion", "the review opinion (审理意见, reviewer)", a);
  TextOptions(review, a);
  on(review, [](Env& e, CaseArgs& x) {
    absl::StatusOr<std::string> text = TextOrFile(x);
    if (!text.ok()) return Report(e, text.status());
    v1::CaseNoteRequest req;
    req.set_text(*text);
    return Change(e, x, req, [](auto& s, auto* ctx, const auto& r, auto* o) {
      return s.SubmitReviewOpinion(ctx, r, o);
    });
  });

  on(WithId(c, "close", "close the case (结案)", a), [](Env& e, CaseArgs& x) {
    return Change(e, x, v1::CaseStepRequest(), [](auto& s, auto* ctx, const auto& r, auto* o) {
      return s.CloseCase(ctx, r, o);
    });
  });
  return holder;
}

}  // namespace jijian::client
