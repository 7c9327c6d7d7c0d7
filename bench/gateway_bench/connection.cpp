#include "bench/gateway_bench/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <charconv>
#include <cstring>

#include "bench/gateway_bench/chunk_scan.hpp"

namespace gw::bench {
namespace asio = boost::asio;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_body_bytes = 64u << 20;   // a non-streaming answer
constexpr std::size_t max_detail_bytes = 300;       // what an error keeps of a body

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Clears busy_/deadline on every way out of run().
struct run_scope {
  bool& busy;
  std::int64_t& deadline;
  ~run_scope() {
    busy = false;
    deadline = 0;
  }
};

}  // namespace

std::string build_request_head(const bench_options& o) {
  const auto user_has = [&](std::string_view name) {
    for (const auto& [k, v] : o.headers)
      if (iequals(k, name)) return true;
    return false;
  };
  std::string h = "POST " + o.path + " HTTP/1.1\r\n";
  const bool v6 = o.host.find(':') != std::string::npos;
  if (!user_has("host")) h += "Host: " + (v6 ? "[" + o.host + "]" : o.host) + ":" + std::to_string(o.port) + "\r\n";
  if (!user_has("user-agent")) h += "User-Agent: gateway-bench\r\n";
  if (!user_has("content-type")) h += "Content-Type: application/json\r\n";
  if (!user_has("accept")) h += o.stream ? "Accept: text/event-stream\r\n" : "Accept: application/json\r\n";
  if (o.endpoint == api_endpoint::messages) {
    // Anthropic's API takes its key in x-api-key and requires a version, as its SDKs send them.
    if (!o.api_key.empty() && !user_has("x-api-key")) h += "x-api-key: " + o.api_key + "\r\n";
    if (!user_has("anthropic-version")) h += "anthropic-version: 2023-06-01\r\n";
  } else if (!o.api_key.empty() && !user_has("authorization")) {
    h += "Authorization: Bearer " + o.api_key + "\r\n";
  }
  for (const auto& [k, v] : o.headers) {
    if (iequals(k, "content-length") || iequals(k, "transfer-encoding")) continue;  // ours frame the body
    h += k + ": " + v + "\r\n";
  }
  h += "Content-Length: ";
  return h;
}

connection::connection(const asio::any_io_executor& ex, const target& t, const run_clock& clock)
    : stream_(ex, t.tls), target_(t), clock_(clock), buffer_(new char[read_buffer_bytes]) {}

void connection::close() {
  stream_.close();
  if (counted_open_ && target_.live) target_.live->connections.fetch_sub(1, std::memory_order_relaxed);
  counted_open_ = false;
}

asio::awaitable<bool> connection::hold(std::int64_t until_ns) {
  if (!stream_.is_open()) {
    detail_ = "the server closed the connection after its response";
    co_return true;
  }
  hold_until_ns_ = until_ns;
  auto [ec, n] = co_await stream_.async_read_some(asio::buffer(buffer_.get(), read_buffer_bytes), use_tuple);
  hold_until_ns_ = 0;
  // Cancelled by release(), or closed by close(): the owner ended the hold.
  if (ec == asio::error::operation_aborted || !stream_.is_open()) co_return false;
  detail_ = ec ? "the server closed an idle connection: " + ec.message()
               : "the server sent " + std::to_string(n) + " unrequested bytes on an idle connection";
  close();
  co_return true;
}

void connection::release() { stream_.cancel(); }

void connection::abort(error_kind why) {
  if (!busy_) return;
  aborted_ = why;
  close();
}

// The connect timeout covers the TLS handshake too (both are "connect" errors).
asio::awaitable<boost::system::error_code> connection::connect(std::int64_t start_ns) {
  connecting_ = true;
  deadline_ns_ = start_ns + target_.connect_timeout_ns;
  const boost::system::error_code ec = co_await stream_.connect(target_.endpoints, detail_);
  connecting_ = false;
  if (!ec) {
    if (target_.live && !counted_open_) target_.live->connections.fetch_add(1, std::memory_order_relaxed);
    counted_open_ = true;
  }
  co_return ec;
}

