#include "client/petition_commands.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli_parse.h"
#include "client/output.h"
#include "jijian/v1/petition.grpc.pb.h"

namespace jijian::client {
namespace {

std::string StateText(v1::PetitionState s) {
  return EnumFlag("PETITION_", v1::PetitionState_Name(s));
}

struct RegisterArgs {
  std::string channel, category, received;
  PetitionFlags petition;
};

struct ChangeArgs {
  std::string id;
  int64_t version = 0;
  std::string mode, reason, to, due, duplicate_of;
  std::string date, means, text, conclusion, objection, objection_answer;
};

struct PetitionArgs {
  RegisterArgs reg;
  ChangeArgs change;
  std::string show_id;
  bool reveal = false;
  std::string list_state, list_channel, list_category, list_from, list_to, list_unit, page_token;
  bool overdue = false;
  int page_size = 0;
};

void PrintPetition(std::ostream& out, const v1::Petition& p) {
  out << "petition:    " << p.id() << "  (version " << p.version() << ")\n"
      << "state:       " << StateText(p.state()) << "\n"
      << "channel:     " << EnumFlag("CHANNEL_", v1::Channel_Name(p.channel())) << "\n"
      << "category:    " << EnumFlag("CATEGORY_", v1::Category_Name(p.category())) << "\n"
      << "received:    " << p.received_date() << "\n";
  if (p.anonymous()) {
    out << "reporter:    anonymous\n";
  } else if (p.identity_redacted()) {
    out << "reporter:    real-name [sealed; opens only to you after a leader approves your "
           "petition unseal-request]\n";
  } else {
    out << "reporter:    " << p.reporter().name() << ", ID " << p.reporter().id_number()
        << (p.reporter().phone().empty() ? "" : ", phone " + p.reporter().phone())
        << (p.reporter().address().empty() ? "" : ", " + p.reporter().address()) << "\n";
  }
  for (int i = 0; i < p.subjects_size(); ++i) {
    const v1::Subject& s = p.subjects(i);
    std::vector<std::string> flags;
    if (s.party_member()) flags.push_back("party member");
    if (s.top_leader()) flags.push_back("一把手");
    if (s.committee_member()) flags.push_back("same-level committee");
    if (s.commission_head()) flags.push_back("commission head");
    out << "subject " << i + 1 << ":   " << s.name() << ", " << s.unit()
        << (s.position().empty() ? "" : ", " + s.position())
        << (s.rank().empty() ? "" : ", rank " + s.rank())
        << (s.id_number().empty() ? "" : ", ID " + s.id_number())
        << (flags.empty() ? "" : " [" + absl::StrJoin(flags, ", ") + "]") << "\n";
  }
  std::vector<std::string> disciplines;
  for (int d : p.disciplines()) {
    disciplines.push_back(
        EnumFlag("DISCIPLINE_", v1::Discipline_Name(static_cast<v1::Discipline>(d))));
  }
  if (!disciplines.empty()) out << "disciplines: " << absl::StrJoin(disciplines, ", ") << "\n";
  out << "summary:     " << p.summary() << "\n";
  if (!p.content().empty()) out << "content:\n  " << p.content() << "\n";
  if (p.has_decision()) {
    const v1::Decision& d = p.decision();
    out << "decision:    " << EnumFlag("HANDLING_", v1::HandlingMode_Name(d.mode())) << " on "
        << d.decided_date() << " by " << d.decided_by()
        << (d.to_body().empty() ? "" : ", to " + d.to_body())
        << (d.due_date().empty() ? "" : ", result due " + d.due_date()) << "\n"
        << "  reason:    " << d.reason() << "\n";
  }
  if (!p.duplicate_of().empty()) out << "duplicate of " << p.duplicate_of() << "\n";
  if (p.duplicate_count() > 0) out << "duplicates:  " << p.duplicate_count() << " linked\n";
  if (!p.closed_date().empty()) {
    out << "concluded:   " << p.closed_date()
        << (p.conclusion().empty() ? "" : ": " + p.conclusion()) << "\n";
  }
  if (!p.possible_duplicates().empty()) {
    out << "same subject as: " << absl::StrJoin(p.possible_duplicates(), ", ") << "\n";
  }
  for (const v1::PetitionMessage& m : p.messages()) {
    out << m.kind() << " (" << m.date() << (m.means().empty() ? "" : ", " + m.means()) << ", "
        << m.author() << "): " << m.text() << "\n";
  }
  PrintDeadlines(out, p.deadlines());
}

void PrintList(std::ostream& out,
               const google::protobuf::RepeatedPtrField<v1::PetitionListItem>& items) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::PetitionListItem& p : items) {
    std::vector<std::string> late;
    for (const v1::Deadline& d : p.overdue()) {
      late.push_back(d.name() + " +" + std::to_string(d.working_days_late()) + "wd");
    }
    std::string summary = p.summary();
    if (summary.size() > 60) {
      size_t cut = 60;
      while (cut > 0 && (static_cast<unsigned char>(summary[cut]) & 0xC0) == 0x80) --cut;
      summary = summary.substr(0, cut) + "…";
    }
    rows.push_back({p.id(), StateText(p.state()),
                    EnumFlag("CHANNEL_", v1::Channel_Name(p.channel())),
                    EnumFlag("CATEGORY_", v1::Category_Name(p.category())), p.received_date(),
                    p.anonymous() ? "anonymous" : "real-name",
                    late.empty() ? "-" : absl::StrJoin(late, ", "), summary});
  }
  PrintTable(out,
             {"ID", "STATE", "CHANNEL", "CATEGORY", "RECEIVED", "REPORTER", "OVERDUE", "SUMMARY"},
             rows);
}

