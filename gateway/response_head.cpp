#include "gateway/response_head.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>

namespace gw {

void response_head::set(std::string_view name, std::string_view value) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const auto& f) { return boost::beast::iequals(f.first, name); }),
                fields_.end());
  fields_.emplace_back(name, value);
}

std::string response_head::render(body_framing framing, bool keep_alive, std::size_t content_length) const {
  std::size_t size = 96;  // the status line, framing fields and Connection
  for (const auto& [k, v] : fields_) size += k.size() + v.size() + 4;
  std::string out;
  out.reserve(size);
  out += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  char num[24];
  auto end = std::to_chars(num, num + sizeof num, status_).ptr;
  out.append(num, end);
  out += ' ';
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status_));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (const auto& [k, v] : fields_) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  switch (framing) {
    case body_framing::length:
      if (status_ != 204) {  // RFC 9110: a 204 has no length
        end = std::to_chars(num, num + sizeof num, content_length).ptr;
        out += "Content-Length: ";
        out.append(num, end);
        out += "\r\n";
      }
      break;
    case body_framing::chunked:
      out += "Transfer-Encoding: chunked\r\n";
      break;
    case body_framing::close:
      keep_alive = false;
      if (version_ == 10) out += "Connection: close\r\n";  // 1.1 gets it below
      break;
  }
  // HTTP/1.1 is persistent unless it says close; HTTP/1.0 closes unless it says keep-alive.
  if (version_ == 11 && !keep_alive) out += "Connection: close\r\n";
  if (version_ == 10 && keep_alive) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  return out;
}

}  // namespace gw
