#pragma once
// Writes a JSON object again with a few members edited and every other byte copied: the splice
// that forwarding needs (backends/forward_body, backends/chunk_relay). Views only: the text, the
// scan and every replacement must outlive write().

#include <boost/container/small_vector.hpp>
#include <string>
#include <string_view>

#include "backends/json_scan.hpp"

namespace gw::json {

class object_editor {
 public:
  // `scan` lists the members of the object that begins at scan.open in `text`.
  object_editor(std::string_view text, const object_scan& scan);

  // Member i's value becomes `value` (JSON text).
  void replace_value(std::size_t i, std::string_view value);
  // Member i's key becomes `key` (unquoted, written as it is: a plain name).
  void rename(std::size_t i, std::string_view key);
  // Member i is left out, with its separating comma.
  void drop(std::size_t i);
  // `member` ("\"key\":value") is added after the last member.
  void append(std::string_view member);

  // Appends the edited text (everything before '{' and after '}' included) to `out`.
  void write(std::string& out) const;

 private:
  struct edit {
    std::string_view value;  // replacement value, if not empty
    std::string_view key;    // replacement key, if not empty
    bool dropped = false;
  };
  std::string_view text_;
  const object_scan& scan_;
  boost::container::small_vector<edit, 16> edits_;
  boost::container::small_vector<std::string_view, 2> appended_;
};

}  // namespace gw::json
