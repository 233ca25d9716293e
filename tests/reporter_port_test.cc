// The reporter port (issue 7) through a real server with the port on 127.0.0.1:0, server TLS
// only, and the real `jijian reporter` binary: submission and follow-up by receipt code,
// nothing of the staff API reachable, per-peer rate limits, bounded message sizes.
#include <grpcpp/generic/generic_stub.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <regex>
#include <thread>

#include "client/profile.h"
#include "jijian/v1/admin.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"
#include "server/config.h"
#include "server/init.h"
#include "server/pki.h"
#include "server/server.h"
#include "storage/audit.h"
#include "tests/test_server.h"

namespace jijian::testing {
namespace {

constexpr char kIdNumber[] = "11010519491231002X";  // valid GB 11643 sample
// A request id long enough for the portal (at least 32 characters).
constexpr char kLongId[] = "0123456789abcdef0123456789abcdef";

grpc::Status CallEmpty(const std::shared_ptr<grpc::Channel>& channel, const std::string& method) {
  grpc::GenericStub stub(channel);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&](grpc::Status st) { done.set_value(st); });
  return done.get_future().get();
}

int64_t AuditLogSize(TestDeployment& d) {
  return *d.server().store().Read<int64_t>(
      [](storage::Db& db) { return storage::AuditLogSize(db); });
}

v1::SubmitPetitionRequest Submission(const std::string& request_id) {
  v1::SubmitPetitionRequest req;
  req.set_request_id(request_id);
  req.set_category(v1::CATEGORY_ACCUSATION);
  req.set_anonymous(true);
  v1::Subject* s = req.add_subjects();
  s->set_name("王五");
  s->set_unit("某县交通局");
  s->set_rank("section");
  req.set_summary("反映王五违规收受购物卡");
  req.set_content("门户举报正文");
  return req;
}


// The certificate a port presents in a real TLS handshake (OpenSSL, h2 offered), as its
// SHA-256 fingerprint; the client presents `client` (the staff port requires one). Empty if
// the handshake fails.
std::string PresentedFingerprint(int port, const client::Profile& client) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(SSL_CTX_new(TLS_client_method()),
                                                        SSL_CTX_free);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);  // we only look at what is shown
  static const unsigned char kAlpn[] = {2, 'h', '2'};
  SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof(kAlpn));
  std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
      BIO_new_mem_buf(client.key_pem.data(), static_cast<int>(client.key_pem.size())), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(
      BIO_new_mem_buf(client.cert_pem.data(), static_cast<int>(client.cert_pem.size())),
      BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr);
  X509* cert = PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr);
  EXPECT_NE(key, nullptr);
  EXPECT_NE(cert, nullptr);
  SSL_CTX_use_certificate(ctx.get(), cert);
  SSL_CTX_use_PrivateKey(ctx.get(), key);
  X509_free(cert);
  EVP_PKEY_free(key);
  std::unique_ptr<BIO, decltype(&BIO_free_all)> bio(BIO_new_ssl_connect(ctx.get()), BIO_free_all);
  const std::string target = "127.0.0.1:" + std::to_string(port);
  BIO_set_conn_hostname(bio.get(), target.c_str());
  SSL* ssl = nullptr;
  BIO_get_ssl(bio.get(), &ssl);
  SSL_set_tlsext_host_name(ssl, "localhost");
  if (BIO_do_connect(bio.get()) <= 0 || BIO_do_handshake(bio.get()) <= 0) {
    ERR_clear_error();
    return "";
  }
  X509* peer = SSL_get1_peer_certificate(ssl);
  if (peer == nullptr) return "";
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(out.get(), peer);
  X509_free(peer);
  char* data = nullptr;
  const long length = BIO_get_mem_data(out.get(), &data);
  absl::StatusOr<server::CertInfo> info = server::InspectCert(std::string(data, length));
  return info.ok() ? info->fingerprint_sha256 : "";
}

std::string FileFingerprint(const std::string& path) {
  absl::StatusOr<server::CertInfo> info = server::InspectCert(ReadFile(path));
  EXPECT_TRUE(info.ok()) << path << ": " << info.status();
  return info.ok() ? info->fingerprint_sha256 : "";
}

// True when the PEM certificate names host among its subjectAltNames.
bool Names(const std::string& cert_pem, const std::string& host) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())), BIO_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  EXPECT_NE(cert, nullptr);
  return cert != nullptr && X509_check_host(cert.get(), host.data(), host.size(), 0, nullptr) == 1;
}

