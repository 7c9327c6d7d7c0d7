#include "bench/gateway_bench/dataset.hpp"

#include <simdjson.h>

#include <fstream>
#include <sstream>

namespace gw::bench {
namespace {

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

bool is_human(std::string_view from) { return from == "human" || from == "user"; }
bool is_model(std::string_view from) { return from == "gpt" || from == "assistant" || from == "chatgpt" || from == "bing"; }

std::optional<dataset_entry> from_element(simdjson::dom::element el, std::string& error) {
  simdjson::dom::object obj;
  if (el.get_object().get(obj) != simdjson::SUCCESS) {
    error = "not a JSON object";
    return std::nullopt;
  }
  dataset_entry e;
  std::string_view prompt;
  if (obj["prompt"].get_string().get(prompt) == simdjson::SUCCESS) {
    e.prompt = std::string(prompt);
    std::uint64_t n = 0;
    if (obj["output_tokens"].get_uint64().get(n) == simdjson::SUCCESS) e.output_tokens = static_cast<std::uint32_t>(n);
  } else {
    simdjson::dom::array turns;
    if (obj["conversations"].get_array().get(turns) != simdjson::SUCCESS) {
      error = "has neither a \"prompt\" string nor a \"conversations\" array";
      return std::nullopt;
    }
    bool have_prompt = false;
    for (auto turn : turns) {
      std::string_view from, value;
      if (turn["from"].get_string().get(from) != simdjson::SUCCESS ||
          turn["value"].get_string().get(value) != simdjson::SUCCESS)
        continue;
      if (!have_prompt) {
        if (!is_human(from)) continue;
        e.prompt = std::string(value);
        have_prompt = true;
      } else if (is_model(from)) {
        e.output_tokens = count_words(value);
        break;
      }
    }
    if (!have_prompt) {
      error = "\"conversations\" has no human turn";
      return std::nullopt;
    }
  }
  e.prompt_words = count_words(e.prompt);
  if (e.prompt_words == 0) {
    error = "the prompt is empty";
    return std::nullopt;
  }
  return e;
}

}  // namespace

std::uint32_t count_words(std::string_view text) {
  std::uint32_t n = 0;
  bool in_word = false;
  for (char c : text) {
    const bool space = is_space(c);
    if (!space && !in_word) ++n;
    in_word = !space;
  }
  return n;
}

std::optional<dataset_entry> parse_dataset_record(std::string_view json, std::string& error) {
  simdjson::dom::parser parser;
  simdjson::dom::element el;
  const simdjson::padded_string padded(json);
  if (const auto ec = parser.parse(padded).get(el); ec != simdjson::SUCCESS) {
    error = std::string("not JSON: ") + simdjson::error_message(ec);
    return std::nullopt;
  }
  return from_element(el, error);
}

std::optional<std::vector<dataset_entry>> load_dataset(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = path + ": cannot open";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<dataset_entry> out;
  std::size_t first = 0;
  while (first < text.size() && is_space(text[first])) ++first;
  if (first < text.size() && text[first] == '[') {
    simdjson::dom::parser parser;
    simdjson::dom::array arr;
    const simdjson::padded_string padded(text);
    if (const auto ec = parser.parse(padded).get_array().get(arr); ec != simdjson::SUCCESS) {
      error = path + ": not a JSON array: " + simdjson::error_message(ec);
      return std::nullopt;
    }
    std::size_t index = 0;
    for (auto el : arr) {
      std::string why;
      auto e = from_element(el, why);
      // The published ShareGPT files contain conversations without a human turn: skip those.
      if (e) out.push_back(std::move(*e));
      ++index;
    }
    if (out.empty()) error = path + ": none of the " + std::to_string(index) + " array elements has a prompt";
  } else {
    std::size_t line_no = 0, pos = 0;
    while (pos < text.size()) {
      auto nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      const std::string_view line(text.data() + pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      if (count_words(line) == 0) continue;
      std::string why;
      auto e = parse_dataset_record(line, why);
      if (!e) {
        error = path + ":" + std::to_string(line_no) + ": " + why;
        return std::nullopt;
      }
      out.push_back(std::move(*e));
    }
    if (out.empty()) error = path + ": no prompts";
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace gw::bench
