#pragma once
// A response's status line and header block, written directly (gateway/http_session.cpp).
//
// A response head is a few fields: written into one string that goes out with the body in one
// send, it costs a fraction of Beast's message + serializer + async_write, which every response
// would otherwise go through.

#include <boost/container/small_vector.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw {

// How the receiver finds the body's end.
enum class body_framing {
  length,   // Content-Length (none on 204)
  chunked,  // Transfer-Encoding: chunked
  close,    // the connection's close (HTTP/1.0 streams): Connection: close
};

class response_head {
 public:
  response_head(unsigned status, unsigned version) : status_(status), version_(version == 10 ? 10 : 11) {}

  // Sets a field, replacing one of the same name (case-insensitively), as Beast's fields::set.
  // The views must outlive render().
  void set(std::string_view name, std::string_view value);
  void set_all(const std::vector<std::pair<std::string, std::string>>& fields) {
    for (const auto& [k, v] : fields) set(k, v);
  }
  // A temporary list would be gone before render() reads its views.
  void set_all(std::vector<std::pair<std::string, std::string>>&&) = delete;

  // The status line, the fields, the framing fields and Connection as HTTP/1.x wants them for
  // `keep_alive`, and the blank line. `content_length` counts with body_framing::length.
  std::string render(body_framing framing, bool keep_alive, std::size_t content_length = 0) const;

 private:
  unsigned status_;
  unsigned version_;
  // Inline room for a typical response's fields: growing a vector took four allocations per
  // response.
  boost::container::small_vector<std::pair<std::string_view, std::string_view>, 12> fields_;
};

}  // namespace gw
