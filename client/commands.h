// The `jijian` command line: parses arguments, calls the server, prints a table (or
// protobuf JSON with --json). Errors are one line on err and a non-zero exit code.
#ifndef JIJIAN_CLIENT_COMMANDS_H_
#define JIJIAN_CLIENT_COMMANDS_H_

#include <ostream>

namespace jijian::client {

// Runs the CLI; returns the process exit code (0 ok, 1 error, 2 usage).
int RunCli(int argc, char** argv, std::ostream& out, std::ostream& err);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_COMMANDS_H_
