#include "tests/bench/year_gen.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <type_traits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "jijian/v1/case.pb.h"
#include "jijian/v1/disposition.pb.h"
#include "jijian/v1/lead.pb.h"
#include "jijian/v1/petition.pb.h"
#include "server/disposition_codec.h"
#include "server/domain/calendar.h"
#include "server/domain/case_rules.h"
#include "server/domain/lead_rules.h"
#include "server/domain/measures.h"
#include "server/domain/petition_rules.h"
#include "server/domain/petition_validate.h"
#include "server/lead_codec.h"
#include "server/petition_codec.h"
#include "storage/audit.h"
#include "storage/cases.h"
#include "storage/dispositions.h"
#include "storage/leads.h"
#include "storage/petitions.h"
#include "storage/receipt.h"
#include "storage/users.h"

namespace jijian::bench {
namespace {

using server::ChildRowId;
using server::SealAt;
using server::domain::FormatDate;
using storage::KeyDomain;
using storage::WriteTxn;

constexpr int kDays = 365;
constexpr uint32_t kNone = 0xffffffffu;

// ---- Persons ------------------------------------------------------------------------------

constexpr const char* kSurnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                     "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"};
constexpr const char* kGiven[] = {"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋",
                                  "勇", "艳", "杰", "娟", "涛", "明", "超", "秀", "霞", "平",
                                  "刚", "桂", "华", "建", "国", "文", "辉", "波", "宁", "鹏"};
constexpr const char* kUnitKinds[] = {"财政局",     "教育局",     "卫健委", "住建局",     "交通局",
                                      "自然资源局", "农业农村局", "水务局", "市场监管局", "国资委"};

}  // namespace

std::string PersonName(int64_t p) {
  const uint64_t h = static_cast<uint64_t>(p) * 0x9E3779B97F4A7C15ull;
  return std::string(kSurnames[h % 20]) + kGiven[(h >> 8) % 30] + kGiven[(h >> 16) % 30];
}

std::string PersonIdNumber(int64_t p) {
  // Region (one of 9999 codes), birth date (one of 12000 days from 1960-01-01), sequence.
  const int64_t day = p % 12000;
  const int64_t seq = (p / 12000) % 1000;
  const int64_t region = 110101 + (p / 12000000) % 9999;
  const absl::CivilDay birth = absl::CivilDay(1960, 1, 1) + day;
  std::string s = absl::StrFormat("%06d%04d%02d%02d%03d", region, birth.year(), birth.month(),
                                  birth.day(), seq);
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (int i = 0; i < 17; ++i) sum += (s[static_cast<size_t>(i)] - '0') * kWeights[i];
  s += "10X98765432"[sum % 11];
  return s;
}

std::string PersonUnit(int64_t p) {
  const uint64_t h = static_cast<uint64_t>(p) * 0xC2B2AE3D27D4EB4Full;
  return absl::StrCat("第", (h >> 20) % 2000 + 1, "县", kUnitKinds[(h >> 8) % 10]);
}

namespace {

v1::Subject SubjectProto(int64_t p) {
  v1::Subject s;
  s.set_name(PersonName(p));
  s.set_id_number(PersonIdNumber(p));
  s.set_unit(PersonUnit(p));
  s.set_position("科长");
  s.set_rank(p % 5 == 0 ? "division" : "section");
  s.set_party_member(p % 7 != 0);
  return s;
}

// ---- The simulation -------------------------------------------------------------------------

enum class Step : uint8_t {
  kPetitionRegister,
  kPetitionDecide,
  kPetitionNotify,
  kLeadRegister,  // obj = lead number (1-based) prepared in leads_
  kLeadAssign,
  kLeadPropose,
  kLeadApprove,
  kLeadInquirySent,
  kLeadInquiryReply,
  kLeadPlan,
  kLeadReport,
  kDispositionsPropose,  // every person of the matter (lead, or case when aux = 1)
  kDispositionsApprove,
  kDispositionsExecute,
  kCaseRequest,
  kCaseFile,
  kCaseInvestigationReport,
  kCaseTransferReview,
  kCaseReviewOpinion,
  kCaseClose,
};

struct Job {
  Step step;
  uint8_t aux = 0;
  uint32_t obj = 0;
};

// How a lead ends (its plan), with the base probability and the steps it takes.
enum class Plan : uint8_t { kCase, kVerifyFirstForm, kInquiry, kHold, kClose };

struct Petition {
  uint32_t p1 = kNone, p2 = kNone;  // persons
  uint32_t original = 0;            // for a duplicate, the number of the first petition
  bool anonymous = false;
  uint8_t mode = 0;  // v1::HandlingMode
};

struct Lead {
  uint32_t petition = 0;  // 0: another source
  uint32_t p1 = kNone, p2 = kNone;
  uint32_t case_no = 0;
  Plan plan = Plan::kClose;
  uint8_t source = v1::LEAD_SOURCE_PETITION;
};

struct Disposition {
  uint32_t matter = 0;  // lead or case number
  bool is_case = false;
  uint8_t idx = 1;
};

struct MeasureChoice {
  std::vector<std::string> codes;
  int probation = 0;
};

// The measures each form's person-times cycle through (as tests/stats_test.cc).
const std::vector<std::vector<MeasureChoice>>& Menu() {
  static const std::vector<std::vector<MeasureChoice>> kMenu = {
      {{{"reminder-talk"}},
       {{"criticism-education", "self-examination"}},
       {{"admonishment"}},
       {{"circulated-criticism"}},
       {{"closed-after-inquiry"}}},
      {{{"party-warning"}},
       {{"party-serious-warning", "gov-major-demerit"}},
       {{"gov-demerit"}},
       {{"org-removal"}}},
      {{{"party-probation"}, 12}, {{"party-expulsion", "gov-expulsion"}}, {{"gov-dismissal"}}},
      {{{"prosecution-transfer", "party-expulsion", "gov-expulsion"}}},
  };
  return kMenu;
}

// ---- The generator's state between runs ------------------------------------------------------

// Bytes of a saved state, in the order written; read back by StateReader.
class StateWriter {
 public:
  template <typename T>
  void Put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    out_.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void PutString(const std::string& v) {
    Put<uint64_t>(v.size());
    out_ += v;
  }
  template <typename T>
  void PutVector(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<uint64_t>(v.size());
    Put<uint32_t>(sizeof(T));
    out_.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

class StateReader {
 public:
  explicit StateReader(std::string in) : in_(std::move(in)) {}
  template <typename T>
  bool Get(T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (in_.size() - at_ < sizeof(T)) return false;
    std::memcpy(&v, in_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  bool GetString(std::string& v) {
    uint64_t n = 0;
    if (!Get(n) || in_.size() - at_ < n) return false;
    v.assign(in_.data() + at_, n);
    at_ += n;
    return true;
  }
  template <typename T>
  bool GetVector(std::vector<T>& v) {
    uint64_t n = 0;
    uint32_t size = 0;
    if (!Get(n) || !Get(size) || size != sizeof(T) || (in_.size() - at_) / sizeof(T) < n) {
      return false;
    }
    v.resize(n);
    std::memcpy(v.data(), in_.data() + at_, n * sizeof(T));
    at_ += n * sizeof(T);
    return true;
  }
  bool AtEnd() const { return at_ == in_.size(); }

 private:
  std::string in_;
  size_t at_ = 0;
};

constexpr char kStateMagic[] = "jijian-year-state-1";

// Writes bytes to path so that a crash leaves the old file or the new one, never a mix.
absl::Status WriteFileAtomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("state: cannot create ", tmp));
  size_t at = 0;
  while (at < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + at, bytes.size() - at);
    if (n <= 0) {
      ::close(fd);
      return absl::UnavailableError(absl::StrCat("state: cannot write ", tmp));
    }
    at += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("state: cannot store ", path));
  }
  return absl::OkStatus();
}

class YearGenerator {
 public:
  YearGenerator(storage::Store& store, const YearOptions& options)
      : store_(store),
        options_(options),
        rng_(options.seed),
        calendar_(server::domain::WorkCalendar::BuiltIn()),
        measures_(server::domain::MeasureTable::BuiltIn()),
        start_(options.year, 1, 1) {}

  absl::StatusOr<YearCounts> Run();

 private:
  std::string Id(const char* kind, uint32_t n) const {
    return server::domain::FormatObjectId(kind, options_.year, n);
  }
  std::string Date(int day) const { return FormatDate(start_ + day); }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double Real() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  void Schedule(int day, Step step, uint32_t obj, uint8_t aux = 0) {
    if (day < kDays) days_[static_cast<size_t>(day)].push_back({step, aux, obj});
  }
  const std::string& Inspector(uint32_t lead) const {
    return inspectors_[lead % inspectors_.size()];
  }
  uint32_t NewPerson() { return next_person_++; }

  absl::Status CreateUsers();
  void ScheduleYear();
  // The generator's whole state after the days before next_day, with the store's log size.
  absl::Status SaveState(int next_day);
  // Restores a state saved by SaveState; returns the day to continue with.
  absl::StatusOr<int> LoadState();
  absl::StatusOr<int64_t> StoreLogSize();
  absl::Status RunDay(int day);
  absl::Status RunStep(WriteTxn& txn, int day, const Job& job);
  storage::Actor ActorFor(Step step) const;

