#include "gateway/shared_limits.hpp"

#include <openssl/sha.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdlib>
#include <cstdio>

#include "gateway/metrics.hpp"

namespace gw {
namespace {

// Buckets are hashes {l: level, t: Redis time in ms}, refilled on read like token_bucket
// (policy/rate_limiter.hpp): `cap` per minute, never above `cap`, possibly below zero after a
// settlement charged more than was estimated. A missing bucket is a full one, so each expires
// once it would have refilled. Returns
// {verdict, remaining requests, remaining tokens, retry-after ms, reset requests ms,
//  reset tokens ms, spend so far}; verdict 0 admitted, 1 requests, 2 tokens, 3 budget.
constexpr const char* admit_script = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function level(key, cap)
  if cap <= 0 then return nil end
  local v = redis.call('HMGET', key, 'l', 't')
  local l, ts = tonumber(v[1]), tonumber(v[2])
  if not l then return cap end
  if now > ts then l = math.min(cap, l + (now - ts) * cap / 60000) end
  return l
end
local function wait(l, cap, want)
  if not l then return 0 end
  want = math.min(want, cap)
  if l >= want then return 0 end
  return math.ceil((want - l) * 60000 / cap)
end
local function store(key, l, cap)
  redis.call('HSET', key, 'l', l, 't', now)
  redis.call('PEXPIRE', key, wait(l, cap, cap) + 1000)
end
local rpm, tpm, est, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local rl, tl = level(KEYS[1], rpm), level(KEYS[2], tpm)
local spent = redis.call('GET', KEYS[3]) or '0'
local rw, tw = wait(rl, rpm, 1), wait(tl, tpm, est)
local verdict = 0
if rw > 0 then verdict = 1 elseif tw > 0 then verdict = 2
elseif budget > 0 and tonumber(spent) >= budget then verdict = 3 end
if verdict == 0 then
  if rl then rl = rl - 1; store(KEYS[1], rl, rpm) end
  if tl then tl = tl - est; store(KEYS[2], tl, tpm) end
end
return {verdict, math.floor(math.max(rl or 0, 0)), math.floor(math.max(tl or 0, 0)),
        math.max(rw, tw), wait(rl, rpm, rpm), wait(tl, tpm, tpm), spent}
)lua";

// KEYS: tokens bucket, spend; ARGV: tpm, token delta, usd, spend TTL in seconds. Returns the
// period's spend after it.
constexpr const char* settle_script = R"lua(
local tpm, delta = tonumber(ARGV[1]), tonumber(ARGV[2])
if tpm > 0 and delta ~= 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local v = redis.call('HMGET', KEYS[1], 'l', 't')
  local l, ts = tonumber(v[1]) or tpm, tonumber(v[2]) or now
  if now > ts then l = math.min(tpm, l + (now - ts) * tpm / 60000) end
  l = math.min(tpm, l - delta)
  redis.call('HSET', KEYS[1], 'l', l, 't', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil((tpm - l) * 60000 / tpm) + 1000)
end
if tonumber(ARGV[3]) > 0 then
  local total = redis.call('INCRBYFLOAT', KEYS[2], ARGV[3])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  return total
end
return redis.call('GET', KEYS[2]) or '0'
)lua";

const char* const scripts[] = {admit_script, settle_script};

std::string sha1_hex(const char* s) {
  unsigned char d[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(s), std::char_traits<char>::length(s), d);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) out += hex[c >> 4], out += hex[c & 15];
  return out;
}

std::string usd_text(double usd) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", usd);
  return buf;
}

double number_of(const redis_reply& r) {
  if (r.kind == redis_reply::type::integer) return static_cast<double>(r.integer);
  double v = 0;
  std::from_chars(r.str.data(), r.str.data() + r.str.size(), v);
  return v;
}

// The spend key lives a day past its period, so that a late settlement still finds it.
std::string ttl_of(const budget_window& w) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(w.ends - std::chrono::system_clock::now()).count();
  return std::to_string(std::max<std::int64_t>(s, 0) + 86400);
}

}  // namespace

