// Output helpers: aligned tables for people (CJK-aware widths) and protobuf JSON.
#ifndef JIJIAN_CLIENT_OUTPUT_H_
#define JIJIAN_CLIENT_OUTPUT_H_

#include <google/protobuf/message.h>

#include <ostream>
#include <string>
#include <vector>

#include "jijian/v1/petition.pb.h"

namespace jijian::client {

// Terminal columns a UTF-8 string takes (East Asian wide characters count two).
size_t DisplayWidth(const std::string& s);

// Prints rows under a header, columns padded to their widest cell.
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);

// Prints deadlines as a table: name, due date (provisional marked), open / overdue by N
// working days / met on a date (late marked).
void PrintDeadlines(std::ostream& out,
                    const google::protobuf::RepeatedPtrField<v1::Deadline>& deadlines);

// Prints message as protobuf JSON (indented), followed by a newline.
void PrintJson(std::ostream& out, const google::protobuf::Message& message);

}  // namespace jijian::client

#endif  // JIJIAN_CLIENT_OUTPUT_H_
