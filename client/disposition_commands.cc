#include "client/disposition_commands.h"

#include <iomanip>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli_parse.h"
#include "client/output.h"
#include "jijian/v1/disposition.grpc.pb.h"

namespace jijian::client {
namespace {

struct DispositionArgs {
  std::string id, object, measures, disciplines, decided, reason, step, date, petition, outcome,
      state, ending_within, page_token, name, id_number, purpose, from, to, unit;
  int64_t version = 0;
  std::string subject;
  int probation = 0, form = 0, page_size = 0;
  bool in_period = false, csv = false;
};

std::string StateText(v1::DispositionState s) {
  return EnumFlag("DISPOSITION_", v1::DispositionState_Name(s));
}

std::string Or(const std::string& s, const char* dash = "-") { return s.empty() ? dash : s; }

std::string PeriodText(const std::string& end, bool permanent, int months) {
  if (permanent) return "permanent";
  if (months == 0 || end.empty()) return "-";
  return "until " + end;
}

void PrintDisposition(std::ostream& out, const v1::Disposition& d) {
  std::vector<std::string> measures;
  for (const v1::MeasureRef& m : d.measures()) measures.push_back(m.code() + " " + m.name_zh());
  std::vector<std::string> disciplines;
  for (int x : d.disciplines())
    disciplines.push_back(
        EnumFlag("DISCIPLINE_", v1::Discipline_Name(static_cast<v1::Discipline>(x))));
  out << "disposition: " << d.id() << "  (version " << d.version() << ")\n"
      << "state:       " << StateText(d.state()) << "\n"
      << "matter:      " << d.object_id() << ", person " << d.subject_index() << " "
      << d.subject_name() << " (" << d.unit() << ")\n"
      << "form:        " << d.form() << "  (derived from the measures)\n"
      << "measures:    " << absl::StrJoin(measures, "; ") << "\n";
  if (d.probation_months() > 0) out << "probation:   " << d.probation_months() << " months\n";
  out << "disciplines: " << absl::StrJoin(disciplines, ", ") << "\n"
      << "decided:     " << d.decided_date() << "\n"
      << "period:      " << PeriodText(d.period_end(), d.permanent(), d.period_months())
      << (d.period_months() > 0 ? " (" + std::to_string(d.period_months()) + " months)" : "")
      << (d.in_period() ? ", in period today" : "") << "\n"
      << "reason:      " << d.reason() << "\n"
      << "proposed by: " << d.proposed_by() << "\n";
  if (!d.approved_by().empty()) out << "approved by: " << d.approved_by() << "\n";
  out << "execution:   announced " << Or(d.announced_date()) << ", delivered "
      << Or(d.delivered_date()) << ", filed " << Or(d.filed_date()) << "\n";
  if (!d.appeal_petition_id().empty()) {
    out << "appeal:      " << d.appeal_petition_id() << " "
        << (d.appeal_outcome() == v1::APPEAL_OUTCOME_UNSPECIFIED
                ? "open"
                : EnumFlag("APPEAL_", v1::AppealOutcome_Name(d.appeal_outcome())))
        << "\n";
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::DispositionEvent& e : d.history()) {
    rows.push_back({e.date(), e.kind(), e.by(), absl::StrJoin(e.measures(), ","), Or(e.text())});
  }
  PrintTable(out, {"DATE", "HISTORY", "BY", "MEASURES", "TEXT"}, rows);
}

int Finish(Env& env, const grpc::Status& st, const v1::DispositionResponse& resp) {
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    PrintDisposition(*env.out, resp.disposition());
  }
  return 0;
}

template <typename Request, typename Call>
int Change(Env& env, const DispositionArgs& a, Request req, Call call) {
  auto stub = v1::DispositionService::NewStub(env.channel);
  int64_t version = a.version;
  if (version == 0) {
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    v1::GetDispositionRequest get;
    get.set_id(a.id);
    v1::DispositionResponse current;
    grpc::Status st = stub->GetDisposition(&ctx, get, &current);
    if (!st.ok()) return Report(env, st);
    version = current.disposition().version();
  }
  req.set_request_id(NewRequestId());
  req.set_id(a.id);
  req.set_expected_version(version);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::DispositionResponse resp;
  return Finish(env, call(*stub, &ctx, req, &resp), resp);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    out.emplace_back(absl::StripAsciiWhitespace(part));
  }
  return out;
}

