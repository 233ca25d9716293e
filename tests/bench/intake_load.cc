// Intake against the substrate (issue 8, benchmark 1): a load generator that starts one real
// `jijian-server` process on a fresh deployment and drives it over real gRPC with mutual TLS.
// At each concurrency level it measures, one phase after the other:
//   - grpc.health.v1.Health/Check: the transport alone (TLS + HTTP/2 + gRPC), no application
//     authentication (reference only);
//   - AdminService/WhoAmI: the empty authenticated call, the limit (certificate -> user ->
//     policy, the same Authenticator::Authorize every RPC runs, and nothing else);
//   - PetitionService/RegisterPetition: durable (group commit, synchronous=FULL), encrypted,
//     indexed and audited, each with a unique request id and realistic field sizes.
// Afterwards it lists every petition through the API and checks that XF numbers are gap-free
// and that their count equals the number of OK answers. Exits non-zero if any call failed or
// the numbers do not check out. Never prints request contents (they stand in for sealed data).
#include <fcntl.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "client/csr.h"
#include "client/profile.h"
#include "jijian/v1/admin.grpc.pb.h"
#include "jijian/v1/petition.grpc.pb.h"

extern char** environ;

namespace jijian::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr char kHealthMethod[] = "/grpc.health.v1.Health/Check";
constexpr char kUserId[] = "bench.registrar";
constexpr char kWriterThreadName[] = "jijian-writer";  // Store::WriterLoop names its thread
constexpr int kListPageSize = 500;        // the API's largest page
constexpr int kCallDeadlineSeconds = 60;  // a call slower than this counts as failed
constexpr int kServerStartPolls = 400;    // 25 ms apart: about 10 s
constexpr int kMaxErrorsShown = 5;

struct Options {
  std::string server_bin;
  std::string concurrency = "1,8,32,64";
  int64_t calls = 3000;        // per phase (one call kind at one concurrency)
  double seconds = 10;         // per phase; whichever bound is reached first ends it
  int64_t warmup_calls = 200;  // of each kind, before the first level, not measured
  int channels = 8;            // separate TLS connections the callers share
  int content_chars = 1500;    // characters of petition text (CJK: 3 bytes each)
  int anonymous_every = 3;     // one petition in N is anonymous, the rest real-name
  std::string kinds = "health,whoami,register";  // which calls to measure, in this order
  bool verify_log = true;  // run `jijian-server verify` on the files at the end
  std::string work_dir;    // default: a new folder under $TMPDIR or /tmp
  bool keep = false;       // keep the deployment folder afterwards
};

enum class Kind { kHealth, kWhoAmI, kRegister };

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kHealth:
      return "Health/Check (no app auth)";
    case Kind::kWhoAmI:
      return "WhoAmI (empty, authenticated)";
    case Kind::kRegister:
      return "RegisterPetition";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------
// Realistic petition requests. Each call gets its own subject (name, ID number), so the
// duplicate search finds what a real intake finds: mostly nothing.

constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                     "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
                                     "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"};
constexpr const char* kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                  "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
                                  "刚", "桂", "英", "华", "玉", "萍", "红", "鹏", "辉", "建",
                                  "国", "文", "斌", "宇", "浩", "凯", "健", "俊", "帆", "鑫"};
constexpr const char* kUnits[] = {
    "某县财政局",           "某市住房和城乡建设局", "某区自然资源局",     "某县教育局",
    "某镇人民政府",         "某市交通运输局",       "某区市场监督管理局", "某县卫生健康委员会",
    "某市国有资产投资公司", "某街道办事处"};
constexpr const char* kPositions[] = {"局长",   "副局长", "科长",     "副科长", "主任",
                                      "副主任", "镇长",   "党委书记", "总经理", "科员"};
