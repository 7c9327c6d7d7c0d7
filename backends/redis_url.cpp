#include "backends/redis_url.hpp"

#include <charconv>

namespace gw {
namespace {

// %XX escapes in the user and password (a password may hold '@' or ':').
std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= s.size()) return std::nullopt;
    auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (ec != std::errc() || p != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

template <class T>
bool parse_number(std::string_view s, T& out, T max) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out <= max;
}

}  // namespace

std::optional<redis_endpoint> parse_redis_url(std::string_view url, std::string& why) {
  redis_endpoint ep;
  if (url.rfind("unix://", 0) == 0) {
    std::string_view rest = url.substr(7);
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
      const std::string_view query = rest.substr(q + 1);
      rest = rest.substr(0, q);
      if (query.rfind("db=", 0) != 0 || !parse_number<unsigned>(query.substr(3), ep.db, 1000000)) {
        why = "the only query a unix:// URL takes is ?db=N";
        return std::nullopt;
      }
    }
    if (rest.empty() || rest.front() != '/') {
      why = "a unix:// URL names an absolute socket path (unix:///run/redis/redis.sock)";
      return std::nullopt;
    }
    ep.unix_path = std::string(rest);
    return ep;
  }
  if (url.rfind("redis://", 0) != 0) {
    why = "must start with redis:// or unix:// (rediss:// is not supported: put TLS in front with stunnel)";
    return std::nullopt;
  }
  std::string_view rest = url.substr(8);
  std::string_view path;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    auto pass = colon == std::string_view::npos ? std::optional<std::string>("") : percent_decode(userinfo.substr(colon + 1));
    if (!user || !pass) {
      why = "has a malformed %-escape in its user or password";
      return std::nullopt;
    }
    // redis://secret@host is the older form where the one field is the password.
    if (colon == std::string_view::npos) ep.password = std::move(*user);
    else {
      ep.user = std::move(*user);
      ep.password = std::move(*pass);
    }
  }
  std::string_view host = rest, port;
  if (!rest.empty() && rest.front() == '[') {  // [::1]:6379
    const auto close = rest.find(']');
    if (close == std::string_view::npos) {
      why = "has an unclosed '[' in its host";
      return std::nullopt;
    }
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') {
        why = "has something other than :PORT after its IPv6 host";
        return std::nullopt;
      }
      port = rest.substr(close + 2);
    }
  } else if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) {
    why = "names no host";
    return std::nullopt;
  }
  ep.host = std::string(host);
  if (!port.empty() && (!parse_number<std::uint16_t>(port, ep.port, 65535) || ep.port == 0)) {
    why = "has a port that is not 1 to 65535";
    return std::nullopt;
  }
  if (!path.empty() && !parse_number<unsigned>(path, ep.db, 1000000)) {
    why = "has a path that is not a database number (/0)";
    return std::nullopt;
  }
  return ep;
}

}  // namespace gw
