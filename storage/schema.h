// The database schema as an ordered list of forward migrations. The file's
// PRAGMA user_version is the number of migrations applied.
#ifndef JIJIAN_STORAGE_SCHEMA_H_
#define JIJIAN_STORAGE_SCHEMA_H_

#include <cstdint>
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

// Numbers of an object id KIND-YYYY-N... run from 1 to kIdNumberSpan - 1 within a year.
inline constexpr int64_t kIdNumberSpan = 1'000'000'000;

// The id_order column (schema 10) of an object id KIND-YYYY-N...: year * kIdNumberSpan +
// number, so that ids order by year, then number, however many digits the number has.
// Takes an id as the services check it (server/domain/petition_validate.h); 0 for "", which
// orders before every id. Pure, thread-safe.
int64_t IdOrder(std::string_view id);

// Applies every migration newer than the file's version, each in its own transaction.
// FAILED_PRECONDITION if the file is newer than this build understands.
absl::Status Migrate(Db& db);

}  // namespace jijian::storage

#endif  // JIJIAN_STORAGE_SCHEMA_H_
