// `jijian-server backup` and `restore` (issue 8): a consistent copy of the database taken
// while the server serves writes, and bringing one back into a stopped deployment. The copy
// is the database itself: every sealed column stays sealed, the data keys stay wrapped under
// the KEK (which is not in it), and its audit log verifies on its own.
#ifndef JIJIAN_SERVER_BACKUP_H_
#define JIJIAN_SERVER_BACKUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace jijian::server {

struct BackupOptions {
  std::string data_dir;
  std::string config_path;  // empty: DATA/server.toml
  std::string out_path;     // must not exist; written with mode 0600
};

struct BackupResult {
  std::string out_path;
  int64_t bytes = 0;
  int64_t audit_events = 0;   // the log's size in the copy
  int64_t head_size = 0;      // the newest signed head in the copy
  std::string head_root_hex;  // its root: note it with the backup
};

// Copies the live database (a read snapshot, so writers carry on) into out_path with
// `VACUUM INTO`, then checks the copy (PRAGMA integrity_check) and reads its newest signed
// tree head. ALREADY_EXISTS if out_path exists; the partial file is removed on failure.
absl::StatusOr<BackupResult> Backup(const BackupOptions& options);

struct RestoreOptions {
  std::string data_dir;
  std::string config_path;  // empty: DATA/server.toml
  std::string from_path;    // a file made by Backup
};

struct RestoreResult {
  std::string db_path;    // now the restored copy
  std::string set_aside;  // where the database it replaced was moved ("" if there was none)
  int64_t audit_events = 0;
  int64_t head_size = 0;
  std::string head_root_hex;
};

// Brings a backup back into a stopped deployment: checks the file (integrity_check), that
// the deployment's KEK opens its data keys and that its audit log verifies against the
// deployment's audit key, then moves the current database (and its WAL) aside and puts the
// copy in its place. FAILED_PRECONDITION if a server answers on the staff port; nothing
// changes on any failure.
absl::StatusOr<RestoreResult> Restore(const RestoreOptions& options);

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_BACKUP_H_
