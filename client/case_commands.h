// `jijian case ...`: filing, investigation, review, decisions, execution, closure.
#ifndef JIJIAN_CLIENT_CASE_COMMANDS_H_
#define JIJIAN_CLIENT_CASE_COMMANDS_H_

#include <memory>

#include "client/cli_support.h"

namespace jijian::client {

// Registers the case command tree; see AddAdminCommands for the contract.
std::shared_ptr<void> AddCaseCommands(CLI::App& app, Env& env, Action& action);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_CASE_COMMANDS_H_
