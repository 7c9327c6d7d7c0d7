#pragma once
// Prompts from a file: JSONL with one object per line, either {"prompt": "..."} (optionally
// with "output_tokens": N) or ShareGPT-style {"conversations": [{"from": "human", "value": ...},
// {"from": "gpt", "value": ...}, ...]}; a file whose first character is '[' is read as one JSON
// array of such objects (the published ShareGPT files). Parsed once at start-up with simdjson.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::bench {

struct dataset_entry {
  std::string prompt;
  std::uint32_t prompt_words = 0;
  std::uint32_t output_tokens = 0;  // the reply's length in words; 0: the file has none
};

// Words (runs of non-space bytes); the gateway's tokenizer counts about one token per word.
std::uint32_t count_words(std::string_view text);

// One JSON object; nullopt with `error` when it has no usable prompt.
std::optional<dataset_entry> parse_dataset_record(std::string_view json, std::string& error);

// The whole file; nullopt with `error` naming the line (JSONL) or element (array) at fault.
// Blank lines are skipped; a file without one prompt is an error.
std::optional<std::vector<dataset_entry>> load_dataset(const std::string& path, std::string& error);

}  // namespace gw::bench
