// jijian: the staff command-line client.
#include <iostream>

#include "client/commands.h"

int main(int argc, char** argv) { return jijian::client::RunCli(argc, argv, std::cout, std::cerr); }