namespace {

// The endpoint, with the password from password_env when that is set (a Secret, not the file).
redis_endpoint endpoint_of(const shared_state_config& cfg) {
  redis_endpoint ep = cfg.endpoint;
  if (cfg.password_env.empty()) return ep;
  if (const char* pw = std::getenv(cfg.password_env.c_str()); pw && *pw) ep.password = pw;
  else spdlog::warn("shared state: state.redis.password_env names {}, which is not set: no AUTH", cfg.password_env);
  return ep;
}

}  // namespace

shared_limits::shared_limits(boost::asio::any_io_executor ex, const shared_state_config& cfg, metrics& stats)
    : cfg_(cfg),
      stats_(stats),
      client_(ex, endpoint_of(cfg), redis_client_options{cfg.timeout, std::chrono::milliseconds(100), std::chrono::milliseconds(2000)}),
      probe_timer_(ex) {
  client_.on_state = [this](bool connected) {
    if (connected) {
      // Loaded once per connection, so that EVALSHA finds them (a restarted Redis has none).
      for (const char* s : scripts) client_.command({"SCRIPT", "LOAD", s}, [](redis_outcome, redis_reply) {});
      last_error_.clear();
      became(true, "connected");
      flush_unsynced();
    } else {
      stats_.count_shared_state_error("connection");
      became(false, "connection lost or refused");
    }
  };
  client_.on_error = [this](const std::string& why) {
    // Once per distinct problem: a Redis that stays away is retried every few seconds.
    if (why == last_error_) return;
    last_error_ = why;
    spdlog::warn("shared state: redis at {}: {}", cfg_.url, why);
  };
  stats_.shared_state_up = 0;
  client_.start();
}

shared_limits::~shared_limits() {
  *alive_ = false;
  client_.stop();
}

std::string shared_limits::key_of(const std::string& key, const char* what) const {
  // The key name in braces is a Redis Cluster hash tag: all of a key's state hashes to one slot,
  // which a script touching several keys needs.
  return cfg_.key_prefix + "{" + key + "}:" + what;
}

void shared_limits::became(bool up, const char* why) {
  // The first state is logged either way: a Redis that is away from the start says so once.
  if (up == up_ && announced_) return;
  announced_ = true;
  up_ = up;
  stats_.shared_state_up = up ? 1 : 0;
  stats_.count_shared_state_transition(up ? "up" : "down");
  if (up)
    spdlog::info("shared state: redis is up ({}); limits and budgets are shared across replicas", why);
  else
    spdlog::warn("shared state: redis is down ({}); rate limits fail {}, budgets fail {}", why,
                 cfg_.rate_limits_fail_open ? "open (this replica's own buckets)" : "closed (503)",
                 cfg_.budgets_fail_open ? "open (this replica's view of spend)" : "closed (503)");
}

void shared_limits::on_failure(redis_outcome o) {
  if (o == redis_outcome::timeout) {
    stats_.count_shared_state_error("timeout");
    became(false, "a command took longer than timeout_ms");
    probe();
  } else if (o == redis_outcome::disconnected) {
    became(false, "not connected");
  }
}

// While Redis is connected but slow, one PING per probe interval finds out when it answers in
// time again; the requests meanwhile do not wait for it.
void shared_limits::probe() {
  if (probing_) return;
  probing_ = true;
  probe_timer_.expires_after(std::max(cfg_.timeout * 4, std::chrono::milliseconds(200)));
  probe_timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (ec || !*alive) return;
    if (!client_.connected()) {  // the reconnect brings it back
      probing_ = false;
      return;
    }
    client_.command({"PING"}, [this, alive](redis_outcome o, redis_reply) {
      if (!*alive) return;
      probing_ = false;
      if (o == redis_outcome::ok) {
        became(true, "answers in time again");
        flush_unsynced();
      } else {
        probe();
      }
    });
  });
}

void shared_limits::eval(int which, std::vector<std::string> args, redis_client::reply_handler done) {
  static const std::string shas[] = {sha1_hex(admit_script), sha1_hex(settle_script)};
  args.insert(args.begin(), {"EVALSHA", shas[which]});
  client_.command(args, std::move(done));
}