int Register(Env& env, const RegisterArgs& a) {
  v1::RegisterPetitionRequest req;
  req.set_request_id(NewRequestId());
  v1::Channel channel;
  if (!ParseEnumFlag("CHANNEL_", a.channel, v1::Channel_Parse, &channel)) {
    return Report(env, BadFlag("--channel", "letter, visit, phone, online, higher, agency"));
  }
  req.set_channel(channel);
  v1::Category category;
  if (!ParseEnumFlag("CATEGORY_", a.category, v1::Category_Parse, &category)) {
    return Report(env,
                  BadFlag("--category",
                          "accusation, complaint, appeal, suggestion, out-of-scope, no-substance"));
  }
  req.set_category(category);
  req.set_received_date(a.received);
  if (absl::Status st = FillPetition(a.petition, &req); !st.ok()) return Report(env, st);
  auto stub = v1::PetitionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::RegisterPetitionResponse resp;
  grpc::Status st = stub->RegisterPetition(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  const v1::Petition& p = resp.petition();
  *env.out << "registered " << p.id() << " (" << StateText(p.state()) << "), received "
           << p.received_date() << "\n";
  PrintDeadlines(*env.out, p.deadlines());
  if (!p.possible_duplicates().empty()) {
    *env.out << "possible duplicates (same subject): "
             << absl::StrJoin(p.possible_duplicates(), ", ") << "\n";
  }
  *env.out << "receipt code (shown once; give it to the reporter): " << resp.receipt_code() << "\n";
  return 0;
}

int Show(Env& env, const std::string& id, bool reveal) {
  auto stub = v1::PetitionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetPetitionRequest req;
  req.set_id(id);
  req.set_reveal_identity(reveal);
  v1::GetPetitionResponse resp;
  grpc::Status st = stub->GetPetition(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    PrintPetition(*env.out, resp.petition());
  }
  return 0;
}

int List(Env& env, const PetitionArgs& a) {
  v1::ListPetitionsRequest req;
  if (!a.list_state.empty()) {
    v1::PetitionState state;
    if (!ParseEnumFlag("PETITION_", a.list_state, v1::PetitionState_Parse, &state)) {
      return Report(env, BadFlag("--state",
                                 "registered, accepted, escalated, transferred-down, "
                                 "assigned-down, referred-out, archived, duplicate, closed"));
    }
    req.set_state(state);
  }
  if (!a.list_channel.empty()) {
    v1::Channel channel;
    if (!ParseEnumFlag("CHANNEL_", a.list_channel, v1::Channel_Parse, &channel)) {
      return Report(env, BadFlag("--channel", "letter, visit, phone, online, higher, agency"));
    }
    req.set_channel(channel);
  }
  if (!a.list_category.empty()) {
    v1::Category category;
    if (!ParseEnumFlag("CATEGORY_", a.list_category, v1::Category_Parse, &category)) {
      return Report(env, BadFlag("--category",
                                 "accusation, complaint, appeal, suggestion, "
                                 "out-of-scope, no-substance"));
    }
    req.set_category(category);
  }
  req.set_received_from(a.list_from);
  req.set_received_to(a.list_to);
  req.set_subject_unit(a.list_unit);
  req.set_overdue(a.overdue);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  auto stub = v1::PetitionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::ListPetitionsResponse resp;
  grpc::Status st = stub->ListPetitions(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  PrintList(*env.out, resp.petitions());
  if (!resp.next_page_token().empty()) {
    *env.out << "more: --page-token " << resp.next_page_token() << "\n";
  }
  return 0;
}

// The version to send: --version if given, else the current one read from the server.
absl::StatusOr<int64_t> VersionOf(Env& env, const ChangeArgs& a) {
  if (a.version > 0) return a.version;
  auto stub = v1::PetitionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::GetPetitionRequest req;
  req.set_id(a.id);
  v1::GetPetitionResponse resp;
  grpc::Status st = stub->GetPetition(&ctx, req, &resp);
  if (!st.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(st.error_code()), st.error_message());
  }
  return resp.petition().version();
}

// Runs one change RPC and prints the petition it returns.
template <typename Request, typename Call>
int Change(Env& env, const ChangeArgs& a, Request req, Call call) {
  absl::StatusOr<int64_t> version = VersionOf(env, a);
  if (!version.ok())
    return Report(env, grpc::Status(static_cast<grpc::StatusCode>(version.status().code()),
                                    std::string(version.status().message())));
  req.set_request_id(NewRequestId());
  req.set_id(a.id);
  req.set_expected_version(*version);
  auto stub = v1::PetitionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::PetitionResponse resp;
  grpc::Status st = call(*stub, &ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else {
    PrintPetition(*env.out, resp.petition());
  }
  return 0;
}

int Decide(Env& env, const ChangeArgs& a) {
  v1::DecidePetitionRequest req;
  v1::HandlingMode mode;
  if (!ParseEnumFlag("HANDLING_", a.mode, v1::HandlingMode_Parse, &mode)) {
    return Report(env, BadFlag("--mode",
                               "accept, escalate, transfer-down, assign-down, refer-out, "
                               "archive, duplicate"));
  }
  req.set_mode(mode);
  req.set_reason(a.reason);
  req.set_to_body(a.to);
  req.set_due_date(a.due);
  req.set_duplicate_of(a.duplicate_of);
  return Change(env, a, req, [](auto& stub, auto* ctx, const auto& r, auto* resp) {
    return stub.DecidePetition(ctx, r, resp);
  });
}

int Notify(Env& env, const ChangeArgs& a) {
  v1::NotifyReporterRequest req;
  req.set_date(a.date);
  req.set_means(a.means);
  req.set_text(a.text);
  return Change(env, a, req, [](auto& stub, auto* ctx, const auto& r, auto* resp) {
    return stub.NotifyReporter(ctx, r, resp);
  });
}

int Result(Env& env, const ChangeArgs& a) {
  v1::RecordResultRequest req;
  req.set_date(a.date);
  req.set_text(a.text);
  return Change(env, a, req, [](auto& stub, auto* ctx, const auto& r, auto* resp) {
    return stub.RecordResult(ctx, r, resp);
  });
}

int Close(Env& env, const ChangeArgs& a) {
  v1::ClosePetitionRequest req;
  req.set_date(a.date);
  req.set_conclusion(a.conclusion);
  return Change(env, a, req, [](auto& stub, auto* ctx, const auto& r, auto* resp) {
    return stub.ClosePetition(ctx, r, resp);
  });
}

int Feedback(Env& env, const ChangeArgs& a) {
  v1::GiveFeedbackRequest req;
  req.set_date(a.date);
  req.set_means(a.means);
  req.set_text(a.text);
  req.set_objection(a.objection);
  req.set_objection_answer(a.objection_answer);
  return Change(env, a, req, [](auto& stub, auto* ctx, const auto& r, auto* resp) {
    return stub.GiveFeedback(ctx, r, resp);
  });
}

int Duplicates(Env& env, const std::string& id) {
  auto stub = v1::PetitionService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::FindDuplicatesRequest req;
  req.set_id(id);
  v1::FindDuplicatesResponse resp;
  grpc::Status st = stub->FindDuplicates(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
  } else if (resp.petitions().empty()) {
    *env.out << "no other petition about the same subjects\n";
  } else {
    PrintList(*env.out, resp.petitions());
  }
  return 0;
}

// Adds ID, --version and the subcommand's callback for a change command.
CLI::App* ChangeCommand(CLI::App* parent, const char* name, const char* help, PetitionArgs* a) {
  CLI::App* cmd = parent->add_subcommand(name, help);
  cmd->add_option("ID", a->change.id, "petition id (XF-YYYY-NNNNNN)")->required();
  cmd->add_option("--version", a->change.version,
                  "the version you last saw (default: read it now)");
  return cmd;
}

}  // namespace

std::shared_ptr<void> AddPetitionCommands(CLI::App& app, Env& env, Action& action) {
  auto holder = std::make_shared<PetitionArgs>();
  PetitionArgs* a = holder.get();
  CLI::App* petition = app.add_subcommand("petition", "petitions (信访举报)");
  petition->require_subcommand(1);

  CLI::App* reg = petition->add_subcommand("register", "register a petition (登记)");
  reg->add_option("--channel", a->reg.channel, "letter|visit|phone|online|higher|agency")
      ->required();
  reg->add_option("--category", a->reg.category,
                  "accusation|complaint|appeal|suggestion|out-of-scope|no-substance")
      ->required();
  reg->add_option("--received", a->reg.received, "date received, YYYY-MM-DD (default today)");
  AddPetitionFlags(reg, &a->reg.petition);
  reg->callback([&env, &action, a] { action = [&env, a] { return Register(env, a->reg); }; });

  CLI::App* show = petition->add_subcommand("show", "show a petition");
  show->add_option("ID", a->show_id, "petition id")->required();
  show->add_flag("--reveal-identity", a->reveal, "show the reporter's identity (an audit event)");
  show->callback(
      [&env, &action, a] { action = [&env, a] { return Show(env, a->show_id, a->reveal); }; });

  CLI::App* list = petition->add_subcommand("list", "list petitions (台账)");
  list->add_option("--state", a->list_state, "registered|accepted|escalated|...|closed");
  list->add_flag("--overdue", a->overdue, "only petitions with a deadline past due");
  list->add_option("--channel", a->list_channel, "channel");
  list->add_option("--category", a->list_category, "category");
  list->add_option("--from", a->list_from, "received on or after YYYY-MM-DD");
  list->add_option("--to", a->list_to, "received on or before YYYY-MM-DD");
  list->add_option("--unit", a->list_unit, "a subject's unit");
  list->add_option("--page-size", a->page_size, "rows per page (default 50, at most 500)");
  list->add_option("--page-token", a->page_token, "continue after this id");
  list->callback([&env, &action, a] { action = [&env, a] { return List(env, *a); }; });

  CLI::App* decide = ChangeCommand(petition, "decide", "decide how it is handled (处理方式)", a);
  decide
      ->add_option("--mode", a->change.mode,
                   "accept|escalate|transfer-down|assign-down|refer-out|archive|duplicate")
      ->required();
  decide->add_option("--reason", a->change.reason, "why")->required();
  decide->add_option("--to", a->change.to,
                     "the body it goes to (refer-out, transfer-down, assign-down)");
  decide->add_option("--due", a->change.due, "assign-down: result report due YYYY-MM-DD");
  decide->add_option("--duplicate-of", a->change.duplicate_of, "duplicate: the earlier petition");
  decide->callback([&env, &action, a] { action = [&env, a] { return Decide(env, a->change); }; });

  CLI::App* notify =
      ChangeCommand(petition, "notify", "record the acceptance notice (受理告知)", a);
  notify->add_option("--means", a->change.means, "letter|phone|in-person|sms|online|receipt")
      ->required();
  notify->add_option("--text", a->change.text, "what was said")->required();
  notify->add_option("--date", a->change.date, "YYYY-MM-DD (default today)");
  notify->callback([&env, &action, a] { action = [&env, a] { return Notify(env, a->change); }; });

  CLI::App* result =
      ChangeCommand(petition, "result", "record the result report of an assigned-down petition", a);
  result->add_option("--text", a->change.text, "the result reported")->required();
  result->add_option("--date", a->change.date, "YYYY-MM-DD (default today)");
  result->callback([&env, &action, a] { action = [&env, a] { return Result(env, a->change); }; });

  CLI::App* close = ChangeCommand(petition, "close", "conclude a petition (办结)", a);
  close->add_option("--conclusion", a->change.conclusion, "the conclusion")->required();
  close->add_option("--date", a->change.date, "YYYY-MM-DD (default today)");
  close->callback([&env, &action, a] { action = [&env, a] { return Close(env, a->change); }; });

  CLI::App* feedback =
      ChangeCommand(petition, "feedback", "record the result feedback (结果反馈)", a);
  feedback->add_option("--means", a->change.means, "letter|phone|in-person|sms|online|receipt")
      ->required();
  feedback->add_option("--text", a->change.text, "what was said (required the first time)");
  feedback->add_option("--date", a->change.date, "YYYY-MM-DD (default today)");
  feedback->add_option("--objection", a->change.objection, "the reporter's objection, if any");
  feedback->add_option("--answer", a->change.objection_answer,
                       "the answer to the reporter's last objection (异议答复)");
  feedback->callback(
      [&env, &action, a] { action = [&env, a] { return Feedback(env, a->change); }; });

  CLI::App* dups =
      petition->add_subcommand("duplicates", "other petitions about the same subjects");
  dups->add_option("ID", a->show_id, "petition id")->required();
  dups->callback(
      [&env, &action, a] { action = [&env, a] { return Duplicates(env, a->show_id); }; });

  return holder;
}

}  // namespace jijian::client