absl::Status ParseDisciplines(const std::string& text, v1::RecordDispositionRequest* req) {
  for (const std::string& d : SplitList(text)) {
    v1::Discipline discipline;
    if (!ParseEnumFlag("DISCIPLINE_", d, v1::Discipline_Parse, &discipline)) {
      return BadFlag("--discipline", "political, organizational, integrity, mass, work, life");
    }
    req->add_disciplines(discipline);
  }
  return absl::OkStatus();
}

int Record(Env& env, const DispositionArgs& a) {
  v1::RecordDispositionRequest req;
  req.set_request_id(NewRequestId());
  req.set_object_id(a.object);
  // --subject-id: the person's number in the matter (1, 2, ...) or their ID number.
  if (!a.subject.empty() && a.subject.size() <= 3 &&
      std::all_of(a.subject.begin(), a.subject.end(), ::isdigit)) {
    req.set_subject_index(std::stoi(a.subject));
  } else {
    req.set_subject_id_number(a.subject);
  }
  for (const std::string& m : SplitList(a.measures)) req.add_measures(m);
  if (absl::Status st = ParseDisciplines(a.disciplines, &req); !st.ok()) return Report(env, st);
  req.set_decided_date(a.decided);
  req.set_probation_months(a.probation);
  req.set_reason(a.reason);
  auto stub = v1::DispositionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::DispositionResponse resp;
  return Finish(env, stub->RecordDisposition(&ctx, req, &resp), resp);
}

// "30d", "30" or "2w" -> days.
absl::StatusOr<int> ParseDays(const std::string& text) {
  std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  int scale = 1;
  if (!t.empty() && (t.back() == 'd' || t.back() == 'w')) {
    scale = t.back() == 'w' ? 7 : 1;
    t.pop_back();
  }
  int n = 0;
  if (t.empty() || t.size() > 4 || !std::all_of(t.begin(), t.end(), ::isdigit) ||
      (n = std::stoi(t) * scale) < 1) {
    return BadFlag("--ending-within", "a number of days such as 30d (or weeks, 4w)");
  }
  return n;
}

int List(Env& env, const DispositionArgs& a) {
  v1::ListDispositionsRequest req;
  req.set_object_id(a.object);
  if (!a.state.empty()) {
    v1::DispositionState state;
    if (!ParseEnumFlag("DISPOSITION_", a.state, v1::DispositionState_Parse, &state))
      return Report(env, BadFlag("--state", "proposed, approved, rejected, revoked"));
    req.set_state(state);
  }
  req.set_in_period(a.in_period);
  if (!a.ending_within.empty()) {
    absl::StatusOr<int> days = ParseDays(a.ending_within);
    if (!days.ok()) return Report(env, days.status());
    req.set_ending_within_days(*days);
  }
  req.set_form(a.form);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  auto stub = v1::DispositionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::ListDispositionsResponse resp;
  grpc::Status st = stub->ListDispositions(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::DispositionListItem& d : resp.dispositions()) {
    rows.push_back({d.id(), StateText(d.state()), d.object_id(), std::to_string(d.subject_index()),
                    d.unit(), std::to_string(d.form()), absl::StrJoin(d.measures(), ","),
                    d.decided_date(), d.permanent() ? "permanent" : Or(d.period_end())});
  }
  PrintTable(*env.out,
             {"ID", "STATE", "MATTER", "#", "UNIT", "FORM", "MEASURES", "DECIDED", "PERIOD END"},
             rows);
  if (!resp.next_page_token().empty())
    *env.out << "more: --page-token " << resp.next_page_token() << "\n";
  return 0;
}

