#include "client/commands.h"

#include <memory>
#include <vector>

#include "client/admin_commands.h"
#include "client/audit_commands.h"
#include "client/case_commands.h"
#include "client/cli_support.h"
#include "client/disposition_commands.h"
#include "client/lead_commands.h"
#include "client/petition_commands.h"
#include "client/unseal_commands.h"
#include "client/reporter_commands.h"

namespace jijian::client {

int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Env env;
  env.out = &out;
  env.err = &err;
  CLI::App app{"jijian: staff client for petitions, leads, cases and the audit log (纪检)"};
  app.require_subcommand(1);
  app.add_option("--profile", env.profile_flag,
                 "client profile (default $JIJIAN_PROFILE, then ~/.config/jijian/profile.toml)");
  app.add_flag("--json", env.json, "print the response as protobuf JSON");

  Action action;
  // Each group keeps its parsed arguments alive until the action has run.
  std::vector<std::shared_ptr<void>> args;
  args.push_back(AddAdminCommands(app, env, action));
  args.push_back(AddAuditCommands(app, env, action));
  args.push_back(AddPetitionCommands(app, env, action));
  args.push_back(AddLeadCommands(app, env, action));
  args.push_back(AddCaseCommands(app, env, action));
  args.push_back(AddDispositionCommands(app, env, action));
  args.push_back(AddUnsealCommands(app, env, action));  // into petition and audit
  args.push_back(AddReporterCommands(app, env, action));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e, out, err);  // --help
    err << "jijian: " << e.what() << "\n";
    return 2;
  }
  if (!action) return 2;
  if (absl::Status st = env.reporter_port ? ConnectReporterPort(env) : Connect(env); !st.ok()) {
    return Report(env, st);
  }
  return action();
}

}  // namespace jijian::client
