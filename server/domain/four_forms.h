// What the commission publishes and answers from its dispositions (DOMAIN.md §6): the
// four-forms sentence of a period's report, percentages as published (one decimal), and
// the integrity opinion (廉政意见回复) on one person. Pure.
#ifndef JIJIAN_SERVER_DOMAIN_FOUR_FORMS_H_
#define JIJIAN_SERVER_DOMAIN_FOUR_FORMS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"

namespace jijian::server::domain {

// part as a percentage of total rounded half up to one decimal (0 when total is 0). Each
// share is rounded on its own, as the published reports do, so shares may not sum to 100.
double Percent(int64_t part, int64_t total);

// Formats a percentage with one decimal: 63.8, 0.0, 100.0.
std::string FormatPercent(double percent);

// The sentence of the commissions' reports, from person-times per form (index 0 = form 1):
// 运用"四种形态"批评教育帮助和处理 N 人次，其中第一种形态 N1 人次，占 P1%；第二种形态 …；
// 第四种形态 N4 人次，占 P4%。
std::string FourFormsSentence(const std::array<int64_t, 4>& per_form);

// The overall integrity opinion (廉政意见回复).
enum class Opinion {
  kNoObjection,       // 无反映问题且不在影响期内
  kOpenMatters,       // open petitions, leads or cases about the person
  kInSanctionPeriod,  // inside a sanction period (and perhaps open matters too)
};

std::string_view OpinionCode(Opinion opinion);  // no_objection, open_matters, in_sanction_period

// The opinion from what was found: any period still running outweighs open matters. The
// period end is the latest among running periods; nullopt with a period means permanent.
struct IntegrityFindings {
  int open_matters = 0;
  bool in_period = false;
  std::optional<absl::CivilDay> period_until;  // nullopt: permanent (when in_period)
};
Opinion IntegrityOpinion(const IntegrityFindings& findings);

// The sentence of the reply, e.g. "该同志目前处于处分影响期内（至 2027-06-30）。" or
// "未发现该同志有正在办理的问题线索、案件或处于处分影响期内的情况，无不同意见。".
std::string OpinionText(const IntegrityFindings& findings);

}  // namespace jijian::server::domain

#endif  // JIJIAN_SERVER_DOMAIN_FOUR_FORMS_H_
