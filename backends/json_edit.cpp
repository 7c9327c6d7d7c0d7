#include "backends/json_edit.hpp"

namespace gw::json {

object_editor::object_editor(std::string_view text, const object_scan& scan)
    : text_(text), scan_(scan), edits_(scan.members.size()) {}

void object_editor::replace_value(std::size_t i, std::string_view value) { edits_.at(i).value = value; }
void object_editor::rename(std::size_t i, std::string_view key) { edits_.at(i).key = key; }
void object_editor::drop(std::size_t i) { edits_.at(i).dropped = true; }
void object_editor::append(std::string_view member) { appended_.push_back(member); }

void object_editor::write(std::string& out) const {
  const auto& ms = scan_.members;
  const auto at = [&](std::size_t from, std::size_t to) { out.append(text_.substr(from, to - from)); };
  out.reserve(out.size() + text_.size() + 64);
  at(0, scan_.open + 1);
  std::size_t last = SIZE_MAX;  // the last member written
  for (std::size_t i = 0; i < ms.size(); ++i) {
    if (edits_[i].dropped) continue;
    const member& m = ms[i];
    // The original separator (a comma and its whitespace) when the member before was written
    // too; the original leading whitespace before the first member; a bare comma after a
    // dropped one.
    if (last == SIZE_MAX) {
      if (i == 0) at(scan_.open + 1, m.begin);
    }
    else if (last + 1 == i) at(ms[last].end, m.begin);
    else out += ',';
    const std::size_t value_begin = static_cast<std::size_t>(m.value.data() - text_.data());
    if (!edits_[i].key.empty()) {
      out += '"';
      out.append(edits_[i].key);
      out += '"';
      at(m.begin + m.key.size() + 2, value_begin);
    } else {
      at(m.begin, value_begin);
    }
    if (!edits_[i].value.empty()) out.append(edits_[i].value);
    else out.append(m.value);
    last = i;
  }
  for (std::size_t i = 0; i < appended_.size(); ++i) {
    if (last != SIZE_MAX || i > 0) out += ',';
    out.append(appended_[i]);
  }
  // Whitespace before '}' is kept when the last member is; then '}' and whatever follows it.
  if (!ms.empty() && last == ms.size() - 1 && appended_.empty()) at(ms.back().end, scan_.close);
  out.append(text_.substr(scan_.close));
}

}  // namespace gw::json
