#include "client/lead_commands.h"

#include "absl/strings/str_join.h"
#include "client/cli_parse.h"
#include "client/output.h"
#include "jijian/v1/lead.grpc.pb.h"

namespace jijian::client {
namespace {

struct LeadArgs {
  std::string id, from_petition, source, summary;
  std::vector<std::string> subjects;
  int64_t version = 0;
  std::string to, dept, method, reason, proposal, text, file, date;
  std::string state, inspector, page_token;
  bool overdue = false, hold_due = false;
  int page_size = 0;
  std::string subject_id, reporter_of, ground;
  std::vector<std::string> team;
};

std::string LeadStateText(v1::LeadState s) { return EnumFlag("LEAD_", v1::LeadState_Name(s)); }

void PrintLead(std::ostream& out, const v1::Lead& l) {
  out << "lead:        " << l.id() << "  (version " << l.version() << ")\n"
      << "state:       " << LeadStateText(l.state()) << "\n"
      << "source:      " << EnumFlag("LEAD_SOURCE_", v1::LeadSource_Name(l.source()))
      << (l.petition_id().empty() ? "" : " " + l.petition_id()) << "\n"
      << "registered:  " << l.registered_date() << " by " << l.registered_by() << "\n";
  for (int i = 0; i < l.subjects_size(); ++i) {
    const v1::Subject& s = l.subjects(i);
    std::vector<std::string> flags;
    if (s.top_leader()) flags.push_back("一把手");
    if (s.committee_member()) flags.push_back("same-level committee");
    out << "subject " << i + 1 << ":   " << s.name() << ", " << s.unit()
        << (s.position().empty() ? "" : ", " + s.position())
        << (s.rank().empty() ? "" : ", rank " + s.rank())
        << (flags.empty() ? "" : " [" + absl::StrJoin(flags, ", ") + "]") << "\n";
  }
  out << "summary:     " << l.summary() << "\n";
  if (l.has_assignment()) {
    out << "assigned:    " << l.assignment().inspector()
        << (l.assignment().department().empty() ? "" : " (" + l.assignment().department() + ")")
        << " since " << l.assignment().date() << "\n";
  }
  if (l.report_to_higher_required()) {
    out << "第二十二条:   report to the higher commission "
        << (l.reported_to_higher_date().empty() ? "REQUIRED, not yet made"
                                                : "made " + l.reported_to_higher_date())
        << "\n";
  }
  if (!l.hold_review_date().empty()) out << "hold review: " << l.hold_review_date() << "\n";
  if (!l.closed_date().empty()) out << "concluded:   " << l.closed_date() << "\n";
  for (const v1::Proposal& p : l.proposals()) {
    out << "proposal:    " << p.kind() << " by " << p.proposed_by() << " on " << p.date() << " — "
        << p.reason();
    if (!p.outcome().empty()) {
      out << " → " << p.outcome() << " by " << p.decided_by()
          << (p.decision_reason().empty() ? "" : ": " + p.decision_reason());
    } else {
      out << " → pending";
    }
    out << "\n";
  }
  for (const v1::LeadNote& n : l.notes()) {
    out << n.kind() << " (" << n.date() << ", " << n.author() << "): " << n.text() << "\n";
  }
  PrintDeadlines(out, l.deadlines());
}

// Prints a lead response (or JSON) and returns 0, or reports the error.
int Finish(Env& env, const grpc::Status& st, const v1::LeadResponse& resp) {
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    PrintLead(*env.out, resp.lead());
  }
  return 0;
}

absl::StatusOr<int64_t> CurrentVersion(Env& env, const LeadArgs& a) {
  if (a.version > 0) return a.version;
  auto stub = v1::LeadService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetLeadRequest req;
  req.set_id(a.id);
  v1::LeadResponse resp;
  grpc::Status st = stub->GetLead(&ctx, req, &resp);
  if (!st.ok())
    return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
  return resp.lead().version();
}

// Fills request_id, id and expected_version, then runs call.
template <typename Request, typename Call>
int Change(Env& env, const LeadArgs& a, Request req, Call call) {
  absl::StatusOr<int64_t> version = CurrentVersion(env, a);
  if (!version.ok()) {
    return Report(env, grpc::Status(static_cast<grpc::StatusCode>(version.status().code()),
                                    std::string(version.status().message())));
  }
  req.set_request_id(NewRequestId());
  req.set_id(a.id);
  req.set_expected_version(*version);
  auto stub = v1::LeadService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::LeadResponse resp;
  grpc::Status st = call(*stub, &ctx, req, &resp);
  return Finish(env, st, resp);
}

absl::StatusOr<std::string> TextOrFile(const LeadArgs& a) {
  if (!a.file.empty()) return ReadTextFile("--file", a.file);
  if (a.text.empty()) return absl::InvalidArgumentError("--text or --file is required");
  return a.text;
}

int Register(Env& env, const LeadArgs& a) {
  v1::RegisterLeadRequest req;
  req.set_request_id(NewRequestId());
  if (!a.from_petition.empty()) {
    if (!a.source.empty() || !a.subjects.empty() || !a.summary.empty()) {
      return Report(env,
                    absl::InvalidArgumentError(
                        "--from-petition: takes source, subjects and summary from the petition"));
    }
    req.set_petition_id(a.from_petition);
  } else {
    v1::LeadSource source;
    if (!ParseEnumFlag("LEAD_SOURCE_", a.source, v1::LeadSource_Parse, &source) ||
        source == v1::LEAD_SOURCE_PETITION) {
      return Report(env, BadFlag("--source",
                                 "inspection-tour, audit, supervision, agency, self-report "
                                 "(or --from-petition XF-ID)"));
    }
    req.set_source(source);
    for (const std::string& text : a.subjects) {
      absl::StatusOr<v1::Subject> s = ParseSubject(text);
      if (!s.ok()) return Report(env, s.status());
      *req.add_subjects() = *std::move(s);
    }
    req.set_summary(a.summary);
  }
  auto stub = v1::LeadService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::LeadResponse resp;
  grpc::Status st = stub->RegisterLead(&ctx, req, &resp);
  return Finish(env, st, resp);
}

int Show(Env& env, const LeadArgs& a) {
  auto stub = v1::LeadService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetLeadRequest req;
  req.set_id(a.id);
  v1::LeadResponse resp;
  return Finish(env, stub->GetLead(&ctx, req, &resp), resp);
}

int List(Env& env, const LeadArgs& a) {
  v1::ListLeadsRequest req;
  if (!a.state.empty()) {
    v1::LeadState state;
    if (!ParseEnumFlag("LEAD_", a.state, v1::LeadState_Parse, &state)) {
      return Report(env, BadFlag("--state",
                                 "registered, proposed, inquiry, inquiry-replied, verification, "
                                 "verification-reported, hold, case-pending, case-filed, closed, "
                                 "transferred"));
    }
    req.set_state(state);
  }
  req.set_overdue(a.overdue);
  req.set_hold_due(a.hold_due);
  req.set_inspector(a.inspector);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  auto stub = v1::LeadService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::ListLeadsResponse resp;
  grpc::Status st = stub->ListLeads(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::LeadListItem& l : resp.leads()) {
    std::vector<std::string> late;
    for (const v1::Deadline& d : l.overdue())
      late.push_back(d.name() + " +" + std::to_string(d.working_days_late()) + "wd");
    if (l.report_to_higher_required()) late.push_back("第二十二条 report due");
    rows.push_back({l.id(), LeadStateText(l.state()),
                    EnumFlag("LEAD_SOURCE_", v1::LeadSource_Name(l.source())),
                    l.inspector().empty() ? "-" : l.inspector(), l.registered_date(),
                    l.hold_review_date().empty() ? "-" : l.hold_review_date(),
                    late.empty() ? "-" : absl::StrJoin(late, ", "), l.summary()});
  }
  PrintTable(
      *env.out,
      {"ID", "STATE", "SOURCE", "INSPECTOR", "REGISTERED", "HOLD REVIEW", "ATTENTION", "SUMMARY"},
      rows);
  if (!resp.next_page_token().empty())
    *env.out << "more: --page-token " << resp.next_page_token() << "\n";
  return 0;
}

int Assign(Env& env, const LeadArgs& a) {
  v1::AssignLeadRequest req;
  req.set_inspector(a.to);
  req.set_department(a.dept);
  return Change(env, a, req,
                [](auto& s, auto* c, const auto& r, auto* o) { return s.AssignLead(c, r, o); });
}

int Propose(Env& env, const LeadArgs& a) {
  v1::ProposeDisposalRequest req;
  v1::DisposalMethod method;
  if (!ParseEnumFlag("DISPOSAL_", a.method, v1::DisposalMethod_Parse, &method)) {
    return Report(env, BadFlag("--method", "talk-inquiry, verification, hold, close, first-form"));
  }
  req.set_method(method);
  req.set_reason(a.reason);
  return Change(env, a, req, [](auto& s, auto* c, const auto& r, auto* o) {
    return s.ProposeDisposal(c, r, o);
  });
}

int Decide(Env& env, const LeadArgs& a, bool approve) {
  v1::DecideProposalRequest req;
  req.set_reason(a.reason);
  if (approve) {
    return Change(env, a, req, [](auto& s, auto* c, const auto& r, auto* o) {
      return s.ApproveProposal(c, r, o);
    });
  }
  return Change(env, a, req,
                [](auto& s, auto* c, const auto& r, auto* o) { return s.RejectProposal(c, r, o); });
}

int Note(Env& env, const LeadArgs& a, const std::string& which) {
  absl::StatusOr<std::string> text = TextOrFile(a);
  if (!text.ok()) return Report(env, text.status());
  v1::LeadNoteRequest req;
  req.set_date(a.date);
  req.set_text(*text);
  if (which == "sent") {
    return Change(env, a, req, [](auto& s, auto* c, const auto& r, auto* o) {
      return s.RecordInquirySent(c, r, o);
    });
  }
  if (which == "plan") {
    for (const std::string& m : a.team) req.add_team(m);
    return Change(env, a, req, [](auto& s, auto* c, const auto& r, auto* o) {
      return s.RecordVerificationPlan(c, r, o);
    });
  }
  if (which == "reply") {
    return Change(env, a, req, [](auto& s, auto* c, const auto& r, auto* o) {
      return s.RecordInquiryReply(c, r, o);
    });
  }
  return Change(env, a, req, [](auto& s, auto* c, const auto& r, auto* o) {
    return s.RecordHigherReport(c, r, o);
  });
}

int ReportVerification(Env& env, const LeadArgs& a) {
  absl::StatusOr<std::string> text = TextOrFile(a);
  if (!text.ok()) return Report(env, text.status());
  v1::VerificationReportRequest req;
  v1::ReportProposal proposal;
  if (!ParseEnumFlag("REPORT_", a.proposal, v1::ReportProposal_Parse, &proposal)) {
    return Report(env, BadFlag("--proposal", "file-case, close, first-form, hold, transfer"));
  }
  req.set_proposal(proposal);
  req.set_text(*text);
  return Change(env, a, req, [](auto& s, auto* c, const auto& r, auto* o) {
    return s.SubmitVerificationReport(c, r, o);
  });
}

int My(Env& env, const LeadArgs& a) {
  auto stub = v1::LeadService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::MyQueueRequest req;
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  v1::MyQueueResponse resp;
  grpc::Status st = stub->MyQueue(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  if (resp.items().empty()) {
    *env.out << "nothing waits for you\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::LeadQueueItem& i : resp.items()) {
    rows.push_back(
        {i.id(), i.state(), i.next_action(), i.due_date().empty() ? "-" : i.due_date(),
         i.working_days_late() > 0 ? "+" + std::to_string(i.working_days_late()) + "wd" : "-",
         i.summary()});
  }
  PrintTable(*env.out, {"ID", "STATE", "NEXT", "DUE", "LATE", "SUMMARY"}, rows);
  if (!resp.next_page_token().empty())
    *env.out << "more: --page-token " << resp.next_page_token() << "\n";
  return 0;
}

int Declare(Env& env, const LeadArgs& a) {
  v1::DeclareRecusalRequest req;
  req.set_request_id(NewRequestId());
  req.set_subject_id_number(a.subject_id);
  req.set_reporter_of(a.reporter_of);
  req.set_ground(a.ground);
  req.set_reason(a.reason);
  auto stub = v1::LeadService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::DeclareRecusalResponse resp;
  grpc::Status st = stub->DeclareRecusal(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    *env.out << resp.recorded() << "\n";
  }
  return 0;
}

CLI::App* WithId(CLI::App* parent, const char* name, const char* help, LeadArgs* a) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->add_option("ID", a->id, "lead id (XS-YYYY-NNNNNN)")->required();
  cmd->add_option("--version", a->version, "the version you last saw (default: read it now)");
  return cmd;
}

}  // namespace