void connection::fail(request_record& rec, error_kind kind, std::int64_t t, std::string detail) {
  rec.error = aborted_ != error_kind::none ? aborted_ : kind;
  rec.end_ns = t;
  if (aborted_ == error_kind::timeout) detail = "request timed out";
  else if (aborted_ == error_kind::connect) detail = "connect timed out";
  detail_ = std::move(detail);
  close();
}

asio::awaitable<void> connection::run(const request_spec& req, request_record& rec) {
  busy_ = true;
  run_scope scope{busy_, deadline_ns_};
  aborted_ = error_kind::none;
  itl_ms_.clear();
  detail_.clear();
  rec.prompt_tokens = req.prompt_tokens;
  rec.max_tokens = req.max_tokens;
  for (int attempt = 0;; ++attempt) {
    const bool reused = stream_.is_open();
    if (!reused) {
      const boost::system::error_code ec = co_await connect(rec.start_ns);
      if (ec) {
        fail(rec, error_kind::connect, clock_.now_ns(), detail_);
        co_return;
      }
    }
    deadline_ns_ = target_.request_timeout_ns > 0 ? rec.start_ns + target_.request_timeout_ns : 0;
    const outcome o = co_await exchange(req, rec, reused && attempt == 0);
    if (o == outcome::finished) co_return;
    close();  // the server closed the idle connection as we reused it: send again, once
  }
}

asio::awaitable<connection::outcome> connection::exchange(const request_spec& req, request_record& rec,
                                                            bool may_retry) {
  const auto res = std::to_chars(length_line_, length_line_ + sizeof length_line_ - 4, req.body.size());
  char* end = res.ptr;
  std::memcpy(end, "\r\n\r\n", 4);
  end += 4;
  const std::array<asio::const_buffer, 3> request{asio::buffer(target_.head),
                                                  asio::buffer(length_line_, static_cast<std::size_t>(end - length_line_)),
                                                  asio::buffer(req.body)};
  auto [wec, written] = co_await asio::async_write(stream_, request, use_tuple);
  if (wec) {
    if (may_retry && aborted_ == error_kind::none) co_return outcome::retry;
    fail(rec, error_kind::broken_stream, clock_.now_ns(), "write: " + wec.message());
    co_return outcome::finished;
  }

  reader_.reset();
  sse_.reset();
  body_.clear();
  last_content_ns_ = -1;
  content_chunks_ = 0;
  done_seen_ = error_seen_ = usage_seen_ = false;
  rec.ttft_ns = -1;
  for (;;) {
    const auto buf = asio::buffer(buffer_.get(), read_buffer_bytes);
    auto [ec, n] = co_await stream_.async_read_some(buf, use_tuple);
    const std::int64_t t = clock_.now_ns();
    if (ec) {
      if (aborted_ == error_kind::none && client_stream::is_eof(ec)) {
        if (reader_.on_eof() == http_response_reader::result::complete) {
          finish(t, rec);
          close();
          co_return outcome::finished;
        }
      }
      if (may_retry && !reader_.started() && aborted_ == error_kind::none) co_return outcome::retry;
      fail(rec, error_kind::broken_stream, t,
           (reader_.started() ? "response cut: " : "no response: ") + ec.message());
      co_return outcome::finished;
    }
    std::string_view in(buffer_.get(), n);
    std::string_view body;
    for (;;) {
      const auto r = reader_.next(in, body);
      if (r == http_response_reader::result::body) {
        on_body(body, t, rec);
        continue;
      }
      if (r == http_response_reader::result::need_more) break;
      if (r == http_response_reader::result::error) {
        fail(rec, error_kind::protocol, t, std::string("bad HTTP response: ") + std::string(reader_.error()));
        co_return outcome::finished;
      }
      // complete: bytes after the response (none are expected without pipelining) or
      // "Connection: close" end the connection.
      finish(t, rec);
      if (!in.empty() || !reader_.keep_alive()) close();
      co_return outcome::finished;
    }
  }
}

