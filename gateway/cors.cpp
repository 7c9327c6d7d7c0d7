#include "gateway/cors.hpp"

#include <algorithm>
#include <string>

namespace gw {
namespace {

constexpr std::string_view exposed =
    "x-request-id, x-gateway-route, x-gateway-route-reason, retry-after, x-ratelimit-limit-requests, "
    "x-ratelimit-limit-tokens, x-ratelimit-remaining-requests, x-ratelimit-remaining-tokens, "
    "x-ratelimit-reset-requests, x-ratelimit-reset-tokens";

bool is_token_char(char c) {  // RFC 9110 tchar
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// "a, b,c" → "a, b, c" if every name is a token and the list is short; else empty.
std::string clean_header_list(std::string_view list) {
  if (list.size() > 2048) return {};
  std::string out;
  std::size_t i = 0;
  while (i < list.size()) {
    while (i < list.size() && (list[i] == ' ' || list[i] == '\t' || list[i] == ',')) ++i;
    const std::size_t start = i;
    while (i < list.size() && is_token_char(list[i])) ++i;
    if (i == start) break;
    if (!out.empty()) out += ", ";
    out.append(list.substr(start, i - start));
    while (i < list.size() && (list[i] == ' ' || list[i] == '\t')) ++i;
    if (i < list.size() && list[i] != ',') return {};  // not a token: refuse to echo it
  }
  return out;
}

}  // namespace

bool origin_allowed(const cors_config& c, std::string_view origin) {
  if (origin.empty()) return false;
  return std::any_of(c.allowed_origins.begin(), c.allowed_origins.end(),
                     [&](const std::string& o) { return o == "*" || o == origin; });
}

header_list cors_response_headers(const cors_config& c, std::string_view origin) {
  header_list h;
  if (!origin_allowed(c, origin)) return h;
  h.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  h.emplace_back("Access-Control-Expose-Headers", std::string(exposed));
  h.emplace_back("Vary", "Origin");  // caches must not serve one origin's answer to another
  return h;
}

header_list cors_preflight_headers(const cors_config& c, std::string_view origin, std::string_view requested_headers) {
  header_list h;
  if (!origin_allowed(c, origin)) return h;
  h.emplace_back("Access-Control-Allow-Origin", std::string(origin));
  h.emplace_back("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
  const std::string names = clean_header_list(requested_headers);
  h.emplace_back("Access-Control-Allow-Headers", names.empty() ? "authorization, content-type" : names);
  h.emplace_back("Access-Control-Max-Age", std::to_string(c.max_age.count()));
  h.emplace_back("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
  return h;
}

}  // namespace gw
