// `jijian whoami` and `jijian admin ...`: users and certificates.
#ifndef JIJIAN_CLIENT_ADMIN_COMMANDS_H_
#define JIJIAN_CLIENT_ADMIN_COMMANDS_H_

#include <memory>

#include "client/cli_support.h"

namespace jijian::client {

// Registers whoami and the admin command tree on app; the chosen one is stored in action.
// Returns the storage the parsed arguments live in: keep it until the action has run.
std::shared_ptr<void> AddAdminCommands(CLI::App& app, Env& env, Action& action);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_ADMIN_COMMANDS_H_
