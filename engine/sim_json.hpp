#pragma once
// A JSON value as a small tree, and its writer: how the simulated engine's planner receives the
// JSON Schemas a request carries (tool parameters, response_format). engine/ parses no JSON (it
// builds without simdjson); gateway/ converts the client's JSON into this tree.
//
// Numbers keep their JSON text, so a `const` or `enum` value is written back exactly as the
// client sent it.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gw {

struct sim_json {
  enum class kind : std::uint8_t { null, boolean, number, string, array, object };

  // Defined where the member type is complete (sim_json.cpp): a vector of pairs holding this
  // very type may not be instantiated inside it.
  sim_json();
  ~sim_json();
  sim_json(const sim_json&);
  sim_json(sim_json&&) noexcept;
  sim_json& operator=(const sim_json&);
  sim_json& operator=(sim_json&&) noexcept;

  kind type = kind::null;
  bool boolean = false;
  std::string text;                                       // a string's value, a number's JSON text
  std::vector<sim_json> items;                            // an array's elements
  std::vector<std::pair<std::string, sim_json>> members;  // an object's members, in order

  static sim_json null_value();
  static sim_json of_bool(bool b);
  static sim_json of_number(std::string json_text);
  static sim_json of_string(std::string s);
  static sim_json array();
  static sim_json object();

  bool is(kind k) const { return type == k; }
  // The member `key` of an object, or nullptr (also for non-objects).
  const sim_json* find(std::string_view key) const;
  // A number's value (0 for non-numbers or unparsable text).
  double number() const;
  // Appends a member / element; returns it.
  sim_json& add(std::string key, sim_json v);
  sim_json& push(sim_json v);
};

// Appends `s` as a quoted JSON string (`s` is UTF-8; quotes, backslashes and control bytes are
// escaped).
void append_json_string(std::string& out, std::string_view s);
// Appends `v` as compact JSON.
void append_json(std::string& out, const sim_json& v);

}  // namespace gw
