#include "client/unseal_commands.h"

#include "absl/time/time.h"
#include "client/cli_parse.h"
#include "client/output.h"
#include "jijian/v1/unseal.grpc.pb.h"

namespace jijian::client {
namespace {

struct UnsealArgs {
  std::string petition, id, reason, state, page_token;
  int page_size = 0;
};

std::string When(int64_t micros) {
  if (micros == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M", absl::FromUnixMicros(micros),
                          absl::FixedTimeZone(8 * 3600));
}

std::string StateText(v1::UnsealState s) { return EnumFlag("UNSEAL_", v1::UnsealState_Name(s)); }

int Finish(Env& env, const grpc::Status& st, const v1::UnsealResponse& resp) {
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  const v1::UnsealRequest& u = resp.unseal();
  *env.out << "unseal request " << u.id() << " (" << StateText(u.state()) << ") for "
           << u.petition_id() << ", asked by " << u.requested_by() << " at "
           << When(u.requested_at_unix_micros()) << "\n";
  if (!u.reason().empty()) *env.out << "reason:   " << u.reason() << "\n";
  if (!u.decided_by().empty()) {
    *env.out << "decided:  by " << u.decided_by() << " at " << When(u.decided_at_unix_micros())
             << (u.decision_reason().empty() ? "" : " — " + u.decision_reason()) << "\n";
  }
  if (u.state() == v1::UNSEAL_APPROVED) {
    *env.out << "open to " << u.requested_by() << " until " << When(u.expires_at_unix_micros())
             << " (UTC+8): jijian petition show " << u.petition_id() << " --reveal-identity\n";
  }
  return 0;
}

int Decide(Env& env, const UnsealArgs& a, bool approve) {
  v1::DecideUnsealRequest req;
  req.set_request_id(NewRequestId());
  req.set_id(a.id);
  req.set_reason(a.reason);
  auto stub = v1::IdentityService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::UnsealResponse resp;
  return Finish(
      env, approve ? stub->ApproveUnseal(&ctx, req, &resp) : stub->RefuseUnseal(&ctx, req, &resp),
      resp);
}

int List(Env& env, const UnsealArgs& a) {
  v1::ListUnsealingsRequest req;
  req.set_petition_id(a.petition);
  if (!a.state.empty()) {
    v1::UnsealState state;
    if (!ParseEnumFlag("UNSEAL_", a.state, v1::UnsealState_Parse, &state))
      return Report(env, BadFlag("--state", "pending, approved, refused, expired"));
    req.set_state(state);
  }
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);
  auto stub = v1::IdentityService::NewStub(env.channel);
  grpc::ClientContext ctx;
  SetDeadline(ctx);
  v1::ListUnsealingsResponse resp;
  grpc::Status st = stub->ListUnsealings(&ctx, req, &resp);
  if (!st.ok()) return Report(env, st);
  if (env.json) {
    PrintJson(*env.out, resp);
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::UnsealRequest& u : resp.unsealings()) {
    rows.push_back({u.id(), u.petition_id(), StateText(u.state()), u.requested_by(),
                    When(u.requested_at_unix_micros()),
                    u.decided_by().empty() ? "-" : u.decided_by(), When(u.decided_at_unix_micros()),
                    When(u.expires_at_unix_micros()), std::to_string(u.views())});
  }
  PrintTable(
      *env.out,
      {"ID", "PETITION", "STATE", "ASKED BY", "ASKED", "DECIDED BY", "DECIDED", "EXPIRES", "VIEWS"},
      rows);
  if (!resp.next_page_token().empty())
    *env.out << "more: --page-token " << resp.next_page_token() << "\n";
  return 0;
}

}  // namespace

std::shared_ptr<void> AddUnsealCommands(CLI::App& app, Env& env, Action& action) {
  auto holder = std::make_shared<UnsealArgs>();
  UnsealArgs* a = holder.get();
  auto on = [&env, &action, a](CLI::App* cmd, std::function<int(Env&, UnsealArgs&)> run) {
    cmd->callback([&env, &action, a, run] { action = [&env, a, run] { return run(env, *a); }; });
  };
  CLI::App* petition = app.get_subcommand("petition");
  CLI::App* request = petition->add_subcommand(
      "unseal-request", "ask to see a reporter's identity (a leader must approve); prints the id");
  request->add_option("ID", a->petition, "petition id XF-YYYY-NNNNNN")->required();
  request->add_option("--reason", a->reason, "why the identity is needed")->required();
  on(request, [](Env& e, UnsealArgs& x) {
    v1::RequestUnsealRequest req;
    req.set_request_id(NewRequestId());
    req.set_petition_id(x.petition);
    req.set_reason(x.reason);
    auto stub = v1::IdentityService::NewStub(e.channel);
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    v1::UnsealResponse resp;
    return Finish(e, stub->RequestUnseal(&ctx, req, &resp), resp);
  });
  CLI::App* approve = petition->add_subcommand("unseal-approve",
                                               "approve an unseal request (leader; not your own)");
  approve->add_option("REQUEST-ID", a->id, "JM-YYYY-NNNNNN")->required();
  approve->add_option("--reason", a->reason, "a note");
  on(approve, [](Env& e, UnsealArgs& x) { return Decide(e, x, true); });
  CLI::App* refuse = petition->add_subcommand("unseal-refuse", "refuse an unseal request (leader)");
  refuse->add_option("REQUEST-ID", a->id, "JM-YYYY-NNNNNN")->required();
  refuse->add_option("--reason", a->reason, "why")->required();
  on(refuse, [](Env& e, UnsealArgs& x) { return Decide(e, x, false); });

  CLI::App* audit = app.get_subcommand("audit");
  CLI::App* list = audit->add_subcommand(
      "unsealings",
      "every identity unseal request and what became of it (no reasons for auditors)");
  list->add_option("--petition", a->petition, "only this petition");
  list->add_option("--state", a->state, "pending|approved|refused|expired");
  list->add_option("--page-size", a->page_size, "rows per page (default 50, at most 500)");
  list->add_option("--page-token", a->page_token, "from the previous page");
  on(list, [](Env& e, UnsealArgs& x) { return List(e, x); });
  return holder;
}

}  // namespace jijian::client
