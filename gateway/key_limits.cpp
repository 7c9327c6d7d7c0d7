#include "gateway/key_limits.hpp"

#include <boost/asio/post.hpp>

#include "gateway/metrics.hpp"
#include "gateway/shared_limits.hpp"

namespace gw {
namespace {

using steady = std::chrono::steady_clock;
using wall = std::chrono::system_clock;

}  // namespace

key_limits::key_limits(boost::asio::any_io_executor ex, const auth_config& auth, const shared_state_config& state,
                       metrics& stats)
    : keys_(std::make_shared<const key_table>(auth.keys)), configs_(auth.keys), state_(state), stats_(stats) {
  const auto now = steady::now();
  for (const auto& k : auth.keys) limiters_.emplace(k.name, rate_limiter(k.limits, now));
  if (state.enabled) {
    shared_ = std::make_unique<shared_limits>(std::move(ex), state, stats);
    // The view the fallback decides on: the last total Redis reported, which must include what
    // this replica wrote, or a second outage would forget the first one's spend.
    shared_->on_spend_total = [this](const std::string& key, const std::string& window, double total) {
      auto& s = spend_[key];
      if (s.window.empty() || s.window <= window) s = spend_state{window, total};
    };
  }
}

key_limits::~key_limits() = default;

double key_limits::local_spend(const api_key_config& key, const budget_window& w) {
  auto& s = spend_[key.name];
  if (s.window != w.id) s = spend_state{w.id, 0};
  return s.spent + (shared_ ? shared_->unsynced(key.name, w.id) : 0);
}

void key_limits::charge_local_spend(const api_key_config& key, double usd) {
  const auto w = window_of(key.budget.period, wall::now());
  auto& s = spend_[key.name];
  if (s.window != w.id) s = spend_state{w.id, 0};
  s.spent += usd;
}

// This process's own answer: the whole answer without shared state, the fallback with it.
key_admission key_limits::admit_local(const api_key_config& key, std::uint32_t estimated_tokens, bool rate_open,
                                      bool budget_open) {
  key_admission a;
  const bool has_rate = key.limits.requests_per_minute || key.limits.tokens_per_minute;
  const bool has_budget = key.budget.usd > 0;
  if ((has_rate && !rate_open) || (has_budget && !budget_open)) {
    a.unavailable = true;
    stats_.count_shared_state_fallback(has_rate && !rate_open ? "rate_limits" : "budgets", "refused");
    return a;
  }
  if (shared_) {
    if (has_rate) stats_.count_shared_state_fallback("rate_limits", "local");
    if (has_budget) stats_.count_shared_state_fallback("budgets", "local");
  }
  if (has_budget) {
    const auto w = window_of(key.budget.period, wall::now());
    a.spent_usd = local_spend(key, w);
    a.budget_resets = w.ends;
    if (!budget_allows(key.budget, a.spent_usd)) {
      a.over_budget = true;
      return a;  // checked first: a key that cannot pay keeps its rate budget
    }
  }
  auto it = limiters_.find(key.name);
  if (it != limiters_.end()) a.rate = it->second.admit(estimated_tokens, steady::now());
  return a;
}

std::optional<key_admission> key_limits::admit_now(const api_key_config& key, std::uint32_t estimated_tokens) {
  if (!has_limits(key)) return key_admission{};
  if (!limiters_.count(key.name)) return key_admission{};  // a key dropped by a reload while its request ran
  if (!shared_) return admit_local(key, estimated_tokens, true, true);
  if (!shared_->up()) return admit_local(key, estimated_tokens, state_.rate_limits_fail_open,
                                         state_.budgets_fail_open);
  return std::nullopt;
}

void key_limits::admit_shared(const api_key_config& key, std::uint32_t estimated_tokens,
                              std::function<void(key_admission)> done) {
  const auto w = window_of(key.budget.period, wall::now());
  // The key is copied: a reload may drop it from the table while Redis answers.
  shared_->admit(key, estimated_tokens, w,
                 [this, k = key, estimated_tokens, w, done = std::move(done)](std::optional<shared_verdict> v) {
                   if (!v) {
                     return done(admit_local(k, estimated_tokens, state_.rate_limits_fail_open,
                                             state_.budgets_fail_open));
                   }
                   key_admission a;
                   a.shared = true;
                   auto& s = spend_[k.name];
                   s = spend_state{w.id, v->spent_usd};
                   a.spent_usd = v->spent_usd + shared_->unsynced(k.name, w.id);
                   a.budget_resets = w.ends;
                   rate_status& r = a.rate;
                   r.has_requests = k.limits.requests_per_minute != 0;
                   r.has_tokens = k.limits.tokens_per_minute != 0;
                   r.limit_requests = k.limits.requests_per_minute;
                   r.limit_tokens = k.limits.tokens_per_minute;
                   r.remaining_requests = v->remaining_requests;
                   r.remaining_tokens = v->remaining_tokens;
                   r.reset_requests = v->reset_requests;
                   r.reset_tokens = v->reset_tokens;
                   using o = shared_verdict::outcome;
                   if (v->verdict == o::requests || v->verdict == o::tokens) {
                     r.allowed = false;
                     r.tokens_exceeded = v->verdict == o::tokens;
                     r.retry_after = v->retry_after;
                   } else if (v->verdict == o::budget) {
                     a.over_budget = true;
                   } else if (!budget_allows(k.budget, a.spent_usd)) {
                     // Redis admitted, but spend it has not seen yet (written while it was away)
                     // puts the key over: refused, and its request and tokens given back.
                     a.over_budget = true;
                     a.shared = false;
                     shared_->settle(k, -static_cast<std::int64_t>(estimated_tokens), 0, w);
                   }
                   done(a);
                 });
}

void key_limits::settle(const api_key_config& key, const key_usage& used) {
  if (!limiters_.count(key.name)) return;  // dropped by a reload
  const auto delta = static_cast<std::int64_t>(used.actual_tokens) - static_cast<std::int64_t>(used.estimated_tokens);
  if (used.shared && shared_) {
    const auto w = window_of(key.budget.period, wall::now());
    shared_->settle(key, delta, used.usd, w);
    return;
  }
  if (auto it = limiters_.find(key.name); it != limiters_.end())
    it->second.settle(used.estimated_tokens, used.actual_tokens, steady::now());
  if (used.usd <= 0) return;
  if (shared_) {
    // Admitted while Redis was away: the spend still belongs in the shared total.
    const auto w = window_of(key.budget.period, wall::now());
    shared_->settle(key, 0, used.usd, w);
  } else {
    charge_local_spend(key, used.usd);
  }
}

void key_limits::reload(const auth_config& auth) {
  const auto now = steady::now();
  keys_ = std::make_shared<const key_table>(auth.keys);
  configs_ = auth.keys;
  std::map<std::string, rate_limiter, std::less<>> limiters;
  for (const auto& k : auth.keys) {
    auto it = limiters_.find(k.name);
    if (it == limiters_.end()) {
      limiters.emplace(k.name, rate_limiter(k.limits, now));
    } else {
      it->second.reconfigure(k.limits, now);
      limiters.emplace(k.name, std::move(it->second));
    }
  }
  limiters_ = std::move(limiters);
  std::erase_if(spend_, [this](const auto& s) { return !limiters_.count(s.first); });
}

std::vector<key_limits::budget_view> key_limits::budgets() {
  std::vector<budget_view> out;
  const auto now = wall::now();
  for (const auto& k : configs_)
    if (k.budget.usd > 0) out.push_back({k.name, local_spend(k, window_of(k.budget.period, now)), k.budget.usd});
  return out;
}

}  // namespace gw