int Measures(Env& env) {
  auto stub = v1::DispositionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::ListMeasuresResponse resp;
  grpc::Status st = stub->ListMeasures(&ctx, v1::ListMeasuresRequest(), &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : resp.measures()) {
    std::string period = m.permanent() ? "permanent" : "-";
    if (m.period_months() > 0) period = std::to_string(m.period_months()) + " months";
    if (!m.probation_months().empty()) {
      std::vector<std::string> p;
      for (int x : m.probation_months()) p.push_back(std::to_string(x));
      period = absl::StrJoin(p, " or ") + " months (chosen)";
    }
    rows.push_back({m.code(), m.name_zh(), std::to_string(m.form()), m.kind(), period});
  }
  PrintTable(*env.out, {"MEASURE", "名称", "FORM", "KIND", "PERIOD"}, rows);
  return 0;
}

int Integrity(Env& env, const DispositionArgs& a) {
  v1::IntegrityCheckRequest req;
  req.set_request_id(NewRequestId());
  req.set_name(a.name);
  req.set_id_number(a.id_number);
  req.set_purpose(a.purpose);
  auto stub = v1::DispositionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::IntegrityCheckResponse resp;
  grpc::Status st = stub->IntegrityCheck(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  std::ostream& out = *env.out;
  out << "integrity opinion " << resp.reference() << " (" << resp.date() << ")\n"
      << "opinion:  " << resp.opinion() << "\n"
      << "          " << resp.opinion_text() << "\n";
  if (resp.open_matters_size() > 0) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& m : resp.open_matters()) rows.push_back({m.id(), m.kind(), m.state()});
    out << "open matters:\n";
    PrintTable(out, {"ID", "KIND", "STATE"}, rows);
  }
  if (resp.sanctions_size() > 0) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& s : resp.sanctions()) {
      rows.push_back({s.disposition_id(), std::to_string(s.form()),
                      absl::StrJoin(s.measures(), "、"), s.decided_date(),
                      s.permanent() ? "permanent" : s.period_end()});
    }
    out << "inside a sanction period:\n";
    PrintTable(out, {"DISPOSITION", "FORM", "MEASURES", "DECIDED", "PERIOD END"}, rows);
  }
  if (resp.closed_matters() > 0)
    out << "closed matters on record: " << resp.closed_matters() << "\n";
  return 0;
}

// ---- Statistics -----------------------------------------------------------------------

std::string Pct(double p) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << p;
  return s.str();
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// One section of counts: as a table, or as CSV rows "section,key,label,count,percent".
void PrintCounts(std::ostream& out, bool csv, const std::string& section,
                 const google::protobuf::RepeatedPtrField<v1::Count>& counts) {
  if (csv) {
    for (const v1::Count& c : counts) {
      out << section << "," << CsvField(c.key()) << "," << CsvField(c.label()) << "," << c.count()
          << "," << Pct(c.percent()) << "\n";
    }
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::Count& c : counts) {
    rows.push_back({c.key(), c.label(), std::to_string(c.count()), Pct(c.percent()) + "%"});
  }
  out << section << ":\n";
  PrintTable(out, {"KEY", "名称", "COUNT", "SHARE"}, rows);
}

void PrintValue(std::ostream& out, bool csv, const std::string& section, const std::string& key,
                const std::string& value) {
  if (csv) {
    out << section << "," << key << ",," << value << ",\n";
  } else {
    out << key << ": " << value << "\n";
  }
}

void PrintFourForms(std::ostream& out, bool csv, const v1::Statistics& s) {
  PrintValue(out, csv, "four_forms", "person_times", std::to_string(s.person_times()));
  PrintCounts(out, csv, "forms", s.forms());
  PrintCounts(out, csv, "measures", s.measures());
  PrintValue(out, csv, "sanctions", "party_sanctioned", std::to_string(s.party_sanctioned()));
  PrintValue(out, csv, "sanctions", "government_sanctioned",
             std::to_string(s.government_sanctioned()));
  if (!csv) out << s.sentence() << "\n";
}