void shared_limits::admit(const api_key_config& key, std::uint32_t estimated_tokens, const budget_window& w,
                          std::function<void(std::optional<shared_verdict>)> done) {
  eval(0,
       {"3", key_of(key.name, "rpm"), key_of(key.name, "tpm"), key_of(key.name, ("spend:" + w.id).c_str()),
        std::to_string(key.limits.requests_per_minute), std::to_string(key.limits.tokens_per_minute),
        std::to_string(estimated_tokens), usd_text(key.budget.usd)},
       [this, alive = alive_, done = std::move(done)](redis_outcome o, redis_reply r) {
         if (!*alive) return;
         if (o != redis_outcome::ok) {
           on_failure(o);
           return done(std::nullopt);
         }
         if (r.kind != redis_reply::type::array || r.elements.size() != 7) {
           // NOSCRIPT after a SCRIPT FLUSH, or a Redis that refuses scripts: this request falls
           // back, and the scripts are loaded again for the next.
           stats_.count_shared_state_error("reply");
           spdlog::warn("shared state: unexpected reply to the admission script: {}", r.str);
           for (const char* s : scripts) client_.command({"SCRIPT", "LOAD", s}, [](redis_outcome, redis_reply) {});
           return done(std::nullopt);
         }
         shared_verdict v;
         const auto n = static_cast<int>(r.elements[0].integer);
         v.verdict = n == 1   ? shared_verdict::outcome::requests
                     : n == 2 ? shared_verdict::outcome::tokens
                     : n == 3 ? shared_verdict::outcome::budget
                              : shared_verdict::outcome::admitted;
         v.remaining_requests = static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.elements[1].integer));
         v.remaining_tokens = static_cast<std::uint64_t>(std::max<std::int64_t>(0, r.elements[2].integer));
         v.retry_after = std::chrono::milliseconds(r.elements[3].integer);
         v.reset_requests = std::chrono::milliseconds(r.elements[4].integer);
         v.reset_tokens = std::chrono::milliseconds(r.elements[5].integer);
         v.spent_usd = number_of(r.elements[6]);
         done(v);
       });
}

void shared_limits::settle(const api_key_config& key, std::int64_t token_delta, double usd, const budget_window& w) {
  const bool tokens = key.limits.tokens_per_minute && token_delta != 0;
  if (!tokens && usd <= 0) return;
  auto keep = [this, name = key.name, usd, w](bool count) {
    if (count) stats_.count_shared_state_error("settle_deferred");
    keep_spend(name, w, usd);
  };
  if (!up_) return keep(true);
  eval(1,
       {"2", key_of(key.name, "tpm"), key_of(key.name, ("spend:" + w.id).c_str()),
        std::to_string(key.limits.tokens_per_minute), std::to_string(token_delta), usd_text(usd), ttl_of(w)},
       [this, alive = alive_, keep, name = key.name, window = w.id](redis_outcome o, redis_reply r) {
         if (!*alive) return;
         if (o != redis_outcome::ok || r.kind == redis_reply::type::error) {
           // A timed-out settlement may still have been applied, so writing it again may charge it
           // twice; dropping it may charge nothing. Kept: a budget errs on the side of the money
           // it protects.
           if (o != redis_outcome::ok) on_failure(o);
           return keep(o == redis_outcome::ok);
         }
         if (on_spend_total) on_spend_total(name, window, number_of(r));
       });
}

void shared_limits::keep_spend(const std::string& key, const budget_window& w, double usd) {
  if (usd <= 0) return;
  auto& k = unsynced_[{key, w.id}];
  k.usd += usd;
  k.ends = w.ends;
}

double shared_limits::unsynced(const std::string& key, const std::string& window) const {
  auto it = unsynced_.find({key, window});
  return it == unsynced_.end() ? 0 : it->second.usd;
}

void shared_limits::flush_unsynced() {
  for (auto& [k, kept] : std::exchange(unsynced_, {})) {
    const budget_window w{k.second, kept.ends};
    const std::string spend_key = key_of(k.first, ("spend:" + k.second).c_str());
    client_.command({"INCRBYFLOAT", spend_key, usd_text(kept.usd)},
                    [this, alive = alive_, k = k, usd = kept.usd, w](redis_outcome o, redis_reply r) {
                      if (!*alive) return;
                      if (o == redis_outcome::ok && r.kind != redis_reply::type::error) {
                        if (on_spend_total) on_spend_total(k.first, k.second, number_of(r));
                        return;
                      }
                      keep_spend(k.first, w, usd);
                    });
    client_.command({"EXPIRE", spend_key, ttl_of(w)}, [](redis_outcome, redis_reply) {});
  }
}

}  // namespace gw