constexpr const char* kRanks[] = {"division", "section", "staff"};
constexpr const char* kSentences[] = {
    "反映该同志在担任现职期间，利用职务便利为他人在工程项目承揽、资金拨付等方面谋取利益，",
    "并多次收受相关企业负责人所送现金、购物卡及贵重礼品，数额较大。",
    "据了解，其亲属名下有多处房产和车辆，与其合法收入明显不符。",
    "该同志还多次违规接受管理服务对象安排的宴请和旅游活动，在节假日期间尤为频繁。",
    "在单位内部，其作风霸道，搞一言堂，重大事项不经集体研究即擅自决定。",
    "有关招标过程存在明显的围标串标迹象，中标单位与其本人存在特定关系。",
    "举报人曾于去年向单位反映上述问题，但至今未见处理结果，故再次举报。",
    "相关票据和转账记录的复印件已随信附上，请组织依规依纪调查核实。",
    "另据群众反映，该同志违规在下属单位报销个人费用，并长期占用公车办私事。",
    "希望纪检监察机关认真核查，给群众一个明确的答复。"};

// Appends the ISO 7064 MOD 11-2 check character to the first 17 characters of an ID number.
std::string WithCheckDigit(const std::string& first17) {
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[] = "10X98765432";
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (first17[i] - '0') * kWeights[i];
  return first17 + kCheck[sum % 11];
}

// A valid-looking 18-character resident ID number derived from n (never a real person's:
// the sequence digits are synthetic and the check digit is computed).
std::string IdNumberFor(uint64_t n) {
  char buf[24];
  const int year = 1960 + static_cast<int>(n % 36);
  const int month = 1 + static_cast<int>((n / 36) % 12);
  const int day = 1 + static_cast<int>((n / 432) % 28);
  std::snprintf(buf, sizeof buf, "110105%04d%02d%02d%03d", year, month, day,
                static_cast<int>((n / 12096) % 1000));
  return WithCheckDigit(buf);
}

// A name made unique for n < 30 * 40 * 40 (48 000) and varied beyond.
std::string NameFor(uint64_t n) {
  constexpr size_t kS = std::size(kSurnames), kG = std::size(kGiven);
  return std::string(kSurnames[n % kS]) + kGiven[(n / kS) % kG] + kGiven[(n / kS / kG) % kG];
}

class RequestFactory {
 public:
  RequestFactory(const Options& options, const std::string& run_tag)
      : options_(options), run_tag_(run_tag) {
    std::mt19937_64 rng(20261130);
    // A few content bodies of the configured length; reused, since their bytes do not
    // change the cost of sealing them.
    for (int v = 0; v < 16; ++v) {
      std::string text;
      int chars = 0;
      while (chars < options.content_chars) {
        const std::string s = kSentences[rng() % std::size(kSentences)];
        text += s;
        chars += static_cast<int>(s.size() / 3);  // every character here is 3 bytes of UTF-8
      }
      contents_.push_back(text);
    }
  }

  // The request for call number n (unique request id, own subject and reporter). Thread-safe.
  void Fill(uint64_t n, v1::RegisterPetitionRequest& req) const {
    req.Clear();
    req.set_request_id(absl::StrCat("bench-", run_tag_, "-", n));
    req.set_channel(static_cast<v1::Channel>(1 + n % 6));
    req.set_category(n % 5 == 4 ? v1::CATEGORY_COMPLAINT : v1::CATEGORY_ACCUSATION);
    const bool anonymous = options_.anonymous_every > 0 && n % options_.anonymous_every == 0;
    req.set_anonymous(anonymous);
    if (!anonymous) {
      v1::Reporter* r = req.mutable_reporter();
      r->set_name(NameFor(n * 7 + 3));
      r->set_id_number(IdNumberFor(n * 7 + 3));
      r->set_phone(absl::StrCat("138", 10000000 + n % 90000000));
      r->set_address(absl::StrCat("北京市东城区某某街道", 1 + n % 300, "号院", 1 + n % 20, "号楼",
                                  101 + n % 600, "室"));
    }
    const int subjects = n % 4 == 0 ? 2 : 1;
    for (int i = 0; i < subjects; ++i) {
      const uint64_t who = n * 2 + i;
      v1::Subject* s = req.add_subjects();
      s->set_name(NameFor(who));
      if (who % 2 == 0) s->set_id_number(IdNumberFor(who + 1000003));
      s->set_unit(kUnits[who % std::size(kUnits)]);
      s->set_position(kPositions[who % std::size(kPositions)]);
      s->set_rank(kRanks[who % std::size(kRanks)]);
      s->set_party_member(who % 5 != 0);
    }
    req.add_disciplines(v1::DISCIPLINE_INTEGRITY);
    if (n % 3 == 0) req.add_disciplines(v1::DISCIPLINE_WORK);
    req.set_summary(absl::StrCat("反映", kUnits[n % std::size(kUnits)],
                                 "有关人员收受礼金、违规插手工程项目等问题（第", n, "件）"));
    req.set_content(contents_[n % contents_.size()]);
  }