class ReporterPortTest : public ::testing::Test {
 protected:
  void SetUp() override {
    deploy_ = TestDeployment::Start();
    ASSERT_NE(deploy_, nullptr);
    ASSERT_NE(deploy_->server().reporter_port(), 0);
    ASSERT_NE(deploy_->server().reporter_port(), deploy_->server().port());
  }
  CommandResult Reporter(std::vector<std::string> args) {
    std::vector<std::string> full = {"reporter", "--endpoint", deploy_->reporter_address(), "--ca",
                                     deploy_->ca_path()};
    full.insert(full.end(), args.begin(), args.end());
    return RunBinary("jijian", full);
  }

  std::unique_ptr<TestDeployment> deploy_;
};

TEST_F(ReporterPortTest, SubmitAndFollowUpWithTheReceiptFromTheCommandLine) {
  const int64_t before = AuditLogSize(*deploy_);
  CommandResult submit =
      Reporter({"submit", "--anonymous", "--subject", "name=李四,unit=某县财政局,rank=section",
                "--discipline", "integrity", "--summary", "反映李四收受礼金", "--content",
                "门户提交的举报内容"});
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(submit.out, m, std::regex("submitted (XF-\\d{4}-\\d{6})")))
      << submit.out;
  const std::string id = m[1];
  ASSERT_TRUE(std::regex_search(submit.out, m, std::regex("receipt code: ([0-9A-Z-]{23})")))
      << submit.out;
  const std::string receipt = m[1];

  // The staff path sees an ordinary online petition registered by the portal, not a person.
  auto staff = v1::PetitionService::NewStub(deploy_->Channel(deploy_->AddUser("reg", "registrar")));
  v1::GetPetitionRequest get;
  get.set_id(id);
  v1::GetPetitionResponse got;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(staff->GetPetition(&ctx, get, &got).ok());
  }
  EXPECT_EQ(got.petition().channel(), v1::CHANNEL_ONLINE);
  EXPECT_TRUE(got.petition().anonymous());
  EXPECT_EQ(got.petition().content(), "门户提交的举报内容");
  EXPECT_EQ(got.petition().registered_by(), "reporter-portal");
  std::vector<storage::AuditEvent> events =
      *deploy_->server().store().Read<std::vector<storage::AuditEvent>>(
          [&](storage::Db& db) { return storage::ReadAuditEvents(db, before, before + 1); });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "petition.register");
  EXPECT_EQ(events[0].actor, "reporter-portal");
  EXPECT_TRUE(events[0].cert_fingerprint.empty());

  CommandResult status = Reporter({"status", "--receipt", receipt});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("status:   received"), std::string::npos) << status.out;
  CommandResult none = Reporter({"replies", "--receipt", receipt});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("no replies yet"), std::string::npos) << none.out;

  // A registrar answers through the receipt; the reporter reads it and adds material.
  v1::NotifyReporterRequest notify;
  notify.set_request_id("notify-portal-1");
  notify.set_id(id);
  notify.set_expected_version(got.petition().version());
  notify.set_means("receipt");
  notify.set_text("已收到，正在办理");
  {
    grpc::ClientContext ctx;
    v1::PetitionResponse resp;
    ASSERT_TRUE(staff->NotifyReporter(&ctx, notify, &resp).ok());
  }
  CommandResult replies = Reporter({"replies", "--receipt", receipt});
  ASSERT_EQ(replies.exit_code, 0) << replies.err;
  EXPECT_NE(replies.out.find("acceptance_notice"), std::string::npos) << replies.out;
  EXPECT_NE(replies.out.find("已收到，正在办理"), std::string::npos) << replies.out;
  EXPECT_EQ(replies.out.find("reg"), std::string::npos) << replies.out;  // no staff names

  CommandResult add = Reporter({"add", "--receipt", receipt, "--text", "补充：转账截图"});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  EXPECT_NE(add.out.find("material added"), std::string::npos) << add.out;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(staff->GetPetition(&ctx, get, &got).ok());
  }
  bool found = false;
  for (const v1::PetitionMessage& msg : got.petition().messages()) {
    if (msg.kind() == "material" && msg.text() == "补充：转账截图") found = true;
  }
  EXPECT_TRUE(found);

  CommandResult wrong = Reporter({"status", "--receipt", "22222-33333-44444-55555"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("NOT_FOUND: no petition matches this receipt code"), std::string::npos)
      << wrong.err;
}

