// jijian-server: `init` creates a deployment; without a subcommand it serves one.
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "server/config.h"
#include "server/init.h"
#include "server/backup.h"
#include "server/rotate_kek.h"
#include "server/server.h"
#include "server/verify.h"

namespace {

int Fail(const absl::Status& st) {
  std::cerr << "jijian-server: " << st.message() << "\n";
  return 1;
}

// Serves until SIGTERM or SIGINT, then drains in-flight calls and exits 0.
int Serve(const std::string& config_path) {
  absl::StatusOr<jijian::server::ServerConfig> config = jijian::server::LoadConfig(config_path);
  if (!config.ok()) return Fail(config.status());
  // Block the signals in every thread; one thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::StatusOr<std::unique_ptr<jijian::server::JijianServer>> server =
      jijian::server::JijianServer::Start(*config);
  if (!server.ok()) return Fail(server.status());
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("jijian-server received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    (*server)->Shutdown(absl::Seconds(10));
  });
  (*server)->Wait();
  waiter.join();
  server->reset();
  spdlog::info("jijian-server stopped cleanly");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Everything the server creates (database, WAL, keys) is private to its user.
  ::umask(077);
#ifdef NDEBUG
  // Abseil's lock-order graph is checked on every lock in Debian's build; debug builds
  // (and the tests) keep it, optimised servers do not pay for it on every call.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  CLI::App app{"jijian-server: discipline inspection petitions, leads and cases (纪检)"};
  std::string data_dir = "./var";
  std::string config_path;
  app.add_option("--data", data_dir, "data folder (default ./var)");
  app.add_option("--config", config_path, "configuration file (default DATA/server.toml)");

  jijian::server::InitOptions init;
  CLI::App* init_cmd = app.add_subcommand("init", "create a new deployment in a new folder");
  init_cmd->add_option("--data", init.data_dir, "data folder to create")->required();
  init_cmd->add_option("--listen", init.listen, "staff port address HOST:PORT")
      ->default_str("127.0.0.1:7443");
  init_cmd->add_option("--reporter-listen", init.reporter_listen,
                       "reporter port address HOST:PORT (server TLS only; default: off)");
  init_cmd->add_option("--kek", init.kek_path,
                       "where to create the key-encryption key (default DATA/keys/kek.key)");
  jijian::server::VerifyOptions verify;
  CLI::App* verify_cmd =
      app.add_subcommand("verify", "check the audit log offline, on the files (read-only)");
  verify_cmd->add_option("--data", verify.data_dir, "data folder of the deployment")->required();
  verify_cmd->add_option("--audit-key", verify.audit_key_hex,
                         "audit public key, hex (default: derived from the KEK if readable)");
  jijian::server::RotateKekOptions rotate;
  CLI::App* rotate_cmd = app.add_subcommand(
      "rotate-kek", "rewrap every data key under a new key-encryption key (server stopped)");
  rotate_cmd->add_option("--data", rotate.data_dir, "data folder of the deployment")->required();
  rotate_cmd->add_option("--config", rotate.config_path,
                         "configuration file (default DATA/server.toml)");
  rotate_cmd
      ->add_option("--new-kek", rotate.new_kek_path,
                   "where to create the new KEK (must not exist; created random, mode 0600)")
      ->required();
  jijian::server::RotateDekOptions dek;
  CLI::App* dek_cmd = app.add_subcommand(
      "rotate-dek",
      "replace a data key and reseal every stored value under the new one (server stopped; "
      "while serving use `jijian admin key rotate`)");
  dek_cmd->add_option("--data", dek.data_dir, "data folder of the deployment")->required();
  dek_cmd->add_option("--config", dek.config_path, "configuration file (default DATA/server.toml)");
  dek_cmd->add_option("--domain", dek.domain, "identity|content|index")->required();
  jijian::server::BackupOptions backup;
  CLI::App* backup_cmd = app.add_subcommand(
      "backup", "consistent copy of the database while the server serves (still encrypted)");
  backup_cmd->add_option("--data", backup.data_dir, "data folder of the deployment")->required();
  backup_cmd->add_option("--config", backup.config_path,
                         "configuration file (default DATA/server.toml)");
  backup_cmd->add_option("--out", backup.out_path, "file to write (must not exist)")->required();
  jijian::server::RestoreOptions restore;
  CLI::App* restore_cmd = app.add_subcommand(
      "restore", "put a backup back in place of the database (server stopped; checked first)");
  restore_cmd->add_option("--data", restore.data_dir, "data folder of the deployment")
      ->required();
  restore_cmd->add_option("--config", restore.config_path,
                          "configuration file (default DATA/server.toml)");
  restore_cmd->add_option("--from", restore.from_path, "a file made by backup")->required();
  CLI11_PARSE(app, argc, argv);

  if (backup_cmd->parsed()) {
    absl::StatusOr<jijian::server::BackupResult> result = jijian::server::Backup(backup);
    if (!result.ok()) return Fail(result.status());
    std::cout << "backup " << result->out_path << " (" << result->bytes << " bytes)\n"
              << "  audit log: " << result->audit_events << " events; newest signed head size "
              << result->head_size << ", root " << result->head_root_hex << "\n"
              << "  sealed columns stay sealed; the KEK is not in it: keep the KEK apart\n";
    return 0;
  }
  if (restore_cmd->parsed()) {
    absl::StatusOr<jijian::server::RestoreResult> result = jijian::server::Restore(restore);
    if (!result.ok()) return Fail(result.status());
    std::cout << "restored " << result->db_path << "\n"
              << "  audit log: " << result->audit_events << " events, verified; head size "
              << result->head_size << ", root " << result->head_root_hex << "\n";
    if (!result->set_aside.empty())
      std::cout << "  the database it replaced: " << result->set_aside << "\n";
    return 0;
  }
  if (dek_cmd->parsed()) {
    absl::StatusOr<jijian::server::RotateDekResult> result = jijian::server::RotateDek(dek);
    if (!result.ok()) return Fail(result.status());
    std::cout << "data key " << result->key_id << " is now the " << dek.domain << " key\n"
              << (dek.domain == "index" ? "  carried forward: " : "  resealed:  ")
              << result->resealed << (dek.domain == "index" ? " stored digests\n" : " stored values\n")
              << "  replaced:  " << result->replaced_key_id
              << " (kept in the keyring: backups made before now need it)\n";
    return 0;
  }
  if (rotate_cmd->parsed()) {
    absl::StatusOr<jijian::server::RotateKekResult> result = jijian::server::RotateKek(rotate);
    if (!result.ok()) return Fail(result.status());
    std::cout << "rewrapped every data key under KEK " << result->new_kek_id << "\n"
              << "  new KEK:       " << result->new_kek_path << "\n"
              << "  configuration: " << result->config_path << " (kek updated)\n"
              << "  old KEK:       " << result->old_kek_path
              << " no longer opens the database: destroy it and every copy (e.g. shred -u)\n";
    return 0;
  }

  if (verify_cmd->parsed()) return jijian::server::RunVerify(verify, std::cout, std::cerr);
  if (init_cmd->parsed()) {
    absl::StatusOr<jijian::server::InitResult> result = jijian::server::InitDeployment(init);
    if (!result.ok()) return Fail(result.status());
    std::cout << "created deployment in " << init.data_dir << "\n"
              << "  configuration:    " << result->config_path << "\n"
              << "  admin profile:    " << result->admin_profile_path << "\n"
              << "  audit public key: " << result->audit_public_key_hex << "\n";
    return 0;
  }
  if (config_path.empty()) config_path = jijian::server::ConfigPath(data_dir);
  return Serve(config_path);
}
