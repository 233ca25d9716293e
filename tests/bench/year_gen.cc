#include "tests/bench/year_gen.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "tests/bench/year_generator.h"

namespace jijian::bench {
namespace {

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

namespace year {

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
      return absl::InvalidArgumentError(absl::StrCat("days: the saved year already has ", first_day,
                                                     " days; ask for more to continue"));
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

}  // namespace year

absl::StatusOr<YearCounts> GenerateYear(storage::Store& store, const YearOptions& options) {
  if (options.factor < 1) return absl::InvalidArgumentError("factor: must be >= 1");
  if (options.days < 1 || options.days > 365) {
    return absl::InvalidArgumentError("days: must be 1 to 365");
  }
  if (options.resume && options.state_path.empty()) {
    return absl::InvalidArgumentError("state_path: a year can only be resumed from a saved state");
  }
  year::YearGenerator generator(store, options);
  return generator.Run();
}

}  // namespace jijian::bench