  absl::Status PetitionRegister(WriteTxn& txn, int day, uint32_t n);
  absl::Status PetitionDecide(WriteTxn& txn, int day, uint32_t n);
  absl::Status PetitionNotify(WriteTxn& txn, int day, uint32_t n);
  absl::Status LeadRegister(WriteTxn& txn, int day, uint32_t n);
  // The shape of every lead step: load, check the transition, change, write, event.
  absl::Status ChangeLead(WriteTxn& txn, uint32_t n, server::domain::LeadAction action,
                          const std::string& event_action,
                          const std::function<absl::Status(storage::LeadRow&, v1::LeadState&,
                                                           storage::EventInput&)>& change);
  absl::Status LeadStep(WriteTxn& txn, int day, uint32_t n, Step step);
  absl::Status AddNote(WriteTxn& txn, const std::string& id, const std::string& kind,
                       const std::string& date, const std::string& text);
  absl::Status AddProposal(WriteTxn& txn, const storage::LeadRow& row, const std::string& kind,
                           const std::string& date);
  absl::Status ChangeCase(
      WriteTxn& txn, uint32_t n, server::domain::CaseAction action, const std::string& event_action,
      const std::function<absl::Status(storage::CaseRow&, storage::EventInput&)>& change);
  absl::Status CaseStep(WriteTxn& txn, int day, uint32_t n, Step step);
  absl::Status DispositionsPropose(WriteTxn& txn, int day, uint32_t matter, bool is_case);
  absl::Status DispositionsChange(WriteTxn& txn, int day, uint32_t matter, bool is_case, Step step);
  absl::Status AddHistory(WriteTxn& txn, const storage::DispositionRow& r, const std::string& kind,
                          const std::string& date);
  absl::Status Event(WriteTxn& txn, const storage::EventInput& e) {
    absl::StatusOr<int64_t> seq = txn.AppendEvent(e);
    if (!seq.ok()) return seq.status();
    ++counts_.events;
    return absl::OkStatus();
  }
  // The form the next case disposition takes so that the approved total keeps the 2023 shares.
  int NextCaseForm() const;

  storage::Store& store_;
  const YearOptions options_;
  std::mt19937_64 rng_;
  const server::domain::WorkCalendar& calendar_;
  const server::domain::MeasureTable& measures_;
  const absl::CivilDay start_;

  std::vector<std::vector<Job>> days_ = std::vector<std::vector<Job>>(kDays);
  std::vector<Petition> petitions_{1};  // index = number; 0 unused
  std::vector<Lead> leads_{1};
  std::vector<uint32_t> cases_{0};  // case number -> lead number
  std::vector<uint32_t> first_petition_of_person_;
  std::vector<std::string> inspectors_;
  uint32_t next_person_ = 1;
  int64_t menu_turn_[4] = {};
  std::array<int64_t, 4> proposed_forms_{};
  YearCounts counts_;
};

storage::Actor YearGenerator::ActorFor(Step step) const {
  switch (step) {
    case Step::kPetitionRegister:
    case Step::kPetitionNotify:
      return {"registrar-01", "registrar", ""};
    case Step::kPetitionDecide:
    case Step::kLeadApprove:
    case Step::kCaseFile:
    case Step::kDispositionsApprove:
      return {"leader-01", "leader", ""};
    case Step::kCaseReviewOpinion:
      return {"reviewer-01", "reviewer", ""};
    case Step::kLeadInquirySent:
    case Step::kLeadInquiryReply:
    case Step::kLeadPlan:
    case Step::kLeadReport:
    case Step::kCaseInvestigationReport:
    case Step::kCaseTransferReview:
    case Step::kDispositionsPropose:
      return {"inspector", "inspector", ""};
    default:
      return {"case-manager-01", "case-manager", ""};
  }
}

absl::Status YearGenerator::CreateUsers() {
  const int64_t n_inspectors =
      std::max<int64_t>(4, static_cast<int64_t>(kNationalLeads / options_.factor / 100));
  for (int64_t i = 1; i <= n_inspectors; ++i) {
    inspectors_.push_back(absl::StrFormat("inspector-%05d", i));
  }
  std::vector<storage::UserRecord> users = {
      {"registrar-01", "登记员", "信访室", "registrar", true, 1, 0, 0},
      {"case-manager-01", "案管", "案管室", "case-manager", true, 1, 0, 0},
      {"leader-01", "领导", "委领导", "leader", true, 1, 0, 0},
      {"reviewer-01", "审理员", "审理室", "reviewer", true, 1, 0, 0},
  };
  for (const std::string& id : inspectors_) {
    users.push_back({id, "检查员", "监督检查室", "inspector", true, 1, 0, 0});
  }
  for (size_t at = 0; at < users.size(); at += 1000) {
    const size_t end = std::min(users.size(), at + 1000);
    absl::StatusOr<std::string> done = store_.Apply(
        {"system", "admin", ""}, "", [&](WriteTxn& txn) -> absl::StatusOr<std::string> {
          for (size_t i = at; i < end; ++i) {
            storage::UserRecord u = users[i];
            u.created_us = u.updated_us = txn.now_us();
            if (absl::Status st = storage::InsertUser(txn, u); !st.ok()) return st;
            if (absl::Status st =
                    Event(txn, {"user.add", "user", u.user_id, "", "ENABLED", "roles=" + u.roles});
                !st.ok())
              return st;
          }
          return std::string();
        });
    ++counts_.mutations;
    if (!done.ok()) return done.status();
  }
  counts_.inspectors = inspectors_;
  return absl::OkStatus();
}

// ---- Petitions (petition_service.cc) -------------------------------------------------------

absl::Status YearGenerator::PetitionRegister(WriteTxn& txn, int day, uint32_t) {
  const storage::Keyring& keys = txn.keyring();
  absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "XF", options_.year);
  if (!number.ok()) return number.status();
  const uint32_t n = static_cast<uint32_t>(*number);
  if (n != petitions_.size()) return absl::InternalError("petition numbers out of step");
  Petition p;
  first_petition_of_person_.resize(next_person_, 0);
  // About one petition in eight is about someone already reported on (a repeat report).
  if (next_person_ > 1 && Real() < 0.13) {
    p.p1 = static_cast<uint32_t>(Uniform(1, static_cast<int>(next_person_ - 1)));
    p.original = first_petition_of_person_[p.p1];
  } else {
    p.p1 = NewPerson();
  }
  if (Real() < 0.15) p.p2 = NewPerson();
  p.anonymous = Real() < 0.4;
  first_petition_of_person_.resize(next_person_, 0);
  for (uint32_t person : {p.p1, p.p2}) {
    if (person != kNone && first_petition_of_person_[person] == 0) {
      first_petition_of_person_[person] = n;
    }
  }
  const std::string id = Id("XF", n);
  static constexpr v1::Channel kChannels[] = {
      v1::CHANNEL_ONLINE, v1::CHANNEL_ONLINE, v1::CHANNEL_ONLINE, v1::CHANNEL_LETTER,
      v1::CHANNEL_LETTER, v1::CHANNEL_VISIT,  v1::CHANNEL_PHONE,  v1::CHANNEL_HIGHER,
      v1::CHANNEL_AGENCY, v1::CHANNEL_ONLINE};
  static constexpr v1::Category kCategories[] = {
      v1::CATEGORY_ACCUSATION,   v1::CATEGORY_ACCUSATION,   v1::CATEGORY_ACCUSATION,
      v1::CATEGORY_COMPLAINT,    v1::CATEGORY_APPEAL,       v1::CATEGORY_SUGGESTION,
      v1::CATEGORY_OUT_OF_SCOPE, v1::CATEGORY_OUT_OF_SCOPE, v1::CATEGORY_NO_SUBSTANCE,
      v1::CATEGORY_ACCUSATION};
  storage::PetitionRow row;
  row.id = id;
  row.state = v1::PetitionState_Name(v1::PETITION_REGISTERED);
  row.channel = v1::Channel_Name(kChannels[n % 10]);
  row.category = v1::Category_Name(kCategories[(n / 10) % 10]);
  row.received_date = Date(day);
  row.anonymous = p.anonymous;
  row.disciplines = n % 3 == 0 ? "DISCIPLINE_INTEGRITY,DISCIPLINE_WORK" : "DISCIPLINE_INTEGRITY";
  absl::StatusOr<std::string> sealed;
  if (!p.anonymous) {
    v1::Reporter reporter;
    const int64_t who = 100'000'000 + n;  // reporters are not among the persons reported on
    reporter.set_name(PersonName(who));
    reporter.set_id_number(PersonIdNumber(who));
    reporter.set_phone(absl::StrFormat("139%08d", n % 100000000));
    reporter.set_address(PersonUnit(who) + "家属院");
    if (!(sealed = SealAt(keys, KeyDomain::kIdentity, "petitions", "reporter", id,
                          reporter.SerializeAsString()))
             .ok())
      return sealed.status();
    row.reporter = *sealed;
  }
  const std::string summary = "反映" + PersonName(p.p1) + "违规收受礼金、违规吃喝问题";
  std::string content = summary + "。";
  for (int i = 0; i < 6; ++i) content += "具体时间地点见附件，涉及金额若干，有知情人可以证实。";
  if (!(sealed = SealAt(keys, KeyDomain::kContent, "petitions", "summary", id, summary)).ok())
    return sealed.status();
  row.summary = *sealed;
  if (!(sealed = SealAt(keys, KeyDomain::kContent, "petitions", "content", id, content)).ok())
    return sealed.status();
  row.content = *sealed;
  absl::StatusOr<std::string> code = storage::GenerateReceiptCode();
  if (!code.ok()) return code.status();
  row.receipt_digest = storage::ReceiptDigest(keys, *storage::NormalizeReceiptCode(*code));
  row.registered_by = txn.actor().user_id;
  row.created_us = row.updated_us = txn.now_us();
  if (absl::Status st = storage::InsertPetition(txn, row); !st.ok()) return st;
  int64_t idx = 0;
  for (uint32_t person : {p.p1, p.p2}) {
    if (person == kNone) continue;
    ++idx;
    const v1::Subject s = SubjectProto(person);
    absl::StatusOr<std::string> subject =
        SealAt(keys, KeyDomain::kIdentity, "petition_subjects", "subject", ChildRowId(id, idx),
               s.SerializeAsString());
    if (!subject.ok()) return subject.status();
    if (absl::Status st = storage::InsertSubject(
            txn, {id, idx, *subject, s.unit(), s.rank(), server::SubjectFlags(s)});
        !st.ok())
      return st;
    for (const std::string& digest : server::SubjectDigests(keys, s)) {
      if (absl::Status st = storage::AddPersonIndex(txn, digest, id); !st.ok()) return st;
    }
  }
  const server::domain::PetitionDeadlineRules rules;
  auto deadline = [&](const std::string& name, int working_days) {
    server::domain::WorkCalendar::Deadline due =
        calendar_.AddWorkingDays(start_ + day, working_days);
    return storage::SetDeadline(txn, {id, name, FormatDate(due.due), due.provisional, ""});
  };
  if (absl::Status st = deadline("proposal", rules.proposal_working_days); !st.ok()) return st;
  if (!p.anonymous) {
    if (absl::Status st = deadline("acceptance_notice", rules.notice_working_days); !st.ok())
      return st;
  }
  if (absl::Status st = Event(txn, {"petition.register", "petition", id, "", "REGISTERED",
                                    "channel=" + row.channel + " category=" + row.category +
                                        (p.anonymous ? " anonymous" : " real-name")});
      !st.ok())
    return st;
  // As the service answers: the objects sharing a person index with this one.
  absl::StatusOr<std::vector<std::string>> related =
      server::RelatedByPerson(txn.db(), txn.keyring(), id);
  if (!related.ok()) return related.status();
  petitions_.push_back(p);
  ++counts_.petitions;
  Schedule(day + Uniform(3, 10), Step::kPetitionDecide, n);
  return absl::OkStatus();
}

