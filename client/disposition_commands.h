// `jijian disposition ...` (四种形态), `jijian integrity-check` (廉政意见回复) and
// `jijian stats ...`.
#ifndef JIJIAN_CLIENT_DISPOSITION_COMMANDS_H_
#define JIJIAN_CLIENT_DISPOSITION_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <memory>

#include "client/cli_support.h"

namespace jijian::client {

// Registers the disposition, integrity-check and stats command trees; see AddAdminCommands
// for the contract.
std::shared_ptr<void> AddDispositionCommands(CLI::App& app, Env& env, Action& action);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_DISPOSITION_COMMANDS_H_
