#include "gateway/request_limits.hpp"

#include <boost/beast/core/string.hpp>
#include <string>

namespace gw {

std::optional<api_error> check_field_count(const request_framing& head, const server_config& limits) {
  const std::size_t n = head.field_count;
  if (n <= limits.max_header_count) return std::nullopt;
  return api_error{api_errc::header_too_large, "The request has " + std::to_string(n) +
                                                   " header fields; the limit is " +
                                                   std::to_string(limits.max_header_count) + "."};
}

std::optional<api_error> check_request_head(const request_framing& head, const server_config& limits) {
  if (head.target_bytes > limits.max_target_bytes)
    return api_error{api_errc::uri_too_long,
                     "The request target exceeds the limit of " + std::to_string(limits.max_target_bytes) + " bytes."};
  if (auto e = check_field_count(head, limits)) return e;

  const auto te_count = head.transfer_encoding_count;
  if (te_count == 0) {
    if (head.content_length_count > 1)
      return api_error{api_errc::bad_framing, "The request has more than one Content-Length header."};
    return std::nullopt;
  }
  if (te_count > 1) return api_error{api_errc::bad_framing, "The request has more than one Transfer-Encoding header."};
  if (head.version < 11)
    return api_error{api_errc::bad_framing, "Transfer-Encoding is not allowed on HTTP/1.0."};
  if (head.content_length_count > 0)
    return api_error{api_errc::bad_framing, "The request has both Transfer-Encoding and Content-Length."};
  std::string_view te = head.transfer_encoding;
  while (!te.empty() && (te.front() == ' ' || te.front() == '\t')) te.remove_prefix(1);
  while (!te.empty() && (te.back() == ' ' || te.back() == '\t')) te.remove_suffix(1);
  if (!boost::beast::iequals(te, "chunked"))
    return api_error{api_errc::bad_framing, "Transfer-Encoding must be exactly \"chunked\"."};
  return std::nullopt;
}

}  // namespace gw