absl::Status YearGenerator::PetitionDecide(WriteTxn& txn, int day, uint32_t n) {
  Petition& p = petitions_[n];
  const std::string id = Id("XF", n);
  // The handling mix: about 55 % of the leads of the year come from petitions (of those that
  // are not duplicates, which are about one in eight).
  const double accept_share =
      0.55 / 0.87 * static_cast<double>(kNationalLeads) / static_cast<double>(kNationalPetitions);
  v1::HandlingMode mode;
  if (p.original != 0 && p.original != n) {
    mode = v1::HANDLING_DUPLICATE;
  } else {
    const double r = Real();
    mode = r < accept_share          ? v1::HANDLING_ACCEPT
           : r < accept_share + 0.03 ? v1::HANDLING_ESCALATE
           : r < accept_share + 0.33 ? v1::HANDLING_TRANSFER_DOWN
           : r < accept_share + 0.43 ? v1::HANDLING_ASSIGN_DOWN
           : r < accept_share + 0.58 ? v1::HANDLING_REFER_OUT
                                     : v1::HANDLING_ARCHIVE;
  }
  using server::domain::PetitionAction;
  static const std::map<v1::HandlingMode, PetitionAction> kAction = {
      {v1::HANDLING_ACCEPT, PetitionAction::kAccept},
      {v1::HANDLING_ESCALATE, PetitionAction::kEscalate},
      {v1::HANDLING_TRANSFER_DOWN, PetitionAction::kTransferDown},
      {v1::HANDLING_ASSIGN_DOWN, PetitionAction::kAssignDown},
      {v1::HANDLING_REFER_OUT, PetitionAction::kReferOut},
      {v1::HANDLING_ARCHIVE, PetitionAction::kArchive},
      {v1::HANDLING_DUPLICATE, PetitionAction::kDuplicate}};
  const PetitionAction action = kAction.at(mode);
  absl::StatusOr<storage::PetitionRow> row = storage::GetPetition(txn.db(), id);
  if (!row.ok()) return row.status();
  if (absl::Status st = txn.CheckVersion("petitions", "id", id, row->version); !st.ok()) return st;
  const v1::PetitionState from = server::PetitionStateOf(*row);
  absl::StatusOr<v1::PetitionState> next = server::domain::NextPetitionState(id, from, action);
  if (!next.ok()) return next.status();
  storage::EventInput event{"petition.decide",
                            "petition",
                            id,
                            std::string(server::domain::PetitionStateName(from)),
                            std::string(server::domain::PetitionStateName(*next)),
                            ""};
  const std::string date = Date(day);
  const server::domain::PetitionDeadlineRules rules;
  absl::StatusOr<std::string> reason = SealAt(txn.keyring(), KeyDomain::kContent, "petitions",
                                              "decision_reason", id, "经集体研究，按规定处理");
  if (!reason.ok()) return reason.status();
  row->decision_mode = v1::HandlingMode_Name(mode);
  row->decision_reason = *reason;
  row->decided_by = txn.actor().user_id;
  row->decided_date = date;
  const bool has_body = mode == v1::HANDLING_ESCALATE || mode == v1::HANDLING_TRANSFER_DOWN ||
                        mode == v1::HANDLING_ASSIGN_DOWN || mode == v1::HANDLING_REFER_OUT;
  if (has_body)
    row->decision_to = PersonUnit(p.p1).substr(0, PersonUnit(p.p1).find("县") + 3) + "纪委监委";
  if (mode == v1::HANDLING_ASSIGN_DOWN) row->decision_due = Date(day + 60);
  event.reason = "mode=" + std::string(server::domain::PetitionActionName(action));
  if (!row->decision_to.empty()) event.reason += " to=" + row->decision_to;
  if (absl::Status st = storage::MeetDeadline(txn, id, "proposal", date); !st.ok()) return st;
  const absl::CivilDay received = *server::domain::ParseDate("received_date", row->received_date);
  auto deadline = [&](const std::string& name, absl::CivilDay from_day, int working_days,
                      const std::string& met) {
    server::domain::WorkCalendar::Deadline due = calendar_.AddWorkingDays(from_day, working_days);
    return storage::SetDeadline(txn, {id, name, FormatDate(due.due), due.provisional, met});
  };
  absl::Status st;
  switch (mode) {
    case v1::HANDLING_ESCALATE:
      st = deadline("escalation", received, rules.escalation_working_days, date);
      break;
    case v1::HANDLING_TRANSFER_DOWN:
      st = deadline("transfer", received, rules.transfer_working_days, date);
      break;
    case v1::HANDLING_ASSIGN_DOWN:
      st = storage::SetDeadline(txn, {id, "result_report", row->decision_due, false, ""});
      break;
    case v1::HANDLING_ARCHIVE:
      row->closed_date = date;
      if (!row->anonymous)
        st = deadline("result_feedback", start_ + day, rules.feedback_working_days, "");
      break;
    case v1::HANDLING_DUPLICATE: {
      absl::StatusOr<storage::PetitionRow> original =
          storage::GetPetition(txn.db(), Id("XF", p.original));
      if (!original.ok()) return original.status();
      const std::string original_state = server::PetitionStateText(original->state);
      original->duplicate_count += 1;
      if (st = storage::UpdatePetition(txn, *original); !st.ok()) return st;
      if (st = Event(txn, {"petition.duplicate_linked", "petition", original->id, original_state,
                           original_state, "duplicate=" + id});
          !st.ok())
        return st;
      if (st = storage::AddObjectLink(txn, id, original->id, "duplicate_of"); !st.ok()) return st;
      row->duplicate_of = original->id;
      row->closed_date = date;
      event.reason += " duplicate_of=" + original->id;
      st = storage::DropDeadline(txn, id, "acceptance_notice");
      break;
    }
    default:
      break;
  }
  if (!st.ok()) return st;
  row->state = v1::PetitionState_Name(*next);
  if (st = storage::UpdatePetition(txn, *row); !st.ok()) return st;
  if (st = Event(txn, event); !st.ok()) return st;
  p.mode = static_cast<uint8_t>(mode);
  counts_.petition_modes[v1::HandlingMode_Name(mode)] += 1;
  if (mode == v1::HANDLING_ACCEPT) {
    Lead lead;
    lead.petition = n;
    lead.p1 = p.p1;
    lead.p2 = p.p2;
    leads_.push_back(lead);
    Schedule(day + 1, Step::kLeadRegister, static_cast<uint32_t>(leads_.size() - 1));
  }
  if (!p.anonymous && mode != v1::HANDLING_DUPLICATE && mode != v1::HANDLING_ARCHIVE) {
    Schedule(day + Uniform(1, 5), Step::kPetitionNotify, n);
  }
  return absl::OkStatus();
}

