#include "server/backup.h"

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/config.h"
#include "server/rotate_kek.h"
#include "server/verify.h"
#include "storage/audit.h"
#include "storage/crypto.h"
#include "storage/db.h"
#include "storage/keyring.h"
#include "storage/store.h"

namespace jijian::server {
namespace {

namespace fs = std::filesystem;

// Runs PRAGMA integrity_check on the file at path (read-only) and reads its log size and
// newest signed head.
struct Checked {
  int64_t events = 0;
  storage::TreeHead head;
};

absl::StatusOr<Checked> CheckCopy(const std::string& path) {
  absl::StatusOr<std::unique_ptr<storage::Db>> db = storage::Db::Open(path, {.read_only = true});
  if (!db.ok()) return db.status();
  absl::StatusOr<storage::Stmt> q = (*db)->Prepare("PRAGMA integrity_check");
  if (!q.ok()) return q.status();
  absl::StatusOr<bool> row = q->Step();
  if (!row.ok()) return row.status();
  if (!*row || q->Text(0) != "ok") {
    return absl::DataLossError(
        absl::StrCat(path, ": integrity_check says ", *row ? q->Text(0) : std::string("nothing")));
  }
  Checked c;
  absl::StatusOr<int64_t> n = storage::AuditLogSize(**db);
  if (!n.ok()) return n.status();
  c.events = *n;
  absl::StatusOr<storage::TreeHead> head = storage::LatestTreeHead(**db);
  if (!head.ok()) return head.status();
  c.head = *head;
  return c;
}

std::string ConfigFor(const std::string& data_dir, const std::string& config_path) {
  return config_path.empty() ? ConfigPath(data_dir) : config_path;
}

// Moves path and its -wal/-shm companions to to (same suffixes); missing ones are skipped.
void MoveWithCompanions(const std::string& path, const std::string& to, std::error_code& ec) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    const std::string from = path + suffix;
    if (!fs::exists(from)) continue;
    fs::rename(from, to + suffix, ec);
    if (ec) return;
  }
}

}  // namespace

absl::StatusOr<BackupResult> Backup(const BackupOptions& options) {
  absl::StatusOr<ServerConfig> config =
      LoadConfig(ConfigFor(options.data_dir, options.config_path));
  if (!config.ok()) return config.status();
  BackupResult result;
  result.out_path = fs::absolute(options.out_path).lexically_normal().string();
  if (fs::exists(result.out_path)) {
    return absl::AlreadyExistsError("--out: " + result.out_path + " already exists");
  }
  {
    // A read snapshot of the live database (WAL mode: the server's writer carries on). The
    // connection is opened writable only because VACUUM INTO creates its target through it;
    // it writes nothing to the source.
    absl::StatusOr<std::unique_ptr<storage::Db>> db =
        storage::Db::Open(config->db_path, {.read_only = false, .create = false});
    if (!db.ok()) return db.status();
    absl::StatusOr<storage::Stmt> q = (*db)->Prepare("VACUUM INTO ?");
    if (!q.ok()) return q.status();
    q->Bind(result.out_path);
    if (absl::Status st = q->Run(); !st.ok()) {
      std::error_code ec;
      fs::remove(result.out_path, ec);
      return absl::Status(st.code(),
                          "backup into " + result.out_path + ": " + std::string(st.message()));
    }
  }
  fs::permissions(result.out_path, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  absl::StatusOr<Checked> checked = CheckCopy(result.out_path);
  if (!checked.ok()) {
    std::error_code ec;
    fs::remove(result.out_path, ec);
    return checked.status();
  }
  result.bytes = static_cast<int64_t>(fs::file_size(result.out_path));
  result.audit_events = checked->events;
  result.head_size = checked->head.tree_size;
  result.head_root_hex = storage::ToHex(checked->head.root);
  return result;
}

absl::StatusOr<RestoreResult> Restore(const RestoreOptions& options) {
  const std::string config_path = ConfigFor(options.data_dir, options.config_path);
  absl::StatusOr<ServerConfig> config = LoadConfig(config_path);
  if (!config.ok()) return config.status();
  if (SomethingListens(config->listen)) {
    return absl::FailedPreconditionError("a server answers on " + config->listen +
                                         "; stop it before restoring");
  }
  if (!fs::exists(options.from_path)) {
    return absl::NotFoundError("--from: " + options.from_path + " does not exist");
  }
  absl::StatusOr<Checked> checked = CheckCopy(options.from_path);
  if (!checked.ok()) return checked.status();
  absl::StatusOr<storage::Kek> kek = storage::Kek::Load(config->kek_path);
  if (!kek.ok()) return kek.status();

  RestoreResult result;
  result.db_path = config->db_path;
  std::error_code ec;
  if (fs::exists(config->db_path)) {
    result.set_aside =
        absl::StrCat(config->db_path, ".before-restore-", absl::ToUnixSeconds(absl::Now()));
    MoveWithCompanions(config->db_path, result.set_aside, ec);
    if (ec) return absl::InternalError("cannot move the current database aside: " + ec.message());
  }
  // Undoes everything from here on when a check fails.
  auto roll_back = [&](absl::Status why) -> absl::Status {
    std::error_code ignore;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(config->db_path + suffix, ignore);
    if (!result.set_aside.empty()) MoveWithCompanions(result.set_aside, config->db_path, ignore);
    return absl::Status(why.code(),
                        "restore refused, nothing changed: " + std::string(why.message()));
  };
  fs::copy_file(options.from_path, config->db_path, ec);
  if (ec) return roll_back(absl::InternalError("copy: " + ec.message()));
  fs::permissions(config->db_path, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace, ec);
  {
    // The deployment's KEK must open the copy's data keys (a backup of another
    // deployment, or one wrapped under a KEK since rotated away, does not).
    absl::StatusOr<std::unique_ptr<storage::Store>> store =
        storage::Store::Open({.path = config->db_path}, *kek);
    if (!store.ok()) return roll_back(store.status());
  }
  absl::StatusOr<VerifyReport> report =
      VerifyAuditLog({.data_dir = options.data_dir, .audit_key_hex = ""});
  if (!report.ok()) return roll_back(report.status());
  if (!report->problems.empty()) {
    return roll_back(
        absl::DataLossError("the backup's audit log does not verify: " + report->problems.front()));
  }
  result.audit_events = checked->events;
  result.head_size = report->newest_size;
  result.head_root_hex = report->newest_root_hex;
  return result;
}

}  // namespace jijian::server
