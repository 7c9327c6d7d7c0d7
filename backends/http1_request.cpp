#include "backends/http1_request.hpp"

#include <strings.h>

#include <cctype>

namespace gw {

namespace {
bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_';
}
// Bytes a request target may carry as they are (RFC 3986 unreserved, sub-delims, ':', '@', '/',
// '?', '%'); a space or control byte would break the request line.
bool is_target_char(char c) { return c > 0x20 && c < 0x7f && c != '#'; }
}  // namespace

std::optional<plain_http_url> parse_plain_http_url(std::string_view url) {
  constexpr std::string_view scheme = "http://";
  if (url.size() <= scheme.size() || strncasecmp(url.data(), scheme.data(), scheme.size()) != 0) return std::nullopt;
  url.remove_prefix(scheme.size());
  const auto end = url.find_first_of("/?#");
  const std::string_view authority = url.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view{} : url.substr(end);
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);

  plain_http_url out;
  std::string_view host, port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(1, close - 1);
    for (char c : host)
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.')) return std::nullopt;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') return std::nullopt;
    if (!after.empty()) port = after.substr(1);
  } else {
    const auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
    for (char c : host)
      if (!is_host_char(c)) return std::nullopt;
  }
  if (host.empty()) return std::nullopt;
  if (authority.find(':') != std::string_view::npos && authority.back() == ':') return std::nullopt;
  if (port.size() > 5) return std::nullopt;
  unsigned long number = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    number = number * 10 + static_cast<unsigned long>(c - '0');
  }
  if (!port.empty() && (number == 0 || number > 65535)) return std::nullopt;
  for (char c : rest)
    if (!is_target_char(c)) return std::nullopt;

  out.host.assign(host);
  out.port = port.empty() ? "80" : std::to_string(number);
  out.host_header.assign(authority);
  if (rest.empty() || rest.front() != '/') out.target = "/";
  out.target.append(rest);
  out.origin = out.host + ':' + out.port;
  return out;
}

std::string http1_request_head(const plain_http_url& where, const upstream_request& req) {
  std::string head;
  head.reserve(256 + where.target.size());
  head.append(req.post ? "POST " : "GET ").append(where.target).append(" HTTP/1.1\r\nHost: ");
  head.append(where.host_header).append("\r\n");
  for (const auto& h : req.headers) head.append(h).append("\r\n");
  if (req.post) head.append("Content-Length: ").append(std::to_string(req.body.size())).append("\r\n");
  head.append("\r\n");
  return head;
}

}  // namespace gw
