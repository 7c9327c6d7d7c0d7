#include "engine/sim_engine.hpp"

#include "engine/sim_script.hpp"
#include "engine/tokenizer.hpp"

#include <algorithm>
#include <cmath>
#include <array>
#include <limits>
#include <utility>

namespace gw {
namespace {

struct named_preset {
  std::string_view name;
  sim_timing timing;
};

// DeepSeek-R1 W8A8 on a two-node 910B cluster: ~180 ms to first token for a short prompt,
// 22.2 ms per step at 256 sequences = ~45 tokens/s per user and ~11,500 tokens/s in total.
// MiniMax INT4 on two 910B: ~65 ms per step = ~15 tokens/s per user.
// Qwen2.5-72B on vLLM, 2x H100 (TP=2): ~30 tokens/s per user at 64 concurrent.
const std::array<named_preset, 3> presets = {{
    {"deepseek-r1-w8a8-2node", {12000, 0.165, 0.015, 0.0000283, 786432, 1.0}},
    {"minimax-int4-2x910b", {2500, 0.35, 0.062, 0.0002, 131072, 1.0}},
    {"qwen2.5-72b-2xh100", {15000, 0.04, 0.022, 0.00018, 524288, 1.0}},
}};

}  // namespace

const sim_timing* find_sim_preset(std::string_view name) {
  for (const auto& p : presets)
    if (p.name == name) return &p.timing;
  return nullptr;
}

std::vector<std::string> sim_preset_names() {
  std::vector<std::string> out;
  for (const auto& p : presets) out.emplace_back(p.name);
  return out;
}

bool sim_preset_reasons(std::string_view name) { return name.starts_with("deepseek-r1"); }

sim_engine::sequence::sequence(generation_params p, double ready) : params(std::move(p)), ready_at(ready) {
  const std::size_t n = params.script ? params.script->choices.size() : 1;
  choices.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    choices.emplace_back(params.script ? params.script->choices[i].seed : params.seed, params.stop);
  running = static_cast<std::uint32_t>(n);
}

sim_engine::sim_engine(sim_timing timing) : timing_(timing) {}

void sim_engine::admit(sequence_id id, generation_params params) {
  // Prefills are serialized on one lane; decoding sequences keep stepping meanwhile (as with
  // chunked prefill or a disaggregated prefill node), so an arrival does not stall the batch.
  // The n choices of a sequence share its prompt, so it is prefilled once.
  const double start = std::max(clock_, prefill_free_at_);
  prefill_free_at_ = start + params.prompt_tokens / timing_.prefill_tokens_per_s;
  const double ready = prefill_free_at_ + timing_.prefill_latency_s;
  sequences_.try_emplace(id, std::move(params), ready);
}

void sim_engine::cancel(sequence_id id) { sequences_.erase(id); }

bool sim_engine::generate(sequence_id id, sequence& s, std::uint32_t i, step_result& out) {
  choice_state& c = s.choices[i];
  const choice_script* plan = s.params.script ? &s.params.script->choices[i] : nullptr;
  const script_segment* seg = plan ? &plan->segments[c.segment] : nullptr;
  sequence_output o;
  o.id = id;
  o.tokens = 1;
  o.choice = i;
  ++c.generated;
  ++c.in_segment;
  bool segment_done;
  if (!seg || seg->open) {
    // Free text, up to its natural end (unless ignore_eos) or a stop string.
    const auto fed = c.stops.feed(c.text.next_token());
    o.text = fed.emit;
    if (fed.stopped) {
      o.choice_finish = finish_reason::stop;
    }
    segment_done = !s.params.ignore_eos && c.in_segment >= c.text.natural_length();
    if (seg) o.channel = seg->channel;
  } else {
    o.channel = seg->channel;
    if (c.in_segment <= seg->pieces.size()) o.text = seg->pieces[c.in_segment - 1];
    segment_done = c.in_segment >= seg->pieces.size();
  }
  if (!o.choice_finish && segment_done) {
    c.in_segment = 0;
    if (!plan || ++c.segment >= plan->segments.size()) {
      if (!seg || seg->open) o.text += c.stops.flush();
      o.choice_finish = plan ? plan->finish : finish_reason::stop;
    }
  }
  if (!o.choice_finish && c.generated >= s.params.max_tokens) {
    o.text += c.stops.flush();
    o.choice_finish = finish_reason::length;
  }
  const bool done = o.choice_finish.has_value();
  out.outputs.push_back(std::move(o));
  return done;
}

bool sim_engine::generate(sequence_id id, sequence& s, step_result& out) {
  s.started = true;
  for (std::uint32_t i = 0; i < s.choices.size(); ++i) {
    if (s.choices[i].done || !generate(id, s, i, out)) continue;
    s.choices[i].done = true;
    --s.running;
  }
  // This step's outputs of `s` are the last ones pushed; when its last choice ended here, the
  // last of them (which has ended its choice) ends the sequence.
  if (s.running > 0) return false;
  out.outputs.back().finish = out.outputs.back().choice_finish;
  return true;
}

embedding_output sim_engine::embed(const embedding_job& job) {
  embedding_output out;
  out.id = job.id;
  const std::uint32_t full = timing_.embedding_dimensions;
  const std::uint32_t dims = job.dimensions == 0 ? full : std::min(job.dimensions, full);
  out.vectors.reserve(job.inputs.size());
  for (const auto& text : job.inputs) {
    out.tokens += std::max<std::uint32_t>(1, count_tokens(text));
    // Deterministic in the text; a shortened vector is the prefix of the full one, renormalised
    // (as with Matryoshka-trained models).
    std::uint64_t state = text_hash(text);
    std::vector<float> v(dims);
    double norm = 0;
    for (auto& x : v) {
      state += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = (state ^ (state >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      z ^= z >> 31;
      x = static_cast<float>(static_cast<double>(z >> 11) / static_cast<double>(1ULL << 53) * 2.0 - 1.0);
      norm += static_cast<double>(x) * x;
    }
    const auto inv = static_cast<float>(1.0 / std::sqrt(norm > 0 ? norm : 1.0));
    for (auto& x : v) x *= inv;
    out.vectors.push_back(std::move(v));
  }
  embed_pending_s_ += out.tokens / timing_.prefill_tokens_per_s;
  return out;
}

step_result sim_engine::step() {
  step_result out;
  if (sequences_.empty()) {
    // Only embeddings this step: their prefill is the whole step.
    const double dt = std::exchange(embed_pending_s_, 0.0);
    clock_ += dt;
    out.pace = std::chrono::nanoseconds(static_cast<std::int64_t>(dt * timing_.time_scale * 1e9));
    return out;
  }

  std::size_t decoding = 0;
  double earliest_ready = std::numeric_limits<double>::infinity();
  for (const auto& [id, s] : sequences_) {
    if (s.ready_at <= clock_ && s.started) decoding += s.running;  // each choice decodes
    earliest_ready = std::min(earliest_ready, s.ready_at);
  }
  double dt;
  if (decoding > 0) {
    dt = timing_.decode_base_s + timing_.decode_per_sequence_s * static_cast<double>(decoding);
  } else {
    // Only prefills in flight: wait for the first to complete, but never longer than one decode
    // step, so the batcher still gets step boundaries to admit new work at.
    dt = std::clamp(earliest_ready - clock_, 0.0, timing_.decode_base_s);
  }
  dt += std::exchange(embed_pending_s_, 0.0);
  clock_ += dt;
  out.batch_size = decoding;
  out.pace = std::chrono::nanoseconds(static_cast<std::int64_t>(dt * timing_.time_scale * 1e9));

  // Decoding sequences yield their next token; sequences whose prefill completed by the end of
  // this step yield their first token (the prefill produces it).
  for (auto it = sequences_.begin(); it != sequences_.end();) {
    if (it->second.ready_at <= clock_ && generate(it->first, it->second, out))
      it = sequences_.erase(it);
    else
      ++it;
  }
  return out;
}

}  // namespace gw