void PrintPetitions(std::ostream& out, bool csv, const v1::Statistics& s) {
  PrintValue(out, csv, "petitions", "petitions", std::to_string(s.petitions()));
  PrintCounts(out, csv, "by_channel", s.petitions_by_channel());
  PrintCounts(out, csv, "by_category", s.petitions_by_category());
  PrintCounts(out, csv, "by_handling", s.petitions_by_handling());
  PrintValue(out, csv, "petitions", "real_name_percent", Pct(s.real_name_percent()));
  auto rate = [](int64_t on_time, int64_t due) {
    return std::to_string(on_time) + "/" + std::to_string(due) +
           (due > 0 ? " (" + Pct(100.0 * static_cast<double>(on_time) / due) + "%)" : "");
  };
  PrintValue(out, csv, "petitions", "acceptance_notices_on_time",
             csv ? std::to_string(s.acceptance_notices_on_time()) + "/" +
                       std::to_string(s.acceptance_notices_due())
                 : rate(s.acceptance_notices_on_time(), s.acceptance_notices_due()));
  PrintValue(out, csv, "petitions", "feedback_on_time",
             csv ? std::to_string(s.feedback_on_time()) + "/" + std::to_string(s.feedback_due())
                 : rate(s.feedback_on_time(), s.feedback_due()));
}

void PrintLeadsAndCases(std::ostream& out, bool csv, const v1::Statistics& s) {
  PrintValue(out, csv, "leads", "leads", std::to_string(s.leads()));
  PrintCounts(out, csv, "leads_by_source", s.leads_by_source());
  PrintCounts(out, csv, "leads_by_disposal", s.leads_by_disposal());
  PrintValue(out, csv, "cases", "cases_filed", std::to_string(s.cases_filed()));
  PrintValue(out, csv, "cases", "cases_closed", std::to_string(s.cases_closed()));
  PrintValue(out, csv, "cases", "transferred_to_procuratorate",
             std::to_string(s.transferred_to_procuratorate()));
}

void PrintTrend(std::ostream& out, bool csv, const v1::Statistics& s) {
  if (csv) {
    out << "month,petitions,leads,cases_filed,form1,form2,form3,form4\n";
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::MonthRow& m : s.months()) {
    std::vector<std::string> row = {m.month(),
                                    std::to_string(m.petitions()),
                                    std::to_string(m.leads()),
                                    std::to_string(m.cases_filed()),
                                    std::to_string(m.form1()),
                                    std::to_string(m.form2()),
                                    std::to_string(m.form3()),
                                    std::to_string(m.form4())};
    if (csv) {
      out << absl::StrJoin(row, ",") << "\n";
    } else {
      rows.push_back(row);
    }
  }
  if (!csv) {
    out << "monthly trend:\n";
    PrintTable(out, {"MONTH", "PETITIONS", "LEADS", "CASES", "F1", "F2", "F3", "F4"}, rows);
  }
}

int Stats(Env& env, const DispositionArgs& a, const std::string& what) {
  v1::GetStatisticsRequest req;
  req.set_from(a.from);
  req.set_to(a.to);
  req.set_unit(a.unit);
  auto stub = v1::StatsService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::Statistics s;
  grpc::Status st = stub->GetStatistics(&ctx, req, &s);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, s);
    return 0;
  }
  std::ostream& out = *env.out;
  const bool csv = a.csv;
  if (csv && what != "trend") out << "section,key,label,count,percent\n";
  if (!csv) {
    out << "period: " << s.from() << " to " << s.to() << (s.unit().empty() ? "" : ", unit ")
        << s.unit() << "\n";
  }
  if (what == "four-forms" || what == "all") PrintFourForms(out, csv, s);
  if (what == "petitions" || what == "all") PrintPetitions(out, csv, s);
  if (what == "leads" || what == "cases" || what == "all") PrintLeadsAndCases(out, csv, s);
  if (what == "trend" || (what == "all" && !csv)) PrintTrend(out, csv, s);
  return 0;
}

}  // namespace

