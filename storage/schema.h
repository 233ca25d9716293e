// The database schema as an ordered list of forward migrations. The file's
// PRAGMA user_version is the number of migrations applied.
#ifndef JIJIAN_STORAGE_SCHEMA_H_
#define JIJIAN_STORAGE_SCHEMA_H_

#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "storage/db.h"

namespace jijian::storage {

struct Migration {
  int version;           // 1, 2, 3, ... in order
  std::string_view sql;  // statements that take version-1 to version
};

// Every migration, in order.
const std::vector<Migration>& Migrations();

// The schema version this build writes.
int LatestSchemaVersion();

// Applies every migration newer than the file's version, each in its own transaction.
// FAILED_PRECONDITION if the file is newer than this build understands.
absl::Status Migrate(Db& db);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_SCHEMA_H_