absl::Status YearGenerator::PetitionNotify(WriteTxn& txn, int day, uint32_t n) {
  const std::string id = Id("XF", n);
  absl::StatusOr<storage::PetitionRow> row = storage::GetPetition(txn.db(), id);
  if (!row.ok()) return row.status();
  if (absl::Status st = txn.CheckVersion("petitions", "id", id, row->version); !st.ok()) return st;
  const v1::PetitionState from = server::PetitionStateOf(*row);
  absl::StatusOr<v1::PetitionState> next =
      server::domain::NextPetitionState(id, from, server::domain::PetitionAction::kNotify);
  if (!next.ok()) return next.status();
  const std::string date = Date(day);
  if (absl::Status st = storage::MeetDeadline(txn, id, "acceptance_notice", date); !st.ok())
    return st;
  if (absl::Status st = server::AddSealedPetitionMessage(
          txn, id, "acceptance_notice", date, "phone", "您反映的问题已收悉，已按规定处理。");
      !st.ok())
    return st;
  row->state = v1::PetitionState_Name(*next);
  if (absl::Status st = storage::UpdatePetition(txn, *row); !st.ok()) return st;
  return Event(
      txn, {"petition.notify", "petition", id, std::string(server::domain::PetitionStateName(from)),
            std::string(server::domain::PetitionStateName(*next)), "means=phone"});
}

// ---- Leads (lead_service.cc) ---------------------------------------------------------------

absl::Status YearGenerator::LeadRegister(WriteTxn& txn, int day, uint32_t n) {
  const storage::Keyring& keys = txn.keyring();
  Lead& lead = leads_[n];
  absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "XS", options_.year);
  if (!number.ok()) return number.status();
  if (*number != n) return absl::InternalError("lead numbers out of step");
  const std::string id = Id("XS", n);
  google::protobuf::RepeatedPtrField<v1::Subject> subjects;
  std::string summary;
  if (lead.petition != 0) {
    // As the service does: the subjects and summary are opened from the petition.
    const std::string pid = Id("XF", lead.petition);
    absl::StatusOr<storage::PetitionRow> p = storage::GetPetition(txn.db(), pid);
    if (!p.ok()) return p.status();
    absl::StatusOr<std::vector<storage::SubjectRow>> rows = storage::GetSubjects(txn.db(), pid);
    if (!rows.ok()) return rows.status();
    for (const storage::SubjectRow& s : *rows) {
      absl::StatusOr<std::string> bytes =
          server::OpenAt(keys, "petition_subjects", "subject", ChildRowId(pid, s.idx), s.sealed);
      if (!bytes.ok()) return bytes.status();
      subjects.Add()->ParseFromString(*bytes);
    }
    absl::StatusOr<std::string> text =
        server::OpenAt(keys, "petitions", "summary", pid, p->summary);
    if (!text.ok()) return text.status();
    summary = *text;
  } else {
    for (uint32_t person : {lead.p1, lead.p2}) {
      if (person != kNone) *subjects.Add() = SubjectProto(person);
    }
    summary = "巡察移交：" + PersonName(lead.p1) + "涉嫌违规发放津补贴";
  }
  // How the lead will end, drawn now; the longer paths only while they can end in the year.
  struct Option {
    Plan plan;
    double share;
    int latest;  // last registration day from which the path usually ends in the year
  };
  static constexpr Option kPlans[] = {
      {Plan::kCase, 0.40, 290}, {Plan::kVerifyFirstForm, 0.27, 330}, {Plan::kInquiry, 0.209, 345}};
  double r = Real();
  lead.plan = Real() < 0.6 ? Plan::kClose : Plan::kHold;
  for (const Option& o : kPlans) {
    if (day > o.latest) continue;
    const double p = o.share * kDays / o.latest;
    if (r < p) {
      lead.plan = o.plan;
      break;
    }
    r -= p;
  }
  storage::LeadRow row;
  row.id = id;
  row.state = v1::LeadState_Name(v1::LEAD_REGISTERED);
  row.source = v1::LeadSource_Name(static_cast<v1::LeadSource>(lead.source));
  row.petition_id = lead.petition ? Id("XF", lead.petition) : "";
  absl::StatusOr<std::string> sealed =
      SealAt(keys, KeyDomain::kContent, "leads", "summary", id, summary);
  if (!sealed.ok()) return sealed.status();
  row.summary = *sealed;
  row.report_required = server::domain::ReportToHigherRequired(subjects);
  row.registered_by = txn.actor().user_id;
  row.registered_date = Date(day);
  row.created_us = row.updated_us = txn.now_us();
  if (absl::Status st = storage::InsertLead(txn, row); !st.ok()) return st;
  for (int i = 0; i < subjects.size(); ++i) {
    const v1::Subject& s = subjects[i];
    absl::StatusOr<std::string> subject =
        SealAt(keys, KeyDomain::kIdentity, storage::kLeadSubjects, "subject", ChildRowId(id, i + 1),
               s.SerializeAsString());
    if (!subject.ok()) return subject.status();
    if (absl::Status st = storage::InsertSubject(
            txn, {id, i + 1, *subject, s.unit(), s.rank(), server::SubjectFlags(s)},
            storage::kLeadSubjects);
        !st.ok())
      return st;
    for (const std::string& digest : server::SubjectDigests(keys, s)) {
      if (absl::Status st = storage::AddPersonIndex(txn, digest, id); !st.ok()) return st;
    }
  }
  const server::domain::LeadDeadlineRules rules;
  if (absl::Status st = storage::SetDeadline(
          txn, {id, "disposal_proposal", FormatDate(start_ + day + rules.proposal_calendar_days),
                false, ""});
      !st.ok())
    return st;
  if (lead.petition != 0) {
    if (absl::Status st = storage::AddObjectLink(txn, row.petition_id, id, "lead"); !st.ok())
      return st;
    if (absl::Status st = Event(txn, {"petition.handed_on", "petition", row.petition_id, "ACCEPTED",
                                      "ACCEPTED", "lead=" + id});
        !st.ok())
      return st;
  }
  if (absl::Status st =
          Event(txn, {"lead.register", "lead", id, "", "REGISTERED", "source=" + row.source});
      !st.ok())
    return st;
  ++counts_.leads;
  Schedule(day + Uniform(1, 3), Step::kLeadAssign, n);
  return absl::OkStatus();
}

absl::Status YearGenerator::ChangeLead(
    WriteTxn& txn, uint32_t n, server::domain::LeadAction action, const std::string& event_action,
    const std::function<absl::Status(storage::LeadRow&, v1::LeadState&, storage::EventInput&)>&
        change) {
  const std::string id = Id("XS", n);
  absl::StatusOr<storage::LeadRow> row = storage::GetLead(txn.db(), id);
  if (!row.ok()) return row.status();
  if (absl::Status st = txn.CheckVersion("leads", "id", id, row->version); !st.ok()) return st;
  const v1::LeadState from = server::LeadStateOf(*row);
  absl::StatusOr<v1::LeadState> next = server::domain::NextLeadState(id, from, action);
  if (!next.ok()) return next.status();
  v1::LeadState to = *next;
  storage::EventInput event{
      event_action, "lead", id, std::string(server::domain::LeadStateName(from)), "", ""};
  if (absl::Status st = change(*row, to, event); !st.ok()) return st;
  if (to == server::domain::kDecidedByProposal) return absl::InternalError("no state after " + id);
  event.state_after = std::string(server::domain::LeadStateName(to));
  row->state = v1::LeadState_Name(to);
  if (absl::Status st = storage::UpdateLead(txn, *row); !st.ok()) return st;
  return Event(txn, event);
}

absl::Status YearGenerator::AddNote(WriteTxn& txn, const std::string& id, const std::string& kind,
                                    const std::string& date, const std::string& text) {
  absl::StatusOr<int64_t> seq = storage::NextMessageSeq(txn.db(), id, storage::kLeadNotes);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<std::string> body = SealAt(txn.keyring(), KeyDomain::kContent, storage::kLeadNotes,
                                            "body", ChildRowId(id, *seq), text);
  if (!body.ok()) return body.status();
  return storage::AddMessage(txn, {id, *seq, kind, date, "", *body, txn.actor().user_id, 0},
                             storage::kLeadNotes);
}

absl::Status YearGenerator::AddProposal(WriteTxn& txn, const storage::LeadRow& row,
                                        const std::string& kind, const std::string& date) {
  absl::StatusOr<std::vector<storage::ProposalRow>> existing =
      storage::GetProposals(txn.db(), row.id);
  if (!existing.ok()) return existing.status();
  const int64_t seq = static_cast<int64_t>(existing->size()) + 1;
  absl::StatusOr<std::string> sealed =
      SealAt(txn.keyring(), KeyDomain::kContent, "lead_proposals", "reason",
             ChildRowId(row.id, seq), "经集体排查，建议" + kind);
  if (!sealed.ok()) return sealed.status();
  absl::StatusOr<int64_t> added = storage::AddProposal(
      txn, {row.id, 0, kind, *sealed, txn.actor().user_id, date, row.state, "", "", ""});
  return added.ok() ? absl::OkStatus() : added.status();
}