std::shared_ptr<void> AddDispositionCommands(CLI::App& app, Env& env, Action& action) {
  auto holder = std::make_shared<DispositionArgs>();
  DispositionArgs* a = holder.get();
  auto on = [&env, &action, a](CLI::App* cmd, std::function<int(Env&, DispositionArgs&)> run) {
    cmd->callback([&env, &action, a, run] { action = [&env, a, run] { return run(env, *a); }; });
  };
  auto with_id = [a](CLI::App* parent, const char* name, const char* help) {
    CLI::App* cmd = parent->add_subcommand(name, help);
    cmd->add_option("ID", a->id, "disposition id (CZ-YYYY-NNNNNN)")->required();
    cmd->add_option("--version", a->version, "the version you last saw (default: read it now)");
    return cmd;
  };
  CLI::App* d = app.add_subcommand("disposition", "dispositions of persons (四种形态)");
  d->require_subcommand(1);

  CLI::App* record = d->add_subcommand(
      "record", "propose the disposition of one person in a lead or case (reviewer, inspector)");
  record->add_option("MATTER", a->object, "lead XS-YYYY-NNNNNN or case LA-YYYY-NNNNNN")->required();
  record
      ->add_option("--subject-id", a->subject,
                   "the person: their number in the matter (1, 2, ...) or their ID number")
      ->required();
  record->add_option("--measure", a->measures, "measure codes, comma-separated (see measures)")
      ->required();
  record
      ->add_option("--discipline", a->disciplines,
                   "disciplines breached: political, organizational, integrity, mass, work, "
                   "life (comma-separated)")
      ->required();
  record->add_option("--decided", a->decided, "decision date YYYY-MM-DD")->required();
  record->add_option("--probation-months", a->probation, "留党察看 only: 12 or 24");
  record->add_option("--reason", a->reason, "the grounds")->required();
  on(record, [](Env& e, DispositionArgs& x) { return Record(e, x); });

  CLI::App* approve = with_id(d, "approve", "approve a proposed disposition (leader, not yours)");
  approve->add_option("--reason", a->reason, "a note on the decision");
  on(approve, [](Env& e, DispositionArgs& x) {
    v1::DispositionStepRequest req;
    req.set_reason(x.reason);
    return Change(e, x, req, [](auto& s, auto* ctx, const auto& r, auto* o) {
      return s.ApproveDisposition(ctx, r, o);
    });
  });

  CLI::App* reject = with_id(d, "reject", "reject a proposed disposition (leader, not yours)");
  reject->add_option("--reason", a->reason, "why")->required();
  on(reject, [](Env& e, DispositionArgs& x) {
    v1::DispositionStepRequest req;
    req.set_reason(x.reason);
    return Change(e, x, req, [](auto& s, auto* ctx, const auto& r, auto* o) {
      return s.RejectDisposition(ctx, r, o);
    });
  });

  CLI::App* execute = with_id(d, "execute", "record an execution step (宣布/送达/归档)");
  execute->add_option("--step", a->step, "announced|delivered|filed")->required();
  execute->add_option("--date", a->date, "date YYYY-MM-DD")->required();
  on(execute, [](Env& e, DispositionArgs& x) {
    v1::DispositionExecutionRequest req;
    req.set_step(x.step);
    req.set_date(x.date);
    return Change(e, x, req, [](auto& s, auto* ctx, const auto& r, auto* o) {
      return s.RecordExecution(ctx, r, o);
    });
  });

  CLI::App* appeal = with_id(d, "appeal", "link an appeal petition (申诉, category appeal)");
  appeal->add_option("--petition", a->petition, "the appeal petition XF-YYYY-NNNNNN")->required();
  on(appeal, [](Env& e, DispositionArgs& x) {
    v1::RegisterAppealRequest req;
    req.set_petition_id(x.petition);
    return Change(e, x, req, [](auto& s, auto* ctx, const auto& r, auto* o) {
      return s.RegisterAppeal(ctx, r, o);
    });
  });

  CLI::App* outcome = with_id(d, "appeal-decide", "the appeal's outcome (leader)");
  outcome->add_option("--outcome", a->outcome, "upheld|changed|revoked")->required();
  outcome->add_option("--measure", a->measures, "changed: the new measures");
  outcome->add_option("--probation-months", a->probation, "changed: 12 or 24 (留党察看)");
  outcome->add_option("--date", a->date, "date of the outcome (default today)");
  outcome->add_option("--reason", a->reason, "the grounds")->required();
  on(outcome, [](Env& e, DispositionArgs& x) {
    v1::DecideAppealRequest req;
    v1::AppealOutcome o;
    if (!ParseEnumFlag("APPEAL_", x.outcome, v1::AppealOutcome_Parse, &o))
      return Report(e, BadFlag("--outcome", "upheld, changed, revoked"));
    req.set_outcome(o);
    for (const std::string& m : SplitList(x.measures)) req.add_measures(m);
    req.set_probation_months(x.probation);
    req.set_date(x.date);
    req.set_reason(x.reason);
    return Change(e, x, req, [](auto& s, auto* ctx, const auto& r, auto* out) {
      return s.DecideAppeal(ctx, r, out);
    });
  });

  CLI::App* show = d->add_subcommand("show", "show a disposition and its history");
  show->add_option("ID", a->id, "disposition id")->required();
  on(show, [](Env& e, DispositionArgs& x) {
    auto stub = v1::DispositionService::NewStub(e.channel);
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    v1::GetDispositionRequest req;
    req.set_id(x.id);
    v1::DispositionResponse resp;
    return Finish(e, stub->GetDisposition(&ctx, req, &resp), resp);
  });

  CLI::App* list = d->add_subcommand("list", "list dispositions");
  list->add_flag("--in-period", a->in_period, "approved and inside their period today");
  list->add_option("--ending-within", a->ending_within,
                   "approved, period ends within this time from today (e.g. 30d)");
  list->add_option("--matter", a->object, "only this lead or case");
  list->add_option("--state", a->state, "proposed|approved|rejected|revoked");
  list->add_option("--form", a->form, "1..4");
  list->add_option("--page-size", a->page_size, "rows per page (default 50, at most 500)");
  list->add_option("--page-token", a->page_token, "from the previous page");
  on(list, [](Env& e, DispositionArgs& x) { return List(e, x); });

  on(d->add_subcommand("measures", "the measure table in force (form, kind, period)"),
     [](Env& e, DispositionArgs&) { return Measures(e); });

  CLI::App* check = app.add_subcommand("integrity-check",
                                       "integrity opinion on a person (廉政意见回复; audited)");
  check->add_option("--name", a->name, "the person's name")->required();
  check->add_option("--id-number", a->id_number, "the person's ID number (18 characters)")
      ->required();
  check->add_option("--purpose", a->purpose, "what the opinion is for (e.g. promotion)");
  on(check, [](Env& e, DispositionArgs& x) { return Integrity(e, x); });

  CLI::App* stats = app.add_subcommand("stats", "statistics for a period (counts only)");
  stats->require_subcommand(1);
  for (const char* what : {"four-forms", "petitions", "leads", "cases", "trend", "all"}) {
    CLI::App* cmd = stats->add_subcommand(what, std::string("statistics: ") + what);
    cmd->add_option("--from", a->from, "first day YYYY-MM-DD")->required();
    cmd->add_option("--to", a->to, "last day YYYY-MM-DD")->required();
    cmd->add_option("--unit", a->unit, "only subjects of this unit");
    CLI::Option* json = cmd->add_flag("--json", env.json, "protobuf JSON");
    cmd->add_flag("--csv", a->csv, "CSV")->excludes(json);
    const std::string name = what;
    on(cmd, [name](Env& e, DispositionArgs& x) { return Stats(e, x, name); });
  }
  return holder;
}

}  // namespace jijian::client
