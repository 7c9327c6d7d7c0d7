#include "policy/budget.hpp"

#include <cstdio>

namespace gw {

using namespace std::chrono;

budget_window window_of(budget_period p, system_clock::time_point now) {
  const auto today = floor<days>(now);
  const year_month_day ymd{today};
  char id[16];
  budget_window w;
  if (p == budget_period::day) {
    std::snprintf(id, sizeof id, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    w.ends = sys_days(today) + days(1);
  } else {
    std::snprintf(id, sizeof id, "%04d-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()));
    const year_month next = year_month(ymd.year(), ymd.month()) + months(1);
    w.ends = sys_days(next / day(1));
  }
  w.id = id;
  return w;
}

const char* to_string(budget_period p) { return p == budget_period::day ? "day" : "month"; }

std::string format_utc(system_clock::time_point t) {
  const auto d = floor<days>(t);
  const year_month_day ymd{d};
  const hh_mm_ss<seconds> hms{floor<seconds>(t - d)};
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return out;
}

}  // namespace gw