 private:
  const Options& options_;
  const std::string run_tag_;
  std::vector<std::string> contents_;
};

// ---------------------------------------------------------------------------------------
// One phase: `concurrency` callers, each with one call in flight at a time, issuing calls
// of one kind until the phase's call budget or time is spent. Uses the gRPC callback API,
// so the client needs no thread per caller.

struct PhaseResult {
  Kind kind = Kind::kWhoAmI;
  int concurrency = 0;
  int64_t ok = 0;
  int64_t failed = 0;
  double seconds = 0;
  double server_cpu_seconds = 0;
  double writer_cpu_seconds = 0;  // the thread named "jijian-writer": the store's writer
  double client_cpu_seconds = 0;
  std::vector<int64_t> latencies_ns;  // of OK calls
  std::map<int, int64_t> failures_by_code;
  std::vector<std::string> errors;  // the first few
  std::vector<std::string> petition_ids;

  double rate() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
  double PercentileMs(double p) const {
    if (latencies_ns.empty()) return 0;
    std::vector<int64_t> v = latencies_ns;
    size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return static_cast<double>(v[k]) / 1e6;
  }
};

// CPU seconds (user + system) a process has used so far, from /proc/PID/stat.
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::vector<std::string> fields = absl::StrSplit(text.substr(close + 2), ' ');
  // After "pid (comm) ": state is field 3 of the whole line; utime 14 and stime 15.
  if (fields.size() < 13) return 0;
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
}

// CPU seconds used so far by the threads of pid named name (the store's writer thread names
// itself "jijian-writer"). What a registration costs on the one writer thread, which no
// number of cores can share.
double NamedThreadsCpuSeconds(pid_t pid, const std::string& name) {
  const std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  double total = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(task_dir, ec)) {
    std::ifstream in(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t open = text.find('('), close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 2 > text.size()) {
      continue;
    }
    if (text.substr(open + 1, close - open - 1) != name.substr(0, 15)) continue;
    std::vector<std::string> fields = absl::StrSplit(text.substr(close + 2), ' ');
    if (fields.size() < 13) continue;
    total += (std::stod(fields[11]) + std::stod(fields[12])) /
             static_cast<double>(::sysconf(_SC_CLK_TCK));
  }
  return total;
}

// The most resident memory the process has had (VmHWM of /proc/PID/status), in MiB.
double PeakRssMiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
  }
  return 0;
}

double SelfCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