std::shared_ptr<void> AddLeadCommands(CLI::App& app, Env& env, Action& action) {
  auto holder = std::make_shared<LeadArgs>();
  LeadArgs* a = holder.get();
  auto on = [&env, &action, a](CLI::App* cmd, std::function<int(Env&, LeadArgs&)> run) {
    cmd->callback([&env, &action, a, run] { action = [&env, a, run] { return run(env, *a); }; });
  };
  CLI::App* lead = app.add_subcommand("lead", "problem leads (问题线索)");
  lead->require_subcommand(1);

  CLI::App* reg = lead->add_subcommand("register", "register a lead (线索登记)");
  reg->add_option("--from-petition", a->from_petition, "an accepted petition XF-ID");
  reg->add_option("--source", a->source, "inspection-tour|audit|supervision|agency|self-report");
  reg->add_option("--subject", a->subjects, "as in `petition register` (repeatable)");
  reg->add_option("--summary", a->summary, "summary");
  on(reg, [](Env& e, LeadArgs& x) { return Register(e, x); });

  on(WithId(lead, "show", "show a lead", a), [](Env& e, LeadArgs& x) { return Show(e, x); });

  CLI::App* list = lead->add_subcommand("list", "the lead ledger (台账)");
  list->add_option("--state", a->state, "state");
  list->add_flag("--overdue", a->overdue, "with a deadline past due");
  list->add_flag("--hold-due", a->hold_due, "held leads due for review");
  list->add_option("--inspector", a->inspector, "assigned to this inspector");
  list->add_option("--page-size", a->page_size, "rows per page (default 50, at most 500)");
  list->add_option("--page-token", a->page_token, "continue after this id");
  on(list, [](Env& e, LeadArgs& x) { return List(e, x); });

  CLI::App* assign =
      WithId(lead, "assign", "assign to an inspector (分办; reassignment keeps history)", a);
  assign->add_option("--to", a->to, "inspector user id")->required();
  assign->add_option("--dept", a->dept, "department");
  on(assign, [](Env& e, LeadArgs& x) { return Assign(e, x); });

  CLI::App* propose = WithId(lead, "propose", "propose a disposal method (处置方式)", a);
  propose
      ->add_option("--method", a->method,
                   "talk-inquiry|verification|hold|close (first-form after an inquiry reply)")
      ->required();
  propose->add_option("--reason", a->reason, "why")->required();
  on(propose, [](Env& e, LeadArgs& x) { return Propose(e, x); });

  CLI::App* approve = WithId(lead, "approve", "approve the pending proposal (leader)", a);
  approve->add_option("--reason", a->reason, "comment");
  on(approve, [](Env& e, LeadArgs& x) { return Decide(e, x, true); });

  CLI::App* reject = WithId(lead, "reject", "reject the pending proposal (leader)", a);
  reject->add_option("--reason", a->reason, "why")->required();
  on(reject, [](Env& e, LeadArgs& x) { return Decide(e, x, false); });

  CLI::App* sent =
      WithId(lead, "inquiry-sent", "record that the talk or inquiry letter happened", a);
  sent->add_option("--text", a->text, "what was done")->required();
  sent->add_option("--date", a->date, "YYYY-MM-DD (default today)");
  on(sent, [](Env& e, LeadArgs& x) { return Note(e, x, "sent"); });

  CLI::App* reply =
      WithId(lead, "inquiry-reply", "record the reply to a talk or written inquiry", a);
  CLI::Option* text = reply->add_option("--text", a->text, "the reply");
  CLI::Option* file = reply->add_option("--file", a->file, "read the reply from FILE");
  text->excludes(file);
  reply->add_option("--date", a->date, "YYYY-MM-DD (default today)");
  on(reply, [](Env& e, LeadArgs& x) { return Note(e, x, "reply"); });

  CLI::App* plan =
      WithId(lead, "verification-plan", "record the verification plan and team (初核方案)", a);
  plan->add_option("--team", a->team, "team members' user ids (repeatable or comma-separated)")
      ->required()
      ->delimiter(',');
  CLI::Option* ptext = plan->add_option("--text", a->text, "the plan");
  CLI::Option* pfile = plan->add_option("--file", a->file, "read the plan from FILE");
  ptext->excludes(pfile);
  on(plan, [](Env& e, LeadArgs& x) { return Note(e, x, "plan"); });

  CLI::App* report = WithId(lead, "report", "submit the verification report (初步核实报告)", a);
  report->add_option("--proposal", a->proposal, "file-case|close|first-form|hold|transfer")
      ->required();
  CLI::Option* rtext = report->add_option("--text", a->text, "the report");
  CLI::Option* rfile = report->add_option("--file", a->file, "read the report from FILE");
  rtext->excludes(rfile);
  on(report, [](Env& e, LeadArgs& x) { return ReportVerification(e, x); });

  CLI::App* higher =
      WithId(lead, "report-higher", "record the report to the higher commission (第二十二条)", a);
  higher->add_option("--text", a->text, "what was reported")->required();
  higher->add_option("--date", a->date, "YYYY-MM-DD (default today)");
  on(higher, [](Env& e, LeadArgs& x) { return Note(e, x, "higher"); });

  CLI::App* my = app.add_subcommand("my", "what waits for you: leads, then cases, by id");
  my->add_option("--page-size", a->page_size, "rows per page (default 50, at most 500)");
  my->add_option("--page-token", a->page_token, "continue after this id");
  on(my, [](Env& e, LeadArgs& x) { return My(e, x); });

  CLI::App* recusal = app.add_subcommand("recusal", "conflicts of interest (回避)");
  recusal->require_subcommand(1);
  CLI::App* declare = recusal->add_subcommand("declare", "declare a conflict");
  CLI::Option* subject =
      declare->add_option("--subject-id", a->subject_id, "the subject's ID number");
  CLI::Option* reporter =
      declare->add_option("--reporter-of", a->reporter_of, "the petition XF-ID");
  subject->excludes(reporter);
  declare->add_option("--ground", a->ground, "relative|witness|interest|other")->required();
  declare->add_option("--reason", a->reason, "why")->required();
  on(declare, [](Env& e, LeadArgs& x) { return Declare(e, x); });
  return holder;
}

}  // namespace jijian::client