absl::Status YearGenerator::LeadStep(WriteTxn& txn, int day, uint32_t n, Step step) {
  using server::domain::LeadAction;
  Lead& lead = leads_[n];
  const std::string date = Date(day);
  const server::domain::LeadDeadlineRules rules;
  switch (step) {
    case Step::kLeadAssign: {
      const std::string inspector = Inspector(n);
      absl::Status st = ChangeLead(
          txn, n, LeadAction::kAssign, "lead.assign",
          [&](storage::LeadRow& r, v1::LeadState&, storage::EventInput& e) -> absl::Status {
            absl::StatusOr<storage::UserRecord> user = storage::GetUser(txn.db(), inspector);
            if (!user.ok()) return user.status();
            e.reason = "to=" + inspector;
            r.inspector = inspector;
            r.department = "第" + std::to_string(n % 12 + 1) + "监督检查室";
            return storage::AddAssignment(
                txn, {r.id, 0, inspector, r.department, txn.actor().user_id, date});
          });
      if (!st.ok()) return st;
      Schedule(day + Uniform(2, 8), Step::kLeadPropose, n);
      return absl::OkStatus();
    }
    case Step::kLeadPropose: {
      // The disposal method, or after an inquiry reply the first-form measure.
      const bool after_reply =
          lead.plan == Plan::kInquiry && day > 0 &&
          storage::GetLead(txn.db(), Id("XS", n))->state == "LEAD_INQUIRY_REPLIED";
      const std::string kind = after_reply                   ? "first-form"
                               : lead.plan == Plan::kInquiry ? "talk-inquiry"
                               : lead.plan == Plan::kHold    ? "hold"
                               : lead.plan == Plan::kClose   ? "close"
                                                             : "verification";
      absl::Status st = ChangeLead(
          txn, n, LeadAction::kPropose, "lead.propose",
          [&](storage::LeadRow& r, v1::LeadState&, storage::EventInput& e) -> absl::Status {
            e.reason = "method=" + kind;
            if (absl::Status st = storage::MeetDeadline(txn, r.id, "disposal_proposal", date);
                !st.ok())
              return st;
            return AddProposal(txn, r, kind, date);
          });
      if (!st.ok()) return st;
      Schedule(day + Uniform(1, 3), Step::kLeadApprove, n);
      return absl::OkStatus();
    }
    case Step::kLeadApprove: {
      v1::LeadState reached{};
      absl::Status st = ChangeLead(
          txn, n, LeadAction::kApprove, "lead.approve",
          [&](storage::LeadRow& r, v1::LeadState& to, storage::EventInput& e) -> absl::Status {
            absl::StatusOr<std::vector<storage::ProposalRow>> proposals =
                storage::GetProposals(txn.db(), r.id);
            if (!proposals.ok()) return proposals.status();
            if (proposals->empty() || !proposals->back().outcome.empty())
              return absl::FailedPreconditionError("lead " + r.id + " has no pending proposal");
            storage::ProposalRow p = proposals->back();
            absl::StatusOr<v1::LeadState> target = server::domain::ApprovedState(p.kind);
            if (!target.ok()) return target.status();
            to = *target;
            if (to == v1::LEAD_VERIFICATION) {
              server::domain::WorkCalendar::Deadline due =
                  calendar_.AddWorkingDays(start_ + day, rules.verification_working_days);
              if (absl::Status st = storage::SetDeadline(
                      txn, {r.id, "verification_report", FormatDate(due.due), due.provisional, ""});
                  !st.ok())
                return st;
            } else if (to == v1::LEAD_HOLD) {
              r.hold_review_date = FormatDate(start_ + day + rules.hold_review_days);
            } else if (to == v1::LEAD_CLOSED || to == v1::LEAD_TRANSFERRED) {
              r.closed_date = date;
            }
            if (to != v1::LEAD_HOLD) r.hold_review_date.clear();
            p.outcome = "approved";
            p.decided_by = txn.actor().user_id;
            absl::StatusOr<std::string> why =
                SealAt(txn.keyring(), KeyDomain::kContent, "lead_proposals", "decision_reason",
                       ChildRowId(r.id, p.seq), "同意");
            if (!why.ok()) return why.status();
            p.decision_reason = *why;
            e.reason = "approved " + p.kind;
            reached = to;
            return storage::DecideProposal(txn, p);
          });
      if (!st.ok()) return st;
      if (reached == v1::LEAD_INQUIRY) Schedule(day + Uniform(2, 7), Step::kLeadInquirySent, n);
      if (reached == v1::LEAD_VERIFICATION) Schedule(day + Uniform(2, 5), Step::kLeadPlan, n);
      if (reached == v1::LEAD_CASE_PENDING) Schedule(day + Uniform(1, 5), Step::kCaseRequest, n);
      return absl::OkStatus();
    }
    case Step::kLeadInquirySent:
    case Step::kLeadInquiryReply:
    case Step::kLeadPlan: {
      const LeadAction action = step == Step::kLeadInquirySent    ? LeadAction::kInquirySent
                                : step == Step::kLeadInquiryReply ? LeadAction::kInquiryReply
                                                                  : LeadAction::kPlan;
      const std::string kind = step == Step::kLeadInquirySent    ? "inquiry_sent"
                               : step == Step::kLeadInquiryReply ? "inquiry_reply"
                                                                 : "verification_plan";
      absl::Status st = ChangeLead(
          txn, n, action, "lead." + kind,
          [&](storage::LeadRow& r, v1::LeadState&, storage::EventInput&) -> absl::Status {
            if (step == Step::kLeadInquirySent) {
              server::domain::WorkCalendar::Deadline due =
                  calendar_.AddWorkingDays(start_ + day, rules.inquiry_reply_working_days);
              if (absl::Status st = storage::SetDeadline(
                      txn, {r.id, "inquiry_reply", FormatDate(due.due), due.provisional, ""});
                  !st.ok())
                return st;
            } else if (step == Step::kLeadInquiryReply) {
              if (absl::Status st = storage::MeetDeadline(txn, r.id, "inquiry_reply", date);
                  !st.ok())
                return st;
            }
            const std::string text =
                step == Step::kLeadPlan
                    ? "team: " + Inspector(n) + "\n初核方案：调取账目，约谈知情人"
                    : "函询内容及回复要点";
            return AddNote(txn, r.id, kind, date, text);
          });
      if (!st.ok()) return st;
      if (step == Step::kLeadInquirySent)
        Schedule(day + Uniform(5, 15), Step::kLeadInquiryReply, n);
      if (step == Step::kLeadInquiryReply)
        Schedule(day + Uniform(1, 5), Step::kDispositionsPropose, n, 0);
      if (step == Step::kLeadPlan) Schedule(day + Uniform(10, 30), Step::kLeadReport, n);
      return absl::OkStatus();
    }
    case Step::kLeadReport: {
      const std::string kind = lead.plan == Plan::kCase ? "file-case" : "first-form";
      absl::Status st = ChangeLead(
          txn, n, LeadAction::kReport, "lead.verification_report",
          [&](storage::LeadRow& r, v1::LeadState&, storage::EventInput& e) -> absl::Status {
            e.reason = "proposal=" + kind;
            if (absl::Status st = storage::MeetDeadline(txn, r.id, "verification_report", date);
                !st.ok())
              return st;
            if (absl::Status st = AddNote(txn, r.id, "verification_report", date,
                                          "初步核实报告：反映问题基本属实");
                !st.ok())
              return st;
            return AddProposal(txn, r, kind, date);
          });
      if (!st.ok()) return st;
      if (lead.plan == Plan::kCase) {
        Schedule(day + Uniform(1, 3), Step::kLeadApprove, n);
      } else {
        Schedule(day + Uniform(1, 5), Step::kDispositionsPropose, n, 0);
      }
      return absl::OkStatus();
    }
    default:
      return absl::InternalError("not a lead step");
  }
}

// ---- Cases (case_service.cc) ---------------------------------------------------------------

absl::Status YearGenerator::ChangeCase(
    WriteTxn& txn, uint32_t n, server::domain::CaseAction action, const std::string& event_action,
    const std::function<absl::Status(storage::CaseRow&, storage::EventInput&)>& change) {
  const std::string id = Id("LA", n);
  absl::StatusOr<storage::CaseRow> row = storage::GetCase(txn.db(), id);
  if (!row.ok()) return row.status();
  if (absl::Status st = txn.CheckVersion("cases", "id", id, row->version); !st.ok()) return st;
  v1::CaseState from{};
  v1::CaseState_Parse(row->state, &from);
  absl::StatusOr<v1::CaseState> next = server::domain::NextCaseState(id, from, action);
  if (!next.ok()) return next.status();
  storage::EventInput event{event_action,
                            "case",
                            id,
                            std::string(server::domain::CaseStateName(from)),
                            std::string(server::domain::CaseStateName(*next)),
                            ""};
  if (absl::Status st = change(*row, event); !st.ok()) return st;
  row->state = v1::CaseState_Name(*next);
  if (absl::Status st = storage::UpdateCase(txn, *row); !st.ok()) return st;
  return Event(txn, event);
}

