#include "server/domain/four_forms.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace jijian::server::domain {

double Percent(int64_t part, int64_t total) {
  if (total <= 0) return 0.0;
  // Integer arithmetic: tenths of a percent, rounded half up, so 638/1000 gives exactly
  // 63.8 and no floating-point step can turn x.x5 into x.x4.
  const int64_t tenths = (part * 2000 + total) / (2 * total);
  return static_cast<double>(tenths) / 10.0;
}

std::string FormatPercent(double percent) { return absl::StrFormat("%.1f", percent); }

std::string FourFormsSentence(const std::array<int64_t, 4>& per_form) {
  static constexpr const char* kOrdinal[] = {"一", "二", "三", "四"};
  int64_t total = 0;
  for (int64_t n : per_form) total += n;
  std::string out = absl::StrCat("运用\"四种形态\"批评教育帮助和处理 ", total, " 人次，其中");
  for (size_t i = 0; i < per_form.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : "；", "第", kOrdinal[i], "种形态 ", per_form[i],
                    " 人次，占 ", FormatPercent(Percent(per_form[i], total)), "%");
  }
  out += "。";
  return out;
}

std::string_view OpinionCode(Opinion opinion) {
  switch (opinion) {
    case Opinion::kNoObjection:
      return "no_objection";
    case Opinion::kOpenMatters:
      return "open_matters";
    case Opinion::kInSanctionPeriod:
      return "in_sanction_period";
  }
  return "";
}

Opinion IntegrityOpinion(const IntegrityFindings& f) {
  if (f.in_period) return Opinion::kInSanctionPeriod;
  if (f.open_matters > 0) return Opinion::kOpenMatters;
  return Opinion::kNoObjection;
}

std::string OpinionText(const IntegrityFindings& f) {
  std::string out;
  if (f.in_period) {
    out = f.period_until.has_value() ? absl::StrCat("该同志目前处于处分影响期内（至 ",
                                                    absl::FormatCivilTime(*f.period_until), "）。")
                                     : std::string("该同志受到的处分影响期长期有效（开除）。");
  }
  if (f.open_matters > 0) {
    absl::StrAppend(&out, "该同志有 ", f.open_matters, " 件正在办理的信访举报、问题线索或案件。");
  }
  if (out.empty()) {
    out = "未发现该同志有正在办理的信访举报、问题线索、案件，也未处于处分影响期内，无不同意见。";
  }
  return out;
}

}  // namespace jijian::server::domain
