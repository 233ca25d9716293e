// `jijian lead ...`, `jijian my` and `jijian recusal ...`: the problem-lead ledger.
#ifndef JIJIAN_CLIENT_LEAD_COMMANDS_H_
#define JIJIAN_CLIENT_LEAD_COMMANDS_H_

#include <memory>

#include "client/cli_support.h"

namespace jijian::client {

// Registers the lead, my and recusal command trees; see AddAdminCommands for the contract.
std::shared_ptr<void> AddLeadCommands(CLI::App& app, Env& env, Action& action);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_LEAD_COMMANDS_H_
