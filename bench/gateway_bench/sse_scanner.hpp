#pragma once
// Incremental Server-Sent Events scanning for OpenAI-style streams: lines end in LF or CRLF;
// "data:" lines of one event join with '\n'; an event is dispatched at the blank line that ends
// it; "event: error" marks it; comments and other fields are ignored. An event that arrives
// whole in one input is returned as a view into that input (no copy); only an event or line split
// across inputs is copied. Pure: no I/O, not thread-safe, one scanner per response.

#include <cstddef>
#include <string>
#include <string_view>

namespace gw::bench {

class sse_scanner {
 public:
  void reset();

  // Consumes `in` up to the end of the next complete event and returns true with its data in
  // `data` (valid until the next call or until `in`'s bytes go away); returns false when `in` is
  // used up, keeping any partial line or event for the next input.
  bool next(std::string_view& in, std::string_view& data);

  // The event returned last came with "event: error".
  bool error_event() const { return dispatched_error_; }
  // A line grew past max_line_bytes; the scanner drops input from then on.
  bool overflow() const { return overflow_; }

  static constexpr std::size_t max_line_bytes = 4u << 20;

 private:
  void add_data(std::string_view value, bool stable);

  std::string line_;        // a line split across inputs
  std::string data_;        // the current event's data when it is not a view
  std::string_view view_;   // the current event's data as a view into the current input
  bool has_data_ = false;
  bool in_view_ = false;    // the data is view_, not data_
  bool error_ = false;      // "event: error" seen in the current event
  bool dispatched_ = false; // the last call returned an event: clear its buffers first
  bool dispatched_error_ = false;
  bool overflow_ = false;
};

}  // namespace gw::bench