class Phase {
 public:
  Phase(Kind kind, int concurrency, int64_t max_calls, double max_seconds,
        const std::vector<std::shared_ptr<grpc::Channel>>& channels, const RequestFactory& factory,
        std::atomic<uint64_t>& next_petition)
      : kind_(kind),
        concurrency_(concurrency),
        max_calls_(max_calls),
        factory_(factory),
        next_petition_(next_petition) {
    deadline_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                   std::chrono::duration<double>(max_seconds));
    for (int i = 0; i < concurrency; ++i) {
      auto c = std::make_unique<Caller>();
      c->phase = this;
      const auto& channel = channels[static_cast<size_t>(i) % channels.size()];
      c->admin = v1::AdminService::NewStub(channel);
      c->petitions = v1::PetitionService::NewStub(channel);
      c->generic = std::make_unique<grpc::GenericStub>(channel);
      callers_.push_back(std::move(c));
    }
  }

  PhaseResult Run(pid_t server_pid) {
    const double server_cpu0 = ProcessCpuSeconds(server_pid);
    const double writer_cpu0 = NamedThreadsCpuSeconds(server_pid, kWriterThreadName);
    const double client_cpu0 = SelfCpuSeconds();
    start_ = Clock::now();
    {
      absl::MutexLock lock(&mu_);
      running_ = concurrency_;
    }
    for (auto& c : callers_) Issue(*c);
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](int* running) { return *running == 0; }, &running_));
    }
    PhaseResult r;
    r.kind = kind_;
    r.concurrency = concurrency_;
    r.seconds = std::chrono::duration<double>(end_ - start_).count();
    r.server_cpu_seconds = ProcessCpuSeconds(server_pid) - server_cpu0;
    r.writer_cpu_seconds = NamedThreadsCpuSeconds(server_pid, kWriterThreadName) - writer_cpu0;
    r.client_cpu_seconds = SelfCpuSeconds() - client_cpu0;
    for (auto& c : callers_) {
      r.ok += c->ok;
      r.failed += c->failed;
      r.latencies_ns.insert(r.latencies_ns.end(), c->latencies_ns.begin(), c->latencies_ns.end());
      r.petition_ids.insert(r.petition_ids.end(), c->ids.begin(), c->ids.end());
      for (const auto& [code, n] : c->failures_by_code) r.failures_by_code[code] += n;
      for (const std::string& e : c->errors) {
        if (r.errors.size() < kMaxErrorsShown) r.errors.push_back(e);
      }
    }
    return r;
  }

 private:
  // One caller's state. Its calls are strictly sequential (the next is issued from the
  // previous one's completion), so its fields need no lock.
  struct Caller {
    Phase* phase = nullptr;
    std::unique_ptr<v1::AdminService::Stub> admin;
    std::unique_ptr<v1::PetitionService::Stub> petitions;
    std::unique_ptr<grpc::GenericStub> generic;
    std::unique_ptr<grpc::ClientContext> ctx;
    v1::WhoAmIRequest who_req;
    v1::WhoAmIResponse who_resp;
    v1::RegisterPetitionRequest reg_req;
    v1::RegisterPetitionResponse reg_resp;
    grpc::ByteBuffer health_req;
    grpc::ByteBuffer health_resp;
    Clock::time_point started;
    int64_t ok = 0;
    int64_t failed = 0;
    std::vector<int64_t> latencies_ns;
    std::vector<std::string> ids;
    std::map<int, int64_t> failures_by_code;
    std::vector<std::string> errors;
  };

  // A call may start while the budget and the time last.
  bool TakeTicket() {
    if (issued_.fetch_add(1) >= max_calls_) return false;
    return Clock::now() < deadline_;
  }

  void Issue(Caller& c) {
    if (!TakeTicket()) {
      absl::MutexLock lock(&mu_);
      if (--running_ == 0) end_ = Clock::now();
      return;
    }
    c.ctx = std::make_unique<grpc::ClientContext>();
    c.ctx->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(kCallDeadlineSeconds));
    auto done = [&c](grpc::Status st) { c.phase->Completed(c, st); };
    switch (kind_) {
      case Kind::kHealth: {
        grpc::Slice empty("");  // HealthCheckRequest{service: ""} encodes to no bytes
        c.health_req = grpc::ByteBuffer(&empty, 1);
        c.started = Clock::now();
        static const std::string* const method = new std::string(kHealthMethod);
        c.generic->UnaryCall(c.ctx.get(), *method, grpc::StubOptions(), &c.health_req,
                             &c.health_resp, done);
        break;
      }
      case Kind::kWhoAmI:
        c.started = Clock::now();
        c.admin->async()->WhoAmI(c.ctx.get(), &c.who_req, &c.who_resp, done);
        break;
      case Kind::kRegister:
        factory_.Fill(next_petition_.fetch_add(1), c.reg_req);
        c.started = Clock::now();
        c.petitions->async()->RegisterPetition(c.ctx.get(), &c.reg_req, &c.reg_resp, done);
        break;
    }
  }

  void Completed(Caller& c, const grpc::Status& st) {
    const int64_t ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - c.started).count();
    if (st.ok()) {
      ++c.ok;
      c.latencies_ns.push_back(ns);
      if (kind_ == Kind::kRegister) c.ids.push_back(c.reg_resp.petition().id());
    } else {
      ++c.failed;
      ++c.failures_by_code[st.error_code()];
      // Server messages name fields and rules, never the values sent.
      if (c.errors.size() < kMaxErrorsShown) {
        c.errors.push_back(absl::StrCat("code ", st.error_code(), ": ", st.error_message()));
      }
    }
    Issue(c);
  }

  const Kind kind_;
  const int concurrency_;
  const int64_t max_calls_;
  const RequestFactory& factory_;
  std::atomic<uint64_t>& next_petition_;
  Clock::time_point deadline_;
  Clock::time_point start_;
  std::atomic<int64_t> issued_{0};
  std::vector<std::unique_ptr<Caller>> callers_;

  absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  Clock::time_point end_ ABSL_GUARDED_BY(mu_);
};

