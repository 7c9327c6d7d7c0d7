#include "gateway/response_head.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <cstring>

namespace gw {

void response_head::set(std::string_view name, std::string_view value) {
  fields_.erase(std::remove_if(fields_.begin(), fields_.end(),
                               [&](const auto& f) { return boost::beast::iequals(f.first, name); }),
                fields_.end());
  fields_.emplace_back(name, value);
}

std::string response_head::render(body_framing framing, bool keep_alive, std::size_t content_length) const {
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status_));
  // Room for the whole head first (an upper bound), then the bytes copied in: appending piece by
  // piece (twenty appends, each checking capacity) cost twice as much as the copies themselves.
  std::size_t size = 9 + 10 + 1 + reason.size() + 2;  // "HTTP/1.1 ", the status, a space, the reason, CRLF
  for (const auto& [k, v] : fields_) size += k.size() + v.size() + 4;
  size += 64 + 2;  // at most one framing field, a Connection field and the blank line
  std::string out(size, '\0');
  char* p = out.data();
  auto put = [&p](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  p = std::to_chars(p, p + 10, status_).ptr;
  *p++ = ' ';
  put({reason.data(), reason.size()});
  put("\r\n");
  for (const auto& [k, v] : fields_) {
    put(k);
    put(": ");
    put(v);
    put("\r\n");
  }
  switch (framing) {
    case body_framing::length:
      if (status_ != 204) {  // RFC 9110: a 204 has no length
        put("Content-Length: ");
        p = std::to_chars(p, p + 20, content_length).ptr;
        put("\r\n");
      }
      break;
    case body_framing::chunked:
      put("Transfer-Encoding: chunked\r\n");
      break;
    case body_framing::close:
      keep_alive = false;
      if (version_ == 10) put("Connection: close\r\n");  // 1.1 gets it below
      break;
  }
  // HTTP/1.1 is persistent unless it says close; HTTP/1.0 closes unless it says keep-alive.
  if (version_ == 11 && !keep_alive) put("Connection: close\r\n");
  if (version_ == 10 && keep_alive) put("Connection: keep-alive\r\n");
  put("\r\n");
  out.resize(static_cast<std::size_t>(p - out.data()));
  return out;
}

}  // namespace gw
