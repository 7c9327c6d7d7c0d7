#include "backends/curl_outcome.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace gw {

const char* to_string(upstream_errc e) {
  switch (e) {
    case upstream_errc::none: return "none";
    case upstream_errc::connect_failed: return "connect_failed";
    case upstream_errc::tls_failed: return "tls_failed";
    case upstream_errc::timeout_connect: return "timeout_connect";
    case upstream_errc::timeout_first_byte: return "timeout_first_byte";
    case upstream_errc::timeout_idle: return "timeout_idle";
    case upstream_errc::timeout_total: return "timeout_total";
    case upstream_errc::transfer_failed: return "transfer_failed";
  }
  return "unknown";
}

namespace {

// Pre-transfer time is set once the connection is ready for the request, after TCP and TLS.
// CURLINFO_CONNECT_TIME_T alone would call a peer that accepts TCP and then never answers the
// TLS handshake connected.
bool still_connecting(CURL* easy) {
  curl_off_t pretransfer_us = 0;
  curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &pretransfer_us);
  return pretransfer_us == 0;
}

}  // namespace

upstream_errc classify_curl(CURLcode code, CURL* easy, upstream_errc timed_out) {
  if (timed_out != upstream_errc::none)
    return timed_out == upstream_errc::timeout_first_byte && still_connecting(easy) ? upstream_errc::timeout_connect
                                                                                    : timed_out;
  switch (code) {
    case CURLE_OK: return upstream_errc::none;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: return upstream_errc::connect_failed;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH: return upstream_errc::tls_failed;
    case CURLE_OPERATION_TIMEDOUT:
      return still_connecting(easy) ? upstream_errc::timeout_connect : upstream_errc::timeout_total;
    default: return upstream_errc::transfer_failed;
  }
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view v, std::time_t now) {
  // Longer waits are capped, so that no later conversion (to milliseconds, to the client's
  // header) can overflow on a hostile value.
  constexpr long long max_s = 86400;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '\n')) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  if (v.front() >= '0' && v.front() <= '9') {
    long long secs = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), secs);
    if (p != v.data() + v.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) return std::chrono::seconds(max_s);
    if (ec != std::errc()) return std::nullopt;
    return std::chrono::seconds(std::min(secs, max_s));
  }
  // curl_getdate reads every date form RFC 9110 asks recipients to accept.
  const std::string date(v);
  const std::time_t at = curl_getdate(date.c_str(), nullptr);
  if (at == -1) return std::nullopt;
  return std::chrono::seconds(at > now ? std::min<long long>(at - now, max_s) : 0);
}

}  // namespace gw