TEST_F(ReporterPortTest, RealNameSubmissionIsSealedLikeTheStaffPath) {
  CommandResult submit =
      Reporter({"submit", "--category", "complaint", "--reporter-name", "张三", "--reporter-id",
                kIdNumber, "--reporter-phone", "13800000000", "--subject",
                "name=赵六,unit=某乡政府", "--summary", "实名控告", "--content", "正文"});
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_EQ(submit.out.find("张三"), std::string::npos) << submit.out;
  auto staff = v1::PetitionService::NewStub(deploy_->Channel(deploy_->AddUser("reg", "registrar")));
  v1::GetPetitionRequest get;
  get.set_id("XF-" + submit.out.substr(submit.out.find("XF-") + 3, 11));
  v1::GetPetitionResponse got;
  grpc::ClientContext ctx;
  ASSERT_TRUE(staff->GetPetition(&ctx, get, &got).ok());
  EXPECT_FALSE(got.petition().anonymous());
  EXPECT_TRUE(got.petition().identity_redacted());
  EXPECT_EQ(got.petition().category(), v1::CATEGORY_COMPLAINT);
  // The acceptance-notice deadline of a real-name petition applies as on the staff path.
  bool notice = false;
  for (const v1::Deadline& d : got.petition().deadlines())
    notice |= d.name() == "acceptance_notice";
  EXPECT_TRUE(notice);
}

TEST_F(ReporterPortTest, BadSubmissionsNameTheFieldAndWriteNothing) {
  auto stub = v1::ReporterService::NewStub(deploy_->ReporterChannel());
  const int64_t before = AuditLogSize(*deploy_);
  auto submit = [&](const v1::SubmitPetitionRequest& req) {
    grpc::ClientContext ctx;
    v1::SubmitPetitionResponse resp;
    grpc::Status st = stub->SubmitPetition(&ctx, req, &resp);
    EXPECT_TRUE(resp.receipt_code().empty());
    return st;
  };
  grpc::Status st = submit(Submission("short-id"));
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("request_id"), std::string::npos) << st.error_message();
  v1::SubmitPetitionRequest scope = Submission(kLongId);
  scope.set_category(v1::CATEGORY_OUT_OF_SCOPE);
  st = submit(scope);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("category"), std::string::npos) << st.error_message();
  v1::SubmitPetitionRequest named = Submission(kLongId);
  named.mutable_reporter()->set_name("张三");  // and anonymous
  st = submit(named);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(st.error_message().find("reporter"), std::string::npos) << st.error_message();
  EXPECT_EQ(st.error_message().find("张三"), std::string::npos) << st.error_message();
  v1::SubmitPetitionRequest no_subject = Submission(kLongId);
  no_subject.clear_subjects();
  EXPECT_EQ(submit(no_subject).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(AuditLogSize(*deploy_), before);
}