// ---------------------------------------------------------------------------------------
// The deployment: `jijian-server init`, then `jijian-server --data DIR` as a child process.

int RunAndWait(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> a = args;
  std::vector<char*> argv;
  for (std::string& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> a = args;
  std::vector<char*> argv;
  for (std::string& s : a) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int WaitForPort(const std::string& log, pid_t pid) {
  const std::regex port("serving on .* \\(port (\\d+)\\)");
  std::smatch m;
  for (int i = 0; i < kServerStartPolls; ++i) {
    std::string text = ReadAll(log);
    if (std::regex_search(text, m, port)) return std::stoi(m[1].str());
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return 0;  // it exited
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return 0;
}

std::shared_ptr<grpc::Channel> MtlsChannel(const client::Profile& p) {
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = p.ca_pem;
  tls.pem_private_key = p.key_pem;
  tls.pem_cert_chain = p.cert_pem;
  // Each channel its own connection (no sharing of subchannels between channels).
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(p.server, grpc::SslCredentials(tls), args);
}

// Adds the registrar through the admin API and issues its certificate from a key made here.
absl::StatusOr<client::Profile> MakeRegistrar(const client::Profile& admin) {
  auto stub = v1::AdminService::NewStub(MtlsChannel(admin));
  v1::AddUserRequest add;
  add.set_request_id("bench-add-registrar");
  add.set_user_id(kUserId);
  add.set_display_name("负载测试登记员");
  add.set_department("信访室");
  add.add_roles(v1::ROLE_REGISTRAR);
  {
    grpc::ClientContext ctx;
    v1::AddUserResponse resp;
    grpc::Status st = stub->AddUser(&ctx, add, &resp);
    if (!st.ok()) return absl::UnknownError("AddUser: " + st.error_message());
  }
  absl::StatusOr<client::KeyAndCsr> csr = client::GenerateKeyAndCsr(kUserId);
  if (!csr.ok()) return csr.status();
  v1::IssueCertificateRequest issue;
  issue.set_request_id("bench-cert-registrar");
  issue.set_user_id(kUserId);
  issue.set_csr_pem(csr->csr_pem);
  grpc::ClientContext ctx;
  v1::IssueCertificateResponse resp;
  grpc::Status st = stub->IssueCertificate(&ctx, issue, &resp);
  if (!st.ok()) return absl::UnknownError("IssueCertificate: " + st.error_message());
  return client::Profile{"",
                         admin.server,
                         kUserId,
                         resp.audit_public_key_hex(),
                         resp.ca_pem(),
                         resp.certificate_pem(),
                         csr->key_pem};
}

// Every petition id through ListPetitions, in the order the API gives them.
absl::StatusOr<std::vector<std::string>> ListAllPetitionIds(
    const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::PetitionService::NewStub(channel);
  std::vector<std::string> ids;
  std::string token;
  do {
    v1::ListPetitionsRequest req;
    req.set_page_size(kListPageSize);
    req.set_page_token(token);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    v1::ListPetitionsResponse resp;
    grpc::Status st = stub->ListPetitions(&ctx, req, &resp);
    if (!st.ok()) return absl::UnknownError("ListPetitions: " + st.error_message());
    for (const auto& p : resp.petitions()) ids.push_back(p.id());
    token = resp.next_page_token();
  } while (!token.empty());
  return ids;
}

// Checks that the listed XF numbers of each year run 1..n without a gap or repeat, and that
// the listed set is exactly the set of ids answered OK. Returns the problems found.
std::vector<std::string> CheckPetitionIds(const std::vector<std::string>& listed,
                                          const std::vector<std::string>& answered) {
  std::vector<std::string> problems;
  std::map<std::string, std::vector<int64_t>> by_year;  // "XF-YYYY" -> numbers
  for (const std::string& id : listed) {
    if (id.size() != 14 || id.rfind("XF-", 0) != 0) {
      problems.push_back("malformed id " + id);
      continue;
    }
    by_year[id.substr(0, 7)].push_back(std::stoll(id.substr(8)));
  }
  for (auto& [year, numbers] : by_year) {
    std::sort(numbers.begin(), numbers.end());
    for (size_t i = 0; i < numbers.size(); ++i) {
      if (numbers[i] != static_cast<int64_t>(i + 1)) {
        problems.push_back(absl::StrCat(year, ": expected number ", i + 1, ", found ", numbers[i],
                                        " (gap or repeat)"));
        break;
      }
    }
  }
  std::set<std::string> listed_set(listed.begin(), listed.end());
  std::set<std::string> answered_set(answered.begin(), answered.end());
  if (answered_set.size() != answered.size()) {
    problems.push_back(absl::StrCat("the same id was answered twice: ", answered.size(),
                                    " OK answers, ", answered_set.size(), " distinct ids"));
  }
  if (listed_set != answered_set) {
    problems.push_back(absl::StrCat(listed_set.size(), " petitions listed, but ",
                                    answered_set.size(),
                                    " distinct ids were answered OK (sets differ)"));
  }
  return problems;
}

double LoadAverage1() {
  double one = 0;
  std::ifstream("/proc/loadavg") >> one;
  return one;
}

std::string DefaultServerBin() {
  // tests/bench/jijian_bench_intake -> server/jijian-server in the same build folder.
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / ".." / ".." / "server" / "jijian-server").lexically_normal();
}

void PrintRow(const PhaseResult& r) {
  const double calls = static_cast<double>(std::max<int64_t>(1, r.ok + r.failed));
  std::printf("| %3d | %-30s | %7lld | %4lld | %8.0f | %7.2f | %7.2f | %7.0f | %7.0f | %7.0f |\n",
              r.concurrency, KindName(r.kind), static_cast<long long>(r.ok),
              static_cast<long long>(r.failed), r.rate(), r.PercentileMs(0.50),
              r.PercentileMs(0.99), r.server_cpu_seconds / calls * 1e6,
              r.writer_cpu_seconds / calls * 1e6, r.client_cpu_seconds / calls * 1e6);
}

int Run(const Options& o) {
  std::vector<int> levels;
  for (absl::string_view part : absl::StrSplit(o.concurrency, ',', absl::SkipEmpty())) {
    levels.push_back(std::stoi(std::string(part)));
    if (levels.back() < 1) {
      std::fprintf(stderr, "--concurrency: every level must be >= 1\n");
      return 2;
    }
  }
  std::string work = o.work_dir;
  if (work.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/jijian-intake-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return 2;
    }
    work = pattern;
  } else {
    fs::create_directories(work);
  }
  const std::string data = work + "/deploy";
  const std::string log = work + "/server.log";
  std::printf("# jijian intake load: server %s, data %s\n", o.server_bin.c_str(), data.c_str());
  if (RunAndWait({o.server_bin, "init", "--data", data, "--listen", "127.0.0.1:0"},
                 work + "/init.log") != 0) {
    std::fprintf(stderr, "jijian-server init failed:\n%s", ReadAll(work + "/init.log").c_str());
    return 2;
  }
  const pid_t server = Spawn({o.server_bin, "--data", data}, log);
  const int port = server > 0 ? WaitForPort(log, server) : 0;
  if (port == 0) {
    std::fprintf(stderr, "the server did not start:\n%s", ReadAll(log).c_str());
    if (server > 0) ::kill(server, SIGKILL);
    return 2;
  }
  auto stop_server = [&] {
    ::kill(server, SIGTERM);
    int status = 0;
    ::waitpid(server, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  };

  absl::StatusOr<client::Profile> admin = client::LoadProfile(data + "/profiles/admin.toml");
  if (!admin.ok()) {
    std::fprintf(stderr, "admin profile: %s\n", std::string(admin.status().message()).c_str());
    stop_server();
    return 2;
  }
  admin->server = "127.0.0.1:" + std::to_string(port);
  absl::StatusOr<client::Profile> registrar = MakeRegistrar(*admin);
  if (!registrar.ok()) {
    std::fprintf(stderr, "%s\n", std::string(registrar.status().message()).c_str());
    stop_server();
    return 2;
  }
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < std::max(1, o.channels); ++i) {
    channels.push_back(MtlsChannel(*registrar));
    if (!channels.back()->WaitForConnected(std::chrono::system_clock::now() +
                                           std::chrono::seconds(10))) {
      std::fprintf(stderr, "channel %d did not connect\n", i);
      stop_server();
      return 2;
    }
  }

  const std::string run_tag = std::to_string(::getpid());
  RequestFactory factory(o, run_tag);
  std::atomic<uint64_t> next_petition{1};
  std::vector<Kind> kinds;
  for (absl::string_view name : absl::StrSplit(o.kinds, ',', absl::SkipEmpty())) {
    if (name == "health") {
      kinds.push_back(Kind::kHealth);
    } else if (name == "whoami") {
      kinds.push_back(Kind::kWhoAmI);
    } else if (name == "register") {
      kinds.push_back(Kind::kRegister);
    } else {
      std::fprintf(stderr, "--kinds: unknown call %s; allowed: health, whoami, register\n",
                   std::string(name).c_str());
      stop_server();
      return 2;
    }
  }

  const double load_before = LoadAverage1();
  std::printf(
      "# nproc %u, load average (1 min) at start %.2f, per phase at most %lld calls or "
      "%.1f s, %zu TLS connections shared by the callers\n",
      std::thread::hardware_concurrency(), load_before, static_cast<long long>(o.calls), o.seconds,
      channels.size());
  // Phases are kept until the end: a completion callback may still be returning on a gRPC
  // thread when its phase's last caller has reported done.
  std::vector<std::unique_ptr<Phase>> phases;
  auto run_phase = [&](Kind k, int callers, int64_t calls, double seconds) {
    phases.push_back(
        std::make_unique<Phase>(k, callers, calls, seconds, channels, factory, next_petition));
    return phases.back()->Run(server);
  };
  // Warm-up: connections, TLS sessions, server thread pool, SQLite page cache.
  std::vector<PhaseResult> results;
  for (Kind k : kinds) results.push_back(run_phase(k, 8, o.warmup_calls, 60));
  int64_t registered_ok = 0;
  std::vector<std::string> answered;
  int64_t failed = 0;
  for (const PhaseResult& r : results) {
    failed += r.failed;
    registered_ok += r.ok * (r.kind == Kind::kRegister);
    answered.insert(answered.end(), r.petition_ids.begin(), r.petition_ids.end());
  }
  results.clear();

  std::printf(
      "\n| callers | call | OK | failed | calls/s | p50 ms | p99 ms | server CPU µs/call "
      "| of it writer thread | client CPU µs/call |\n"
      "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  // Per level: the measured rate ratio, and the ratio of CPU spent per call (server + client),
  // which is what the rate ratio would be on a machine that is CPU-bound on this run alone.
  struct Ratio {
    int level;
    double rate;
    double cpu;
  };
  std::vector<Ratio> ratios;
  for (int level : levels) {
    std::map<Kind, PhaseResult> at_level;
    for (Kind k : kinds) {
      PhaseResult r = run_phase(k, level, o.calls, o.seconds);
      PrintRow(r);
      std::fflush(stdout);
      failed += r.failed;
      for (const std::string& e : r.errors) std::fprintf(stderr, "  failed call: %s\n", e.c_str());
      if (k == Kind::kRegister) {
        registered_ok += r.ok;
        answered.insert(answered.end(), r.petition_ids.begin(), r.petition_ids.end());
      }
      at_level[k] = std::move(r);
    }
    if (at_level.count(Kind::kWhoAmI) && at_level.count(Kind::kRegister)) {
      const PhaseResult& empty = at_level[Kind::kWhoAmI];
      const PhaseResult& reg = at_level[Kind::kRegister];
      auto cpu_per_call = [](const PhaseResult& r) {
        return (r.server_cpu_seconds + r.client_cpu_seconds) /
               static_cast<double>(std::max<int64_t>(1, r.ok + r.failed));
      };
      ratios.push_back({level, empty.rate() > 0 ? reg.rate() / empty.rate() : 0,
                        cpu_per_call(reg) > 0 ? cpu_per_call(empty) / cpu_per_call(reg) : 0});
    }
  }
  const double load_after = LoadAverage1();

  std::printf(
      "\nRegistration rate / empty authenticated call rate (same run; in brackets the "
      "ratio of CPU per call, server + client, empty / registration):\n");
  bool goal_met = true;
  bool goal_measured = false;
  for (const auto& [level, ratio, cpu_ratio] : ratios) {
    const bool in_goal = level >= 32 && level <= 64;
    std::printf(
        "  %3d callers: %5.1f %% (CPU %5.1f %%)%s\n", level, ratio * 100, cpu_ratio * 100,
        in_goal ? (ratio >= 0.5 ? "  (goal >= 50 %: met)" : "  (goal >= 50 %: MISSED)") : "");
    if (in_goal) {
      goal_measured = true;
      goal_met = goal_met && ratio >= 0.5;
    }
  }
  std::printf("load average (1 min): %.2f at start, %.2f at end\n", load_before, load_after);
  std::printf("server peak resident memory (VmHWM): %.0f MiB\n", PeakRssMiB(server));

  // Numbers through the API: gap-free, and as many as OK answers.
  bool ids_ok = false;
  absl::StatusOr<std::vector<std::string>> listed = ListAllPetitionIds(channels.front());
  if (!listed.ok()) {
    std::fprintf(stderr, "%s\n", std::string(listed.status().message()).c_str());
  } else {
    std::vector<std::string> problems = CheckPetitionIds(*listed, answered);
    ids_ok = problems.empty();
    std::printf("petitions: %lld answered OK, %zu listed through the API; XF numbers %s\n",
                static_cast<long long>(registered_ok), listed->size(),
                ids_ok ? "gap-free, one per OK answer" : "WRONG:");
    for (const std::string& p : problems) std::printf("  %s\n", p.c_str());
  }
  std::printf("failed calls: %lld\n", static_cast<long long>(failed));
  const bool clean_stop = stop_server();
  if (!clean_stop) std::printf("the server did not stop cleanly; see %s\n", log.c_str());
  bool log_ok = true;
  if (o.verify_log) {
    const int rc = RunAndWait({o.server_bin, "verify", "--data", data}, work + "/verify.log");
    log_ok = rc == 0;
    std::printf("jijian-server verify (audit log, offline): %s\n",
                log_ok ? "ok" : ("FAILED, see " + work + "/verify.log").c_str());
  }
  if (goal_measured) {
    std::printf("goal (registration >= 50 %% of the empty call at 32-64 callers): %s\n",
                goal_met ? "met" : "missed");
  }
  const bool pass = failed == 0 && ids_ok && clean_stop && log_ok;
  if (!o.keep && pass) {
    std::error_code ec;
    fs::remove_all(work, ec);
  } else {
    std::printf("deployment kept in %s\n", work.c_str());
  }
  return pass ? 0 : 1;
}

}  // namespace
}  // namespace jijian::bench

