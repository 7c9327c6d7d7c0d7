#include "backends/forward_body.hpp"

#include "backends/json_edit.hpp"
#include "backends/json_writer.hpp"

namespace gw {
namespace {

constexpr std::string_view include_usage_member = "\"include_usage\":true";

// The client's stream_options object (or null) with include_usage set to true.
std::string with_include_usage(std::string_view value) {
  std::string out;
  const json::object_scan opts = json::members_of(value);
  if (opts.close == 0) {  // null: as if absent
    out = "{";
    out += include_usage_member;
    out += '}';
    return out;
  }
  json::object_editor ed(value, opts);
  bool found = false;
  for (std::size_t i = 0; i < opts.members.size(); ++i) {
    if (json::key_is(opts.members[i], "include_usage")) {
      ed.replace_value(i, "true");
      found = true;
    }
  }
  if (!found) ed.append(include_usage_member);
  ed.write(out);
  return out;
}

}  // namespace

std::string forward_body(std::string_view original, const json::object_scan& scan, const forward_edits& e) {
  std::string model;
  json::append_string(model, e.model);
  // Edited stream_options values, alive until write(); reserved so that views stay valid.
  std::vector<std::string> options;
  if (e.include_usage) {
    std::size_t n = 0;
    for (const auto& m : scan.members) n += json::key_is(m, "stream_options") ? 1 : 0;
    options.reserve(n);
  }
  json::object_editor ed(original, scan);
  for (std::size_t i = 0; i < scan.members.size(); ++i) {
    const json::member& m = scan.members[i];
    if (json::key_is(m, "model")) {
      ed.replace_value(i, model);
    } else if (e.include_usage && json::key_is(m, "stream_options")) {
      // Duplicates are rare, and an upstream may read either: each gets the flag.
      options.push_back(with_include_usage(m.value));
      ed.replace_value(i, options.back());
    }
  }
  if (e.renames) {
    for (const auto& r : *e.renames) {
      bool taken = false;
      for (const auto& m : scan.members) taken = taken || json::key_is(m, r.to);
      for (std::size_t i = 0; i < scan.members.size(); ++i) {
        if (!json::key_is(scan.members[i], r.from)) continue;
        if (taken) ed.drop(i);
        else ed.rename(i, r.to);
      }
    }
  }
  std::string stream_options_member;
  if (e.include_usage && options.empty()) {
    stream_options_member = "\"stream_options\":{";
    stream_options_member += include_usage_member;
    stream_options_member += '}';
    ed.append(stream_options_member);
  }
  std::string out;
  ed.write(out);
  return out;
}

}  // namespace gw