absl::Status YearGenerator::CaseStep(WriteTxn& txn, int day, uint32_t n, Step step) {
  using server::domain::CaseAction;
  const std::string date = Date(day);
  switch (step) {
    case Step::kCaseRequest: {  // n is the lead
      const std::string lead_id = Id("XS", n);
      absl::StatusOr<server::LeadRecord> lead = server::LoadLeadRecord(txn.db(), lead_id);
      if (!lead.ok()) return lead.status();
      if (lead->row.state != "LEAD_CASE_PENDING")
        return absl::FailedPreconditionError(lead_id + " is not CASE_PENDING");
      absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "LA", options_.year);
      if (!number.ok()) return number.status();
      if (*number != static_cast<int64_t>(cases_.size()))
        return absl::InternalError("case numbers out of step");
      const std::string id = Id("LA", static_cast<uint32_t>(*number));
      storage::CaseRow row;
      row.id = id;
      row.state = v1::CaseState_Name(v1::CASE_FILING_REQUESTED);
      row.lead_id = lead_id;
      row.inspector = lead->row.inspector;
      row.requested_by = txn.actor().user_id;
      row.created_us = row.updated_us = txn.now_us();
      if (absl::Status st = storage::InsertCase(txn, row); !st.ok()) return st;
      absl::StatusOr<std::vector<v1::Subject>> subjects =
          server::OpenLeadSubjects(txn.keyring(), *lead);
      if (!subjects.ok()) return subjects.status();
      for (size_t i = 0; i < subjects->size(); ++i) {
        v1::Subject person;
        person.set_name((*subjects)[i].name());
        person.set_unit((*subjects)[i].unit());
        absl::StatusOr<std::string> sealed =
            SealAt(txn.keyring(), KeyDomain::kIdentity, "case_persons", "person",
                   ChildRowId(id, static_cast<int64_t>(i + 1)), person.SerializeAsString());
        if (!sealed.ok()) return sealed.status();
        storage::CasePersonRow p;
        p.case_id = id;
        p.idx = static_cast<int64_t>(i + 1);
        p.person = *sealed;
        if (absl::Status st = storage::PutCasePerson(txn, p); !st.ok()) return st;
      }
      if (absl::Status st = AddNote(txn, id, "filing_request", date, "立案请示：建议立案审查调查");
          !st.ok())
        return st;
      if (absl::Status st = storage::AddObjectLink(txn, lead_id, id, "case"); !st.ok()) return st;
      if (absl::Status st = Event(
              txn, {"case.request_filing", "case", id, "", "FILING_REQUESTED", "lead=" + lead_id});
          !st.ok())
        return st;
      const uint32_t c = static_cast<uint32_t>(cases_.size());
      cases_.push_back(n);
      leads_[n].case_no = c;
      ++counts_.cases;
      Schedule(day + Uniform(1, 3), Step::kCaseFile, c);
      return absl::OkStatus();
    }
    case Step::kCaseFile: {
      const server::domain::LeadDeadlineRules rules;
      absl::Status st = ChangeCase(
          txn, n, CaseAction::kApproveFiling, "case.file",
          [&](storage::CaseRow& r, storage::EventInput& e) -> absl::Status {
            absl::StatusOr<std::string> sealed =
                SealAt(txn.keyring(), KeyDomain::kIdentity, "cases", "external_approver", r.id,
                       "党委书记");
            if (!sealed.ok()) return sealed.status();
            r.external_approver = *sealed;
            r.external_date = date;
            r.approved_by = txn.actor().user_id;
            r.filed_date = date;
            if (absl::Status st = storage::SetDeadline(
                    txn, {r.id, "investigation_report",
                          FormatDate(start_ + day + rules.case_investigation_days), false, ""});
                !st.ok())
              return st;
            absl::StatusOr<storage::LeadRow> lead = storage::GetLead(txn.db(), r.lead_id);
            if (!lead.ok()) return lead.status();
            lead->state = v1::LeadState_Name(v1::LEAD_CASE_FILED);
            lead->case_id = r.id;
            if (absl::Status st = storage::UpdateLead(txn, *lead); !st.ok()) return st;
            if (absl::Status st = Event(txn, {"lead.case_filed", "lead", lead->id, "CASE_PENDING",
                                              "CASE_FILED", "case=" + r.id});
                !st.ok())
              return st;
            e.reason = "external_approval=" + date;
            return absl::OkStatus();
          });
      if (!st.ok()) return st;
      Schedule(day + Uniform(15, 35), Step::kCaseInvestigationReport, n);
      return absl::OkStatus();
    }
    case Step::kCaseInvestigationReport:
    case Step::kCaseTransferReview:
    case Step::kCaseReviewOpinion:
    case Step::kCaseClose: {
      const CaseAction action = step == Step::kCaseInvestigationReport
                                    ? CaseAction::kInvestigationReport
                                : step == Step::kCaseTransferReview ? CaseAction::kTransferToReview
                                : step == Step::kCaseReviewOpinion  ? CaseAction::kReviewOpinion
                                                                    : CaseAction::kClose;
      const std::string name = step == Step::kCaseInvestigationReport ? "investigation_report"
                               : step == Step::kCaseTransferReview    ? "transfer_review"
                               : step == Step::kCaseReviewOpinion     ? "review_opinion"
                                                                      : "close";
      absl::Status st = ChangeCase(
          txn, n, action, "case." + name,
          [&](storage::CaseRow& r, storage::EventInput&) -> absl::Status {
            if (step == Step::kCaseInvestigationReport) {
              if (absl::Status st = storage::MeetDeadline(txn, r.id, "investigation_report", date);
                  !st.ok())
                return st;
              return AddNote(txn, r.id, name, date, "审查调查报告：违纪事实清楚，证据确凿");
            }
            if (step == Step::kCaseReviewOpinion)
              return AddNote(txn, r.id, name, date, "审理意见：同意给予处分");
            if (step == Step::kCaseClose) r.closed_date = date;
            return absl::OkStatus();
          });
      if (!st.ok()) return st;
      if (step == Step::kCaseInvestigationReport)
        Schedule(day + Uniform(1, 5), Step::kCaseTransferReview, n);
      if (step == Step::kCaseTransferReview)
        Schedule(day + Uniform(5, 12), Step::kCaseReviewOpinion, n);
      if (step == Step::kCaseReviewOpinion)
        Schedule(day + Uniform(1, 3), Step::kDispositionsPropose, n, 1);
      return absl::OkStatus();
    }
    default:
      return absl::InternalError("not a case step");
  }
}

// ---- Dispositions (disposition_service.cc) --------------------------------------------------

int YearGenerator::NextCaseForm() const {
  const int64_t total =
      proposed_forms_[0] + proposed_forms_[1] + proposed_forms_[2] + proposed_forms_[3] + 1;
  int best = 1;
  double best_deficit = -1e18;
  for (int f = 0; f < 4; ++f) {
    const double deficit = kFormsPerMille[static_cast<size_t>(f)] / 1000.0 * total -
                           static_cast<double>(proposed_forms_[static_cast<size_t>(f)]);
    if (deficit > best_deficit) {
      best_deficit = deficit;
      best = f;
    }
  }
  return best;
}

absl::Status YearGenerator::AddHistory(WriteTxn& txn, const storage::DispositionRow& r,
                                       const std::string& kind, const std::string& date) {
  absl::StatusOr<std::vector<storage::DispositionHistoryRow>> h =
      storage::GetDispositionHistory(txn.db(), r.id);
  if (!h.ok()) return h.status();
  return storage::AddDispositionHistory(txn, {r.id, static_cast<int64_t>(h->size()) + 1, kind, date,
                                              txn.actor().user_id, r.measures, ""});
}