int main(int argc, char** argv) {
  jijian::bench::Options o;
  o.server_bin = jijian::bench::DefaultServerBin();
  CLI::App app{
      "jijian_bench_intake: empty authenticated call vs durable petition registration, over "
      "mutual TLS against one jijian-server process"};
  app.add_option("--server-bin", o.server_bin, "jijian-server binary")->capture_default_str();
  app.add_option("--concurrency", o.concurrency, "comma-separated caller counts")
      ->capture_default_str();
  app.add_option("--calls", o.calls, "most calls per phase (one kind at one level)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--seconds", o.seconds, "longest phase, seconds")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup-calls", o.warmup_calls, "unmeasured calls of each kind first")
      ->capture_default_str();
  app.add_option("--channels", o.channels, "TLS connections shared by the callers")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--content-chars", o.content_chars, "characters of petition text")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--anonymous-every", o.anonymous_every, "one petition in N anonymous (0: none)")
      ->capture_default_str();
  app.add_option("--kinds", o.kinds, "calls to measure at each level: health,whoami,register")
      ->capture_default_str();
  app.add_flag("!--no-verify", o.verify_log, "skip `jijian-server verify` at the end");
  app.add_option("--work-dir", o.work_dir, "folder for the deployment (default: a new temp one)");
  app.add_flag("--keep", o.keep, "keep the deployment folder");
  CLI11_PARSE(app, argc, argv);
  return jijian::bench::Run(o);
}