TEST_F(ReporterPortTest, NothingOfTheStaffApiIsReachable) {
  auto reporter = deploy_->ReporterChannel();
  for (const char* rpc :
       {"/jijian.v1.AdminService/WhoAmI", "/jijian.v1.AdminService/AddUser",
        "/jijian.v1.PetitionService/ListPetitions", "/jijian.v1.PetitionService/RegisterPetition",
        "/jijian.v1.LeadService/ListLeads", "/jijian.v1.AuditService/GetEvents"}) {
    EXPECT_EQ(CallEmpty(reporter, rpc).error_code(), grpc::StatusCode::UNIMPLEMENTED) << rpc;
  }
  // Presenting a valid staff certificate changes nothing there.
  client::Profile admin = *client::LoadProfile(deploy_->admin_profile());
  admin.server = deploy_->reporter_address();
  EXPECT_EQ(
      CallEmpty(TestDeployment::Channel(admin), "/jijian.v1.AdminService/WhoAmI").error_code(),
      grpc::StatusCode::UNIMPLEMENTED);
  // Reflection, on by default in the process, is removed from this port.
  EXPECT_EQ(CallEmpty(reporter, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  // And the reporter service is not on the staff port.
  EXPECT_EQ(CallEmpty(deploy_->Channel(deploy_->admin_profile()),
                      "/jijian.v1.ReporterService/CheckStatus")
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  // Without a client certificate, the staff port refuses the handshake or the call.
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadFile(deploy_->ca_path());
  auto anonymous_staff = grpc::CreateChannel(deploy_->address(), grpc::SslCredentials(tls));
  EXPECT_NE(CallEmpty(anonymous_staff, "/jijian.v1.PetitionService/ListPetitions").error_code(),
            grpc::StatusCode::OK);
}

TEST_F(ReporterPortTest, EachPortPresentsACertificateAndKeyOfItsOwn) {
  const std::string pki = deploy_->data_dir() + "/pki/";
  const client::Profile admin = *client::LoadProfile(deploy_->admin_profile());
  const std::string staff = PresentedFingerprint(deploy_->server().port(), admin);
  const std::string portal = PresentedFingerprint(deploy_->server().reporter_port(), admin);
  ASSERT_FALSE(staff.empty());
  ASSERT_FALSE(portal.empty());
  EXPECT_EQ(staff, FileFingerprint(pki + "server.crt"));
  EXPECT_EQ(portal, FileFingerprint(pki + "reporter.crt"));
  EXPECT_NE(staff, portal);
  // Not the same key under two certificates: the portal's key opens nothing of the staff port.
  EXPECT_NE(ReadFile(pki + "reporter.key"), ReadFile(pki + "server.key"));
  EXPECT_FALSE(server::CheckKeyPair(ReadFile(pki + "server.crt"), ReadFile(pki + "reporter.key"),
                                    "server.crt", "reporter.key")
                   .ok());
  // Both chain to the deployment CA, which the reporter command is given.
  for (const char* cert : {"server.crt", "reporter.crt"}) {
    EXPECT_TRUE(server::VerifyCertAgainstCa(ReadFile(deploy_->ca_path()), ReadFile(pki + cert),
                                            absl::Now())
                    .ok())
        << cert;
  }
  EXPECT_EQ(ReadFile(pki + "reporter.key").find("PRIVATE KEY"), 11u);  // "-----BEGIN PRIVATE KEY"
  EXPECT_EQ(std::filesystem::status(pki + "reporter.key").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(ReporterPortCertificateTest, InitNamesEachHostOnlyInItsOwnPortsCertificate) {
  const std::string dir = NewTempPath("init-hosts");
  absl::StatusOr<server::InitResult> init =
      server::InitDeployment({.data_dir = dir,
                              .listen = "staff.internal.example:7443",
                              .kek_path = "",
                              .reporter_listen = "jubao.example.org:443"});
  ASSERT_TRUE(init.ok()) << init.status();
  const std::string staff = ReadFile(dir + "/pki/server.crt");
  const std::string portal = ReadFile(dir + "/pki/reporter.crt");
  EXPECT_TRUE(Names(staff, "staff.internal.example"));
  EXPECT_FALSE(Names(staff, "jubao.example.org"));
  EXPECT_TRUE(Names(portal, "jubao.example.org"));
  // The public sees the portal's certificate: it must not reveal the staff host's name.
  EXPECT_FALSE(Names(portal, "staff.internal.example"));
  absl::StatusOr<server::ServerConfig> config = server::LoadConfig(server::ConfigPath(dir));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->reporter_cert_path, dir + "/pki/reporter.crt");
  EXPECT_EQ(config->reporter_key_path, dir + "/pki/reporter.key");
  std::filesystem::remove_all(dir);

  // A host name longer than a common name may be (64 bytes) is still a subjectAltName.
  const std::string long_host = std::string(70, 'p') + ".example.org";
  const std::string long_dir = NewTempPath("init-long-host");
  ASSERT_TRUE(server::InitDeployment({.data_dir = long_dir,
                                      .listen = "127.0.0.1:0",
                                      .kek_path = "",
                                      .reporter_listen = long_host + ":443"})
                  .ok());
  EXPECT_TRUE(Names(ReadFile(long_dir + "/pki/reporter.crt"), long_host));
  std::filesystem::remove_all(long_dir);

  // Without a reporter port there is no portal certificate.
  const std::string plain = NewTempPath("init-plain");
  ASSERT_TRUE(server::InitDeployment({.data_dir = plain}).ok());
  EXPECT_FALSE(std::filesystem::exists(plain + "/pki/reporter.crt"));
  config = server::LoadConfig(server::ConfigPath(plain));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->reporter_cert_path.empty());
  std::filesystem::remove_all(plain);
}

TEST(ReporterPortCertificateTest, ACertificateFromAnotherCaServesReportersWhoTrustThatCa) {
  // The portal's certificate from a public CA (made here), the staff port's from the
  // deployment CA: each side's clients trust only their own.
  const std::string public_ca = NewTempPath("public-ca") + ".crt";
  struct RemoveAtEnd {
    std::string path;
    ~RemoveAtEnd() { std::filesystem::remove(path); }
  } remove_public_ca{public_ca};
  std::string portal_cert;
  std::unique_ptr<TestDeployment> deploy =
      TestDeployment::Start([&](server::ServerConfig& c) {
        const std::string dir = std::filesystem::path(c.db_path).parent_path().parent_path();
        c.reporter_cert_path = dir + "/pki/portal-public.crt";
        c.reporter_key_path = dir + "/pki/portal-public.key";
        if (!portal_cert.empty()) return;  // the files are made once, kept across restarts
        absl::StatusOr<server::KeyAndCert> ca = server::CreateCa("public CA", absl::Hours(48));
        ASSERT_TRUE(ca.ok()) << ca.status();
        absl::StatusOr<server::KeyAndCert> leaf = server::IssueServerCert(
            *ca, "localhost", {"localhost"}, {"127.0.0.1"}, absl::Hours(24));
        ASSERT_TRUE(leaf.ok()) << leaf.status();
        std::ofstream(public_ca) << ca->cert_pem;
        std::ofstream(c.reporter_cert_path) << leaf->cert_pem;
        std::ofstream(c.reporter_key_path) << leaf->key_pem;
        std::filesystem::permissions(c.reporter_key_path, std::filesystem::perms::owner_read |
                                                              std::filesystem::perms::owner_write);
        portal_cert = leaf->cert_pem;
      });
  ASSERT_NE(deploy, nullptr);
  const client::Profile admin = *client::LoadProfile(deploy->admin_profile());
  absl::StatusOr<server::CertInfo> portal = server::InspectCert(portal_cert);
  ASSERT_TRUE(portal.ok()) << portal.status();
  EXPECT_EQ(PresentedFingerprint(deploy->server().reporter_port(), admin),
            portal->fingerprint_sha256);
  // Restarted, it still presents the configured pair.
  deploy->Stop();
  ASSERT_TRUE(deploy->Restart());
  EXPECT_EQ(PresentedFingerprint(deploy->server().reporter_port(), admin),
            portal->fingerprint_sha256);

  auto reporter = [&](const std::vector<std::string>& ca) {
    std::vector<std::string> args = {"reporter", "--endpoint", deploy->reporter_address()};
    args.insert(args.end(), ca.begin(), ca.end());
    for (const char* a : {"submit", "--anonymous", "--subject", "name=甲,unit=乙", "--summary",
                          "摘要", "--content", "内容"}) {
      args.push_back(a);
    }
    return RunBinary("jijian", args);
  };
  const int64_t before = deploy->AuditLogSize();
  CommandResult trusted = reporter({"--ca", public_ca});
  EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
  EXPECT_NE(trusted.out.find("submitted XF-"), std::string::npos) << trusted.out;
  EXPECT_EQ(deploy->AuditLogSize(), before + 1);
  // The deployment CA does not vouch for the portal's certificate, and neither do the public
  // roots gRPC trusts by default: nothing is sent, nothing written.
  for (const std::vector<std::string>& ca :
       {std::vector<std::string>{"--ca", deploy->ca_path()}, std::vector<std::string>{}}) {
    CommandResult refused = reporter(ca);
    EXPECT_NE(refused.exit_code, 0) << refused.out;
    EXPECT_NE(refused.err.find("UNAVAILABLE"), std::string::npos) << refused.err;
    // Without --ca, the reporter is told what to give.
    EXPECT_EQ(refused.err.find("give the CA that signed it with --ca FILE") != std::string::npos,
              ca.empty())
        << refused.err;
  }
  EXPECT_EQ(deploy->AuditLogSize(), before + 1);
  // The staff port is untouched: the admin's profile still works.
  client::Profile staff = admin;
  staff.server = deploy->address();  // the restarted server's port
  auto stub = v1::AdminService::NewStub(TestDeployment::Channel(staff));
  grpc::ClientContext ctx;
  v1::WhoAmIResponse who;
  EXPECT_TRUE(stub->WhoAmI(&ctx, v1::WhoAmIRequest(), &who).ok());
}

TEST(ReporterPortCertificateTest, AMismatchedOrMissingPortalKeyStopsStartUpNamingTheKey) {
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start();
  ASSERT_NE(deploy, nullptr);
  deploy->Stop();
  absl::StatusOr<server::ServerConfig> config =
      server::LoadConfig(server::ConfigPath(deploy->data_dir()));
  ASSERT_TRUE(config.ok()) << config.status();
  server::ServerConfig mismatched = *config;
  mismatched.reporter_key_path = config->server_key_path;  // the staff key, not the portal's
  absl::StatusOr<std::unique_ptr<server::JijianServer>> started =
      server::JijianServer::Start(mismatched);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(started.status().message().find("reporter_key (" + config->server_key_path + ")"),
            std::string::npos)
      << started.status();
  EXPECT_NE(started.status().message().find("does not belong to the certificate in reporter_cert"),
            std::string::npos)
      << started.status();

  server::ServerConfig missing = *config;
  missing.reporter_cert_path = deploy->data_dir() + "/pki/no-such.crt";
  started = server::JijianServer::Start(missing);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(started.status().message().find("reporter_cert: cannot read " +
                                            missing.reporter_cert_path),
            std::string::npos)
      << started.status();

  server::ServerConfig not_a_key = *config;
  not_a_key.reporter_key_path = deploy->data_dir() + "/pki/cert-as-key.key";
  std::ofstream(not_a_key.reporter_key_path) << ReadFile(config->reporter_cert_path);
  std::filesystem::permissions(not_a_key.reporter_key_path,
                               std::filesystem::perms::owner_read |
                                   std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::replace);
  started = server::JijianServer::Start(not_a_key);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(started.status().message().find("reporter_key ("), std::string::npos)
      << started.status();

  // The staff port's pair is checked the same way.
  server::ServerConfig staff_mismatched = *config;
  staff_mismatched.server_key_path = config->reporter_key_path;
  started = server::JijianServer::Start(staff_mismatched);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(started.status().message().find("server_key (" + config->reporter_key_path + ")"),
            std::string::npos)
      << started.status();

  // A key file others can read is refused, naming the file and the fix.
  namespace fs = std::filesystem;
  fs::permissions(config->reporter_key_path, fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::add);
  started = server::JijianServer::Start(*config);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(started.status().message().find("reporter_key (" + config->reporter_key_path +
                                            "): the key file has mode 0644"),
            std::string::npos)
      << started.status();
  EXPECT_NE(started.status().message().find("chmod 600"), std::string::npos);
  fs::permissions(config->reporter_key_path, fs::perms::group_read | fs::perms::others_read,
                  fs::perm_options::remove);

  // An encrypted key is refused at once (no passphrase prompt), naming the key.
  const std::string encrypted = deploy->data_dir() + "/pki/encrypted.key";
  {
    const std::string pem = ReadFile(config->reporter_key_path);
    std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    ASSERT_NE(key, nullptr);
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
    static char kPass[] = "portal passphrase";
    ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(out.get(), key.get(), EVP_aes_256_cbc(), nullptr, 0,
                                            nullptr, kPass),
              1);
    char* data = nullptr;
    const long length = BIO_get_mem_data(out.get(), &data);
    std::ofstream(encrypted) << std::string(data, length);
    fs::permissions(encrypted, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
  }
  server::ServerConfig with_encrypted = *config;
  with_encrypted.reporter_key_path = encrypted;
  started = server::JijianServer::Start(with_encrypted);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(started.status().message().find("not an unencrypted PEM private key"),
            std::string::npos)
      << started.status();

  // The unchanged configuration still starts.
  started = server::JijianServer::Start(*config);
  EXPECT_TRUE(started.ok()) << started.status();
}

TEST(ReporterPortCertificateTest, ADeploymentWithoutAPortalPairStillServesWithTheStaffOne) {
  // server.toml written before reporter_cert and reporter_key existed.
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start([](server::ServerConfig& c) {
    c.reporter_cert_path.clear();
    c.reporter_key_path.clear();
  });
  ASSERT_NE(deploy, nullptr);
  const client::Profile admin = *client::LoadProfile(deploy->admin_profile());
  EXPECT_EQ(PresentedFingerprint(deploy->server().reporter_port(), admin),
            FileFingerprint(deploy->data_dir() + "/pki/server.crt"));
  grpc::ClientContext ctx;
  v1::CheckStatusRequest req;
  req.set_receipt_code("AAAAA-AAAAA-AAAAA-AAAAA");
  v1::CheckStatusResponse resp;
  // Reachable over TLS with the deployment CA: the answer is about the code, not the channel.
  EXPECT_EQ(v1::ReporterService::NewStub(deploy->ReporterChannel())
                ->CheckStatus(&ctx, req, &resp)
                .error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST(ReporterPortLimitsTest, PerPeerRateLimitEngagesUnderABurstAndRecovers) {
  // Three at once, then one every half second: a burst of 20 must meet the limit unless the
  // calls took more than eight seconds, and a wait of about half a second lifts it.
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start([](server::ServerConfig& c) {
    c.reporter_peer_burst = 3;
    c.reporter_peer_per_second = 2;
  });
  ASSERT_NE(deploy, nullptr);
  auto stub = v1::ReporterService::NewStub(deploy->ReporterChannel());
  // A well-formed but unknown code would trip the wrong-code throttle; an invalid request
  // id is refused after the rate limit and writes nothing.
  auto call = [&] {
    grpc::ClientContext ctx;
    v1::SubmitPetitionResponse resp;
    return stub->SubmitPetition(&ctx, Submission("short"), &resp);
  };
  int admitted = 0, limited = 0;
  std::string message;
  for (int i = 0; i < 20; ++i) {
    grpc::Status st = call();
    if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++limited;
      message = st.error_message();
    } else {
      EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
      ++admitted;
    }
  }
  EXPECT_GE(admitted, 3);
  EXPECT_GE(limited, 1);
  EXPECT_NE(message.find("too many requests from this address"), std::string::npos) << message;
  bool recovered = false;
  for (int i = 0; i < 300 && !recovered; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    recovered = call().error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED;
  }
  EXPECT_TRUE(recovered);
}

TEST(ReporterPortLimitsTest, GlobalCapRefusesEveryoneOnceReached) {
  // One request per ten seconds for everyone together, however generous the per-peer limit.
  std::unique_ptr<TestDeployment> deploy = TestDeployment::Start([](server::ServerConfig& c) {
    c.reporter_peer_burst = 1000;
    c.reporter_peer_per_second = 1000;
    c.reporter_global_per_second = 0.1;
  });
  ASSERT_NE(deploy, nullptr);
  auto stub = v1::ReporterService::NewStub(deploy->ReporterChannel());
  int limited = 0;
  std::string message;
  for (int i = 0; i < 20; ++i) {
    grpc::ClientContext ctx;
    v1::SubmitPetitionResponse resp;
    grpc::Status st = stub->SubmitPetition(&ctx, Submission("short"), &resp);
    if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++limited;
      message = st.error_message();
    }
  }
  EXPECT_GE(limited, 1);
  EXPECT_NE(message.find("the reporting service is busy"), std::string::npos) << message;
}

TEST(ReporterPortLimitsTest, OversizedMessageIsRefusedAndWritesNothing) {
  std::unique_ptr<TestDeployment> deploy =
      TestDeployment::Start([](server::ServerConfig& c) { c.reporter_max_message_bytes = 16384; });
  ASSERT_NE(deploy, nullptr);
  auto stub = v1::ReporterService::NewStub(deploy->ReporterChannel());
  const int64_t before = AuditLogSize(*deploy);
  v1::SubmitPetitionRequest big = Submission(kLongId);
  big.set_content(std::string(20000, 'x'));
  grpc::ClientContext ctx;
  v1::SubmitPetitionResponse resp;
  grpc::Status st = stub->SubmitPetition(&ctx, big, &resp);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  EXPECT_EQ(AuditLogSize(*deploy), before);
  // Under the bound the same submission goes through.
  v1::SubmitPetitionRequest small = Submission(kLongId);
  grpc::ClientContext ctx2;
  ASSERT_TRUE(stub->SubmitPetition(&ctx2, small, &resp).ok());
  EXPECT_EQ(resp.receipt_code().size(), 23u);
}

}  // namespace
}  // namespace jijian::testing
