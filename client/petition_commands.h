// `jijian petition ...` (registrars, case managers, leaders).
#ifndef JIJIAN_CLIENT_PETITION_COMMANDS_H_
#define JIJIAN_CLIENT_PETITION_COMMANDS_H_

#include <memory>

#include "client/cli_support.h"

namespace jijian::client {

// Registers the petition command tree; see AddAdminCommands for the contract.
std::shared_ptr<void> AddPetitionCommands(CLI::App& app, Env& env, Action& action);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_PETITION_COMMANDS_H_
