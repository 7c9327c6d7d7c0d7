#include "bench/gateway_bench/sse_scanner.hpp"

namespace gw::bench {

void sse_scanner::reset() {
  line_.clear();
  data_.clear();
  view_ = {};
  has_data_ = in_view_ = error_ = dispatched_ = dispatched_error_ = overflow_ = false;
}

void sse_scanner::add_data(std::string_view value, bool stable) {
  if (!has_data_ && stable) {
    view_ = value;  // the common case: one data line, still inside the caller's input
    in_view_ = true;
  } else {
    if (in_view_) {
      data_.assign(view_);
      in_view_ = false;
    }
    if (has_data_) data_ += '\n';
    data_ += value;
  }
  has_data_ = true;
}

bool sse_scanner::next(std::string_view& in, std::string_view& data) {
  if (dispatched_) {
    data_.clear();
    view_ = {};
    has_data_ = in_view_ = error_ = dispatched_ = false;
  }
  if (overflow_) {
    in = {};
    return false;
  }
  while (!in.empty()) {
    const auto nl = in.find('\n');
    if (nl == std::string_view::npos) {
      line_.append(in);
      in = {};
      if (line_.size() > max_line_bytes) overflow_ = true;
      break;
    }
    std::string_view line;
    bool stable = true;  // the line lies in `in`, not in line_
    if (line_.empty()) {
      line = in.substr(0, nl);
    } else {
      line_.append(in.data(), nl);
      line = line_;
      stable = false;
    }
    in.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line.empty()) {
      const bool had = has_data_;
      line_.clear();
      if (!had) {  // a blank line without data ends nothing
        error_ = false;
        continue;
      }
      data = in_view_ ? view_ : std::string_view(data_);
      dispatched_ = true;
      dispatched_error_ = error_;
      return true;
    }
    if (line.starts_with("data:")) {
      std::string_view value = line.substr(5);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      add_data(value, stable);
    } else if (line.starts_with("event:")) {
      std::string_view value = line.substr(6);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      error_ = value == "error";
    }
    // ':' comments, id:, retry: and unknown fields carry nothing the bench needs.
    if (!stable) line_.clear();
  }
  // The input ends inside an event: its data must outlive the input.
  if (has_data_ && in_view_) {
    data_.assign(view_);
    in_view_ = false;
  }
  return false;
}

}  // namespace gw::bench