// One event's data (or a whole body) as the endpoint's protocol has it; a Messages stream's
// message_stop counts as its [DONE].
chunk_info connection::scan(std::string_view data) {
  if (!target_.messages) return scan_chunk(data);
  const message_event_info info = scan_message_event(data);
  if (info.end) done_seen_ = true;
  return info;
}

void connection::on_body(std::string_view body, std::int64_t t, request_record& rec) {
  const int status = reader_.status();
  if (!(target_.stream && status >= 200 && status < 300)) {
    const std::size_t cap = (status >= 200 && status < 300) ? max_body_bytes : max_detail_bytes;
    if (body_.size() < cap) body_.append(body.substr(0, cap - body_.size()));
    return;
  }
  std::string_view data;
  while (sse_.next(body, data)) {
    if (data == "[DONE]") {
      done_seen_ = true;
      continue;
    }
    const chunk_info info = scan(data);
    if (info.error || sse_.error_event()) {
      if (!error_seen_) body_.assign(data.substr(0, max_detail_bytes));
      error_seen_ = true;
    }
    if (info.content) {
      ++content_chunks_;
      if (target_.live) {
        target_.live->chunks.fetch_add(1, std::memory_order_relaxed);
        target_.live->output_tokens.fetch_add(1, std::memory_order_relaxed);
      }
      if (last_content_ns_ < 0) rec.ttft_ns = t - rec.start_ns;
      else itl_ms_.push_back(static_cast<float>(static_cast<double>(t - last_content_ns_) / 1e6));
      last_content_ns_ = t;
    }
    if (info.has_usage) {
      usage_seen_ = true;
      rec.output_tokens = static_cast<std::uint32_t>(info.completion_tokens);
      if (info.prompt_tokens > 0) rec.prompt_tokens = static_cast<std::uint32_t>(info.prompt_tokens);
    }
  }
}

void connection::finish(std::int64_t t, request_record& rec) {
  const int status = reader_.status();
  rec.http_status = static_cast<std::uint16_t>(status);
  rec.end_ns = t;
  if (status < 200 || status >= 300) {
    rec.error = status >= 500 ? error_kind::http_5xx : status >= 400 ? error_kind::http_4xx : error_kind::http_other;
    detail_ = "HTTP " + std::to_string(status) + (body_.empty() ? "" : ": " + body_);
    return;
  }
  if (target_.stream) {
    if (sse_.overflow()) {
      rec.error = error_kind::protocol;
      detail_ = "an SSE line longer than 4 MiB";
    } else if (error_seen_) {
      rec.error = error_kind::sse_error;
      detail_ = "error event: " + body_;
    } else if (!done_seen_) {
      rec.error = error_kind::broken_stream;
      detail_ = target_.messages ? "the stream ended without message_stop" : "the stream ended without data: [DONE]";
    }
    if (!usage_seen_) {
      rec.output_tokens = content_chunks_;
      rec.usage_missing = true;
    }
    return;
  }
  const chunk_info info = scan(body_);
  rec.ttft_ns = t - rec.start_ns;  // the first token arrives with the whole answer
  if (info.error) {
    rec.error = error_kind::sse_error;
    detail_ = "error body: " + body_.substr(0, max_detail_bytes);
  }
  if (info.has_usage) {
    rec.output_tokens = static_cast<std::uint32_t>(info.completion_tokens);
    if (info.prompt_tokens > 0) rec.prompt_tokens = static_cast<std::uint32_t>(info.prompt_tokens);
  } else {
    rec.output_tokens = info.content ? 1 : 0;
    rec.usage_missing = true;
  }
  if (target_.live) target_.live->output_tokens.fetch_add(rec.output_tokens, std::memory_order_relaxed);
}

}  // namespace gw::bench
