// `jijian audit ...`: signed tree heads, events, proofs, timelines, and the auditor's
// verification of them against the profile's pinned audit key (client/audit_verify.h).
#ifndef JIJIAN_CLIENT_AUDIT_COMMANDS_H_
#define JIJIAN_CLIENT_AUDIT_COMMANDS_H_

#include <google/protobuf/message.h>

#include <memory>
#include <ostream>

#include "client/cli_support.h"

namespace jijian::client {

// Registers the audit command tree on app; the chosen command is stored in action.
// Returns the storage the parsed arguments live in: keep it until the action has run.
std::shared_ptr<void> AddAuditCommands(CLI::App& app, Env& env, Action& action);

// Prints message as protobuf JSON (proto field names, int64 as strings, default values
// omitted), except that bytes fields are lowercase hex, other than fields named "leaf"
// (canonical event bytes), which stay base64 as protobuf JSON prints them.
void PrintAuditJson(std::ostream& out, const google::protobuf::Message& message);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_AUDIT_COMMANDS_H_