absl::Status YearGenerator::DispositionsPropose(WriteTxn& txn, int day, uint32_t matter,
                                                bool is_case) {
  const std::string object_id = is_case ? Id("LA", matter) : Id("XS", matter);
  absl::StatusOr<server::dispositions::Matter> m =
      server::dispositions::LoadMatter(txn.db(), object_id);
  if (!m.ok()) return m.status();
  const size_t persons = m->lead.subjects.size();
  for (size_t i = 1; i <= persons; ++i) {
    absl::StatusOr<v1::Subject> subject =
        server::dispositions::SubjectOf(txn.keyring(), *m, static_cast<int64_t>(i));
    if (!subject.ok()) return subject.status();
    const int form = is_case ? NextCaseForm() : 0;
    const auto& menu = Menu()[static_cast<size_t>(form)];
    const MeasureChoice& choice = menu[static_cast<size_t>(menu_turn_[form]++) % menu.size()];
    absl::StatusOr<int64_t> number = storage::NextIdNumber(txn, "CZ", options_.year);
    if (!number.ok()) return number.status();
    storage::DispositionRow row;
    row.id = Id("CZ", static_cast<uint32_t>(*number));
    row.state = server::dispositions::StateName(v1::DISPOSITION_PROPOSED);
    row.object_id = m->id;
    row.subject_idx = static_cast<int64_t>(i);
    row.unit = subject->unit();
    row.disciplines = "DISCIPLINE_INTEGRITY";
    row.decided_date = Date(day);
    if (absl::Status st =
            server::dispositions::Derive(measures_, choice.codes, choice.probation, row);
        !st.ok())
      return st;
    if (row.form != form + 1) return absl::InternalError("menu form differs from derived form");
    absl::StatusOr<std::string> reason =
        SealAt(txn.keyring(), KeyDomain::kContent, "dispositions", "reason", row.id,
               "依据《中国共产党纪律处分条例》有关规定");
    if (!reason.ok()) return reason.status();
    row.reason = *reason;
    row.proposed_by = txn.actor().user_id;
    row.created_us = row.updated_us = txn.now_us();
    if (absl::Status st = storage::InsertDisposition(txn, row); !st.ok()) return st;
    if (absl::Status st = AddHistory(txn, row, "proposed", Date(day)); !st.ok()) return st;
    for (const std::string& digest : server::SubjectDigests(txn.keyring(), *subject)) {
      if (absl::Status st = storage::AddDispositionIndex(txn, digest, row.id); !st.ok()) return st;
    }
    if (absl::Status st = storage::AddObjectLink(txn, m->id, row.id, "disposition"); !st.ok())
      return st;
    if (absl::Status st =
            Event(txn, {"disposition.propose", "disposition", row.id, "", "PROPOSED",
                        "object=" + m->id + " person=" + std::to_string(i) +
                            " form=" + std::to_string(row.form) + " measures=" + row.measures});
        !st.ok())
      return st;
    proposed_forms_[static_cast<size_t>(form)] += 1;
    ++counts_.dispositions_proposed;
  }
  Schedule(day + Uniform(1, 3), Step::kDispositionsApprove, matter, is_case ? 1 : 0);
  return absl::OkStatus();
}

absl::Status YearGenerator::DispositionsChange(WriteTxn& txn, int day, uint32_t matter,
                                               bool is_case, Step step) {
  const std::string object_id = is_case ? Id("LA", matter) : Id("XS", matter);
  absl::StatusOr<std::vector<storage::DispositionRow>> rows =
      storage::DispositionsOf(txn.db(), object_id);
  if (!rows.ok()) return rows.status();
  const std::string date = Date(day);
  for (storage::DispositionRow& r : *rows) {
    if (absl::Status st = txn.CheckVersion("dispositions", "id", r.id, r.version); !st.ok())
      return st;
    const std::string before = server::dispositions::ShortState(r.state);
    std::vector<std::pair<std::string, std::string*>> acts;
    if (step == Step::kDispositionsApprove) {
      if (r.state != "DISPOSITION_PROPOSED") continue;
      r.state = server::dispositions::StateName(v1::DISPOSITION_APPROVED);
      r.approved_by = txn.actor().user_id;
      if (absl::Status st = AddHistory(txn, r, "approved", date); !st.ok()) return st;
      if (absl::Status st = storage::UpdateDisposition(txn, r); !st.ok()) return st;
      if (absl::Status st =
              Event(txn, {"disposition.approve", "disposition", r.id, before, "APPROVED",
                          "object=" + object_id + " form=" + std::to_string(r.form) +
                              " proposed_by=" + r.proposed_by});
          !st.ok())
        return st;
      counts_.forms[static_cast<size_t>(r.form - 1)] += 1;
      ++counts_.dispositions_approved;
      continue;
    }
    // Execution: announced, delivered, filed to the dossier, one call each.
    std::string* dates[] = {&r.announced_date, &r.delivered_date, &r.filed_date};
    const char* names[] = {"announced", "delivered", "filed"};
    for (int k = 0; k < 3; ++k) {
      *dates[k] = date;
      if (absl::Status st = AddHistory(txn, r, names[k], date); !st.ok()) return st;
      if (absl::Status st = storage::UpdateDisposition(txn, r); !st.ok()) return st;
      if (absl::Status st = Event(txn, {"disposition.execute", "disposition", r.id, before, before,
                                        std::string("step=") + names[k]});
          !st.ok())
        return st;
    }
  }
  if (step == Step::kDispositionsApprove && is_case) {
    // Every person decided: the case is DECIDED (SyncCaseState).
    absl::StatusOr<storage::CaseRow> c = storage::GetCase(txn.db(), object_id);
    if (!c.ok()) return c.status();
    const std::string before = c->state.substr(5);
    c->state = "CASE_DECIDED";
    if (absl::Status st = storage::UpdateCase(txn, *c); !st.ok()) return st;
    if (absl::Status st = Event(txn, {"case.decide", "case", object_id, before, "DECIDED",
                                      "persons decided=" + std::to_string(rows->size()) + "/" +
                                          std::to_string(rows->size())});
        !st.ok())
      return st;
    Schedule(day + Uniform(3, 10), Step::kDispositionsExecute, matter, 1);
  } else if (step == Step::kDispositionsApprove) {
    // The lead's first-form proposal (after an inquiry reply) or the verification report's
    // first-form proposal is approved once the measures are.
    const Lead& lead = leads_[matter];
    if (lead.plan == Plan::kInquiry) {
      Schedule(day + Uniform(1, 3), Step::kLeadPropose, matter);
    } else {
      Schedule(day + Uniform(1, 3), Step::kLeadApprove, matter);
    }
  } else if (step == Step::kDispositionsExecute && is_case) {
    Schedule(day + Uniform(1, 5), Step::kCaseClose, matter);
  }
  return absl::OkStatus();
}

// ---- Driving the year -----------------------------------------------------------------------

absl::Status YearGenerator::RunStep(WriteTxn& txn, int day, const Job& job) {
  ++counts_.steps;
  switch (job.step) {
    case Step::kPetitionRegister:
      return PetitionRegister(txn, day, job.obj);
    case Step::kPetitionDecide:
      return PetitionDecide(txn, day, job.obj);
    case Step::kPetitionNotify:
      return PetitionNotify(txn, day, job.obj);
    case Step::kLeadRegister:
      return LeadRegister(txn, day, job.obj);
    case Step::kLeadAssign:
    case Step::kLeadPropose:
    case Step::kLeadApprove:
    case Step::kLeadInquirySent:
    case Step::kLeadInquiryReply:
    case Step::kLeadPlan:
    case Step::kLeadReport:
      return LeadStep(txn, day, job.obj, job.step);
    case Step::kDispositionsPropose:
      return DispositionsPropose(txn, day, job.obj, job.aux == 1);
    case Step::kDispositionsApprove:
    case Step::kDispositionsExecute:
      return DispositionsChange(txn, day, job.obj, job.aux == 1, job.step);
    default:
      return CaseStep(txn, day, job.obj, job.step);
  }
}

absl::Status YearGenerator::RunDay(int day) {
  std::vector<Job> jobs = std::move(days_[static_cast<size_t>(day)]);
  days_[static_cast<size_t>(day)].clear();
  // Steps of one actor go together into one mutation (as one caller's requests do).
  std::stable_sort(jobs.begin(), jobs.end(), [this](const Job& a, const Job& b) {
    const bool ra = a.step == Step::kLeadRegister, rb = b.step == Step::kLeadRegister;
    if (ra != rb) return ra;
    return ActorFor(a.step).role < ActorFor(b.step).role;
  });
  struct Chunk {
    size_t at, end;
    storage::Actor actor;
  };
  std::vector<Chunk> chunks;
  for (size_t at = 0; at < jobs.size();) {
    const bool reg = jobs[at].step == Step::kLeadRegister;
    const std::string role = ActorFor(jobs[at].step).role;
    size_t end = at;
    while (end < jobs.size() && end - at < options_.steps_per_mutation &&
           (jobs[end].step == Step::kLeadRegister) == reg && ActorFor(jobs[end].step).role == role)
      ++end;
    storage::Actor actor = ActorFor(jobs[at].step);
    if (role == "inspector") actor.user_id = Inspector(jobs[at].obj);
    chunks.push_back({at, end, actor});
    at = end;
  }
  // Every mutation runs on the store's single writer thread, one after another, so the
  // generator's state needs no lock; callers on several threads only let the writer group
  // several mutations into one commit, as concurrent RPCs do. Lead registrations (numbered in
  // the order they were prepared) go first, one mutation at a time.
  std::atomic<size_t> next{0};
  absl::Mutex mu;
  absl::Status first_error;
  auto run = [&](bool registrations) {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= chunks.size()) return;
      const Chunk& c = chunks[i];
      if ((jobs[c.at].step == Step::kLeadRegister) != registrations) {
        next.fetch_sub(1);
        return;
      }
      absl::StatusOr<std::string> done =
          store_.Apply(c.actor, "", [&, c](WriteTxn& txn) -> absl::StatusOr<std::string> {
            ++counts_.mutations;
            for (size_t k = c.at; k < c.end; ++k) {
              if (absl::Status st = RunStep(txn, day, jobs[k]); !st.ok()) return st;
            }
            return std::string();
          });
      if (!done.ok()) {
        absl::MutexLock lock(&mu);
        if (first_error.ok()) first_error = done.status();
      }
    }
  };
  run(true);
  if (!first_error.ok()) return first_error;
  std::vector<std::thread> threads;
  for (size_t t = 0; t < options_.callers && t < chunks.size(); ++t)
    threads.emplace_back(run, false);
  for (std::thread& t : threads) t.join();
  return first_error;
}

