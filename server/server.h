// The running service: opens the store with the KEK, serves the staff port over mutual
// TLS with health checking and reflection, optionally the reporter port (server TLS only,
// ReporterService only), and drains in-flight calls on shutdown.
#ifndef JIJIAN_SERVER_SERVER_H_
#define JIJIAN_SERVER_SERVER_H_

#include <grpcpp/server.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/admin_service.h"
#include "server/audit_service.h"
#include "server/auth.h"
#include "server/case_service.h"
#include "server/disposition_service.h"
#include "server/identity_service.h"
#include "server/config.h"
#include "server/lead_service.h"
#include "server/petition_service.h"
#include "server/stats_service.h"
#include "server/pki.h"
#include "server/reporter_service.h"
#include "storage/store.h"

namespace jijian::server {

class JijianServer {
 public:
  // Opens everything config names and starts listening. A listen port of 0 picks a free
  // port (see port()).
  static absl::StatusOr<std::unique_ptr<JijianServer>> Start(const ServerConfig& config);

  ~JijianServer();
  JijianServer(const JijianServer&) = delete;
  JijianServer& operator=(const JijianServer&) = delete;

  // The bound staff port.
  int port() const { return port_; }
  // The bound reporter port; 0 when reporter_listen is empty.
  int reporter_port() const { return reporter_port_; }
  // Stops accepting calls, lets in-flight calls finish for up to grace, then cancels the
  // rest. Thread-safe; later calls do nothing.
  void Shutdown(absl::Duration grace);
  // Blocks until the server has shut down.
  void Wait();

  storage::Store& store() { return *store_; }

 private:
  JijianServer() = default;
  // Starts the second listener of config_.reporter_listen.
  absl::Status StartReporterPort(const std::string& server_cert, const std::string& server_key);

  ServerConfig config_;
  KeyAndCert ca_;
  domain::WorkCalendar calendar_;
  domain::MeasureTable measures_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<AdminServiceImpl> admin_;
  std::unique_ptr<AuditServiceImpl> audit_;
  std::unique_ptr<PetitionServiceImpl> petitions_;
  std::unique_ptr<ReporterServiceImpl> reporters_;
  std::unique_ptr<LeadServiceImpl> leads_;
  std::unique_ptr<CaseServiceImpl> cases_;
  std::unique_ptr<DispositionServiceImpl> dispositions_;
  std::unique_ptr<StatsServiceImpl> stats_;
  std::unique_ptr<IdentityServiceImpl> identity_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> reporter_server_;
  int port_ = 0;
  // Seals expired identity approvals again (an audit event each), every sweep_interval_.
  std::thread sweeper_;
  std::mutex sweep_mu_;
  std::condition_variable sweep_cv_;
  bool stopping_ = false;
  absl::Duration sweep_interval_ = absl::Seconds(30);
  void SweepLoop();
  int reporter_port_ = 0;
  std::once_flag shutdown_once_;
};

}  // namespace jijian::server

#endif  // JIJIAN_SERVER_SERVER_H_
