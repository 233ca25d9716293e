// `jijian petition unseal-request|unseal-approve|unseal-refuse` and `jijian audit
// unsealings`: identity unsealing under dual control.
#ifndef JIJIAN_CLIENT_UNSEAL_COMMANDS_H_
#define JIJIAN_CLIENT_UNSEAL_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <memory>

#include "client/cli_support.h"

namespace jijian::client {

// Adds the unseal commands to the existing `petition` and `audit` groups (register those
// first); see AddAdminCommands for the contract.
std::shared_ptr<void> AddUnsealCommands(CLI::App& app, Env& env, Action& action);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_UNSEAL_COMMANDS_H_
