// Recusal (回避): who may not handle a lead, and declaring a conflict.
#ifndef JIJIAN_SERVER_RECUSAL_H_
#define JIJIAN_SERVER_RECUSAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "server/lead_codec.h"
#include "storage/store.h"
#include "storage/users.h"

namespace jijian::server {

// Why user may not handle the lead of record ("" if they may): their name matches a subject
// or the reporter of the lead's petition, or they declared a conflict about a subject (by ID
// number) or about the petition's reporter. The reason never names the subject.
absl::StatusOr<std::string> RecusalConflict(storage::WriteTxn& txn, const LeadRecord& record,
                                            const storage::UserRecord& user);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_RECUSAL_H_