void YearGenerator::ScheduleYear() {
  const int64_t petitions = std::llround(static_cast<double>(kNationalPetitions) / options_.factor);
  const int64_t direct_leads =
      std::llround(0.45 * static_cast<double>(kNationalLeads) / options_.factor);
  // Petitions arrive evenly over the year; leads from other sources (inspection tours, audit,
  // daily supervision, other agencies, self-reports) too.
  for (int64_t i = 0; i < petitions; ++i) {
    Schedule(static_cast<int>(i * kDays / petitions), Step::kPetitionRegister, 0);
  }
  static constexpr v1::LeadSource kSources[] = {
      v1::LEAD_SOURCE_INSPECTION_TOUR, v1::LEAD_SOURCE_SUPERVISION, v1::LEAD_SOURCE_SUPERVISION,
      v1::LEAD_SOURCE_AUDIT,           v1::LEAD_SOURCE_AGENCY,      v1::LEAD_SOURCE_SELF_REPORT};
  for (int64_t i = 0; i < direct_leads; ++i) {
    // Registered in the order they are scheduled; numbers are taken when they run, so a
    // direct lead is prepared at its registration step (LeadRegister, obj = its number).
    Schedule(static_cast<int>(i * kDays / direct_leads), Step::kLeadRegister, kNone,
             static_cast<uint8_t>(kSources[i % 6]));
  }
}

absl::StatusOr<YearCounts> YearGenerator::Run() {
  int first_day = 0;
  if (options_.resume) {
    absl::StatusOr<int> next = LoadState();
    if (!next.ok()) return next.status();
    first_day = *next;
    if (first_day >= options_.days) {
      return absl::InvalidArgumentError(absl::StrCat(
          "days: the saved year already has ", first_day, " days; ask for more to continue"));
    }
  } else {
    if (absl::Status st = CreateUsers(); !st.ok()) return st;
    ScheduleYear();
  }
  counts_.first_day = first_day;
  counts_.events_before = counts_.events;
  int day = first_day;
  while (day < std::min(kDays, options_.days)) {
    // Direct leads get their record when their registration runs, in the day's order.
    for (Job& job : days_[static_cast<size_t>(day)]) {
      if (job.step == Step::kLeadRegister && job.obj == kNone) {
        Lead lead;
        lead.source = job.aux;
        lead.p1 = NewPerson();
        if (Real() < 0.15) lead.p2 = NewPerson();
        leads_.push_back(lead);
        job.obj = static_cast<uint32_t>(leads_.size() - 1);
      }
    }
    // Lead numbers must follow registration order: registrations run in the order of obj.
    std::stable_sort(days_[static_cast<size_t>(day)].begin(), days_[static_cast<size_t>(day)].end(),
                     [](const Job& a, const Job& b) {
                       const bool ra = a.step == Step::kLeadRegister;
                       const bool rb = b.step == Step::kLeadRegister;
                       if (ra != rb) return ra;
                       return ra && a.obj < b.obj;
                     });
    if (absl::Status st = RunDay(day); !st.ok()) return st;
    if (options_.progress) options_.progress(day);
    ++day;
    if (options_.stop && options_.stop()) break;
  }
  counts_.persons = next_person_ - 1;
  counts_.days_done = day;
  if (!options_.state_path.empty()) {
    if (absl::Status st = SaveState(day); !st.ok()) return st;
  }
  return counts_;
}

absl::StatusOr<int64_t> YearGenerator::StoreLogSize() {
  return store_.Read<int64_t>([](storage::Db& db) { return storage::AuditLogSize(db); });
}

absl::Status YearGenerator::SaveState(int next_day) {
  // Every mutation of the days before next_day has committed (Apply returned), and nothing
  // else writes to the store: its log size marks where this state stands.
  absl::StatusOr<int64_t> log_size = StoreLogSize();
  if (!log_size.ok()) return log_size.status();
  StateWriter w;
  w.PutString(kStateMagic);
  w.Put(options_.factor);
  w.Put(options_.year);
  w.Put(options_.seed);
  w.Put(*log_size);
  w.Put<int32_t>(next_day);
  std::ostringstream rng;
  rng << rng_;
  w.PutString(rng.str());
  for (int d = next_day; d < kDays; ++d) w.PutVector(days_[static_cast<size_t>(d)]);
  w.PutVector(petitions_);
  w.PutVector(leads_);
  w.PutVector(cases_);
  w.PutVector(first_petition_of_person_);
  w.Put<uint64_t>(inspectors_.size());
  for (const std::string& id : inspectors_) w.PutString(id);
  w.Put(next_person_);
  w.Put(menu_turn_);
  w.Put(proposed_forms_);
  const YearCounts& c = counts_;
  for (int64_t v : {c.petitions, c.leads, c.cases, c.dispositions_approved,
                    c.dispositions_proposed, c.events, c.mutations, c.steps}) {
    w.Put(v);
  }
  w.Put(c.forms);
  w.Put<uint64_t>(c.petition_modes.size());
  for (const auto& [mode, n] : c.petition_modes) {
    w.PutString(mode);
    w.Put(n);
  }
  return WriteFileAtomically(options_.state_path, w.bytes());
}

absl::StatusOr<int> YearGenerator::LoadState() {
  std::string bytes;
  {
    std::ifstream in(options_.state_path, std::ios::binary);
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("state: no saved year at ", options_.state_path));
    }
    std::ostringstream all;
    all << in.rdbuf();
    bytes = all.str();
  }
  const absl::Status bad = absl::DataLossError(
      absl::StrCat("state: ", options_.state_path, " is not a year state this generator saved"));
  StateReader r(std::move(bytes));
  std::string magic;
  if (!r.GetString(magic) || magic != kStateMagic) return bad;
  double factor = 0;
  int year = 0;
  uint64_t seed = 0;
  int64_t log_size = 0;
  int32_t next_day = 0;
  std::string rng;
  if (!r.Get(factor) || !r.Get(year) || !r.Get(seed) || !r.Get(log_size) || !r.Get(next_day) ||
      !r.GetString(rng) || next_day < 1 || next_day > kDays) {
    return bad;
  }
  if (factor != options_.factor || year != options_.year || seed != options_.seed) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "factor: the saved year is 1/%g of %d with seed %d, not 1/%g of %d with seed %d", factor,
        year, seed, options_.factor, options_.year, options_.seed));
  }
  absl::StatusOr<int64_t> now = StoreLogSize();
  if (!now.ok()) return now.status();
  if (*now != log_size) {
    return absl::FailedPreconditionError(absl::StrCat(
        "state: the store holds ", *now, " audit events and the saved state ", log_size,
        ": it was written to after the save (a run stopped in the middle of a day), so the "
        "year cannot be continued"));
  }
  std::istringstream(rng) >> rng_;
  for (int d = next_day; d < kDays; ++d) {
    if (!r.GetVector(days_[static_cast<size_t>(d)])) return bad;
  }
  uint64_t n_inspectors = 0;
  if (!r.GetVector(petitions_) || !r.GetVector(leads_) || !r.GetVector(cases_) ||
      !r.GetVector(first_petition_of_person_) || !r.Get(n_inspectors)) {
    return bad;
  }
  inspectors_.assign(n_inspectors, "");
  for (std::string& id : inspectors_) {
    if (!r.GetString(id)) return bad;
  }
  YearCounts& c = counts_;
  uint64_t n_modes = 0;
  if (!r.Get(next_person_) || !r.Get(menu_turn_) || !r.Get(proposed_forms_) ||
      !r.Get(c.petitions) || !r.Get(c.leads) || !r.Get(c.cases) ||
      !r.Get(c.dispositions_approved) || !r.Get(c.dispositions_proposed) || !r.Get(c.events) ||
      !r.Get(c.mutations) || !r.Get(c.steps) || !r.Get(c.forms) || !r.Get(n_modes)) {
    return bad;
  }
  for (uint64_t i = 0; i < n_modes; ++i) {
    std::string mode;
    int64_t n = 0;
    if (!r.GetString(mode) || !r.Get(n)) return bad;
    c.petition_modes[mode] = n;
  }
  if (!r.AtEnd() || inspectors_.empty() || petitions_.empty() || leads_.empty() ||
      cases_.empty()) {
    return bad;
  }
  c.inspectors = inspectors_;
  return next_day;
}

}  // namespace

absl::StatusOr<YearCounts> GenerateYear(storage::Store& store, const YearOptions& options) {
  if (options.factor < 1) return absl::InvalidArgumentError("factor: must be >= 1");
  if (options.days < 1 || options.days > 365) {
    return absl::InvalidArgumentError("days: must be 1 to 365");
  }
  if (options.resume && options.state_path.empty()) {
    return absl::InvalidArgumentError("state_path: a year can only be resumed from a saved state");
  }
  YearGenerator generator(store, options);
  return generator.Run();
}

}  // namespace jijian::bench
