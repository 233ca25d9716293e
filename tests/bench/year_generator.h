// The year generator's insides, shared by its source files: the records the simulation keeps
// of each object, and the generator whose steps write what the services' mutations write.
//   year_gen.cc               persons, users, the day loop and GenerateYear
//   year_gen_petitions.cc     petitions (petition_service.cc)
//   year_gen_leads.cc         leads (lead_service.cc)
//   year_gen_cases.cc         cases (case_service.cc)
//   year_gen_dispositions.cc  dispositions (disposition_service.cc)
//   year_gen_state.cc         the state saved between runs (--resume)
#ifndef JIJIAN_TESTS_BENCH_YEAR_GENERATOR_H_
#define JIJIAN_TESTS_BENCH_YEAR_GENERATOR_H_

#include <array>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

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
#include "tests/bench/year_gen.h"

namespace jijian::bench::year {

using server::ChildRowId;
using server::SealAt;
using server::domain::FormatDate;
using storage::KeyDomain;
using storage::WriteTxn;

constexpr int kDays = 365;
constexpr uint32_t kNone = 0xffffffffu;

// The subject record of generated person p (name, ID number, unit, position, rank).
v1::Subject SubjectProto(int64_t p);

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

// The measures each form's person-times cycle through (year_gen_dispositions.cc).
const std::vector<std::vector<MeasureChoice>>& Menu();

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

}  // namespace jijian::bench::year

#endif  // JIJIAN_TESTS_BENCH_YEAR_GENERATOR_H_
