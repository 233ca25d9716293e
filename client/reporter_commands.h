// `jijian reporter --endpoint HOST:PORT --ca FILE submit|status|add|replies`: what a
// reporter (or a portal acting for one) does on the reporter port. No profile and no
// client certificate: the receipt code printed by `submit` is the only credential.
#ifndef JIJIAN_CLIENT_REPORTER_COMMANDS_H_
#define JIJIAN_CLIENT_REPORTER_COMMANDS_H_

#include <memory>

#include "client/cli_support.h"

namespace jijian::client {

// Registers the reporter command tree; see AddAdminCommands for the contract.
std::shared_ptr<void> AddReporterCommands(CLI::App& app, Env& env, Action& action);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_REPORTER_COMMANDS_H_
