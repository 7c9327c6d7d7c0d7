#include "gateway/sim_framer.hpp"

#include "engine/sim_logprobs.hpp"
#include "backends/json_writer.hpp"

namespace gw {

sim_framer::sim_framer(response_meta meta, std::shared_ptr<const sim_script> script, bool stream,
                       std::string echo_prompt)
    : meta_(std::move(meta)), script_(std::move(script)), stream_(stream), echo_(std::move(echo_prompt)) {
  reasoning_model_ = false;
  for (const auto& c : script_->choices) reasoning_model_ = reasoning_model_ || c.reasoning_tokens > 0;
  choices_.resize(script_->choices.size());
  if (stream_ && meta_.opening.empty()) meta_.opening = chunk_opening(meta_);
}

void sim_framer::chat_event(std::string& out, std::uint32_t i, std::string_view delta, std::string_view logprobs) {
  choice_json::open_event(out, meta_);
  out += "{\"index\":";
  json::append_uint(out, i);
  out += ",\"delta\":";
  out += delta;
  out += ",\"logprobs\":";
  out += logprobs;
  out += ",\"finish_reason\":null}";
  choice_json::close_event(out, meta_);
}

void sim_framer::start(std::string& out) {
  started_ = true;
  if (!stream_ || meta_.kind != api_kind::chat) return;  // legacy streams have no role chunk
  for (std::uint32_t i = 0; i < choices_.size(); ++i)
    chat_event(out, i, "{\"role\":\"assistant\",\"content\":\"\"}");
}

void sim_framer::on_output(std::string& out, const sequence_output& o) {
  if (!started_) start(out);
  if (o.choice >= choices_.size()) return;
  switch (o.channel) {
    case output_channel::reasoning:
      choices_[o.choice].reasoning_tokens += o.tokens;
      reasoning(out, o.choice, o.text);
      break;
    case output_channel::tool_arguments: arguments(out, o.choice, o.text); break;
    case output_channel::content: content(out, o.choice, o.text); break;
  }
  if (o.choice_finish) finish(out, o.choice, *o.choice_finish);
}

void sim_framer::reasoning(std::string& out, std::uint32_t i, std::string_view text) {
  if (!stream_) {
    choices_[i].reasoning += text;
    return;
  }
  if (text.empty()) return;
  scratch_ = "{\"reasoning_content\":";
  json::append_string(scratch_, text);
  scratch_ += '}';
  chat_event(out, i, scratch_);
}

void sim_framer::arguments(std::string& out, std::uint32_t i, std::string_view text) {
  choice_state& c = choices_[i];
  const auto& call = script_->choices[i].tool_call;
  if (!stream_ || !call) {
    c.arguments += text;
    c.call_opened = call.has_value();
    return;
  }
  // OpenAI's fragments: the first names the call, the rest append to its arguments.
  if (!c.call_opened) {
    c.call_opened = true;
    scratch_ = "{\"tool_calls\":[{\"index\":0,\"id\":";
    json::append_string(scratch_, call->id);
    scratch_ += ",\"type\":\"function\",\"function\":{\"name\":";
    json::append_string(scratch_, call->name);
    scratch_ += ",\"arguments\":\"\"}}]}";
    chat_event(out, i, scratch_);
  }
  if (text.empty()) return;
  scratch_ = "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":";
  json::append_string(scratch_, text);
  scratch_ += "}}]}";
  chat_event(out, i, scratch_);
}

void sim_framer::content(std::string& out, std::uint32_t i, std::string_view text) {
  choice_state& c = choices_[i];
  std::string_view echo;
  if (!c.echoed && !echo_.empty()) {
    c.echoed = true;
    echo = echo_;
    c.text_offset += echo_.size();
  }
  std::optional<position_logprobs> lp;
  if (script_->logprobs && !text.empty())
    lp = synth_logprobs(script_->choices[i].seed, c.logprob_position++, text, script_->top_logprobs);
  if (!stream_) {
    c.content += echo;
    c.content += text;
    if (lp && meta_.kind == api_kind::chat) {
      if (!c.logprobs.empty()) c.logprobs += ',';
      choice_json::append_chat_logprob(c.logprobs, text, *lp);
    } else if (lp) {
      c.legacy.add(text, *lp, c.text_offset);
    }
    c.text_offset += text.size();
    return;
  }
  if (echo.empty() && text.empty()) return;
  std::string full;
  if (!echo.empty()) (full = echo) += text;
  const std::string_view shown = echo.empty() ? text : std::string_view(full);
  if (meta_.kind == api_kind::chat) {
    scratch_ = "{\"content\":";
    json::append_string(scratch_, shown);
    scratch_ += '}';
    std::string logprobs = "null";
    if (lp) {
      logprobs = "{\"content\":[";
      choice_json::append_chat_logprob(logprobs, text, *lp);
      logprobs += "],\"refusal\":null}";
    }
    chat_event(out, i, scratch_, logprobs);
  } else {
    choice_json::open_event(out, meta_);
    out += "{\"index\":";
    json::append_uint(out, i);
    out += ",\"text\":";
    json::append_string(out, shown);
    out += ",\"logprobs\":";
    if (lp) {
      choice_json::legacy_logprobs one;
      one.add(text, *lp, c.text_offset);
      one.append_to(out);
    } else {
      out += "null";
    }
    out += ",\"finish_reason\":null}";
    choice_json::close_event(out, meta_);
  }
  c.text_offset += text.size();
}

void sim_framer::finish(std::string& out, std::uint32_t i, finish_reason r) {
  choice_state& c = choices_[i];
  if (c.finish) return;
  c.finish = r;
  if (!stream_) return;
  choice_json::open_event(out, meta_);
  out += "{\"index\":";
  json::append_uint(out, i);
  out += meta_.kind == api_kind::chat ? ",\"delta\":{},\"logprobs\":null,\"finish_reason\":\""
                                      : ",\"text\":\"\",\"logprobs\":null,\"finish_reason\":\"";
  out += to_string(r);
  out += "\"}";
  choice_json::close_event(out, meta_);
}

std::optional<std::uint32_t> sim_framer::reasoning_tokens() const {
  if (!reasoning_model_) return std::nullopt;
  std::uint32_t n = 0;
  for (const auto& c : choices_) n += c.reasoning_tokens;
  return n;
}

void sim_framer::append_message(std::string& out, std::uint32_t i) const {
  const choice_state& c = choices_[i];
  out += "{\"index\":";
  json::append_uint(out, i);
  if (meta_.kind == api_kind::completion) {
    out += ",\"text\":";
    json::append_string(out, c.content);
    out += ",\"logprobs\":";
    if (script_->logprobs) c.legacy.append_to(out);
    else out += "null";
  } else {
    out += ",\"message\":{\"role\":\"assistant\",\"content\":";
    // A tool call's message has no content, as OpenAI writes it.
    if (c.call_opened && c.content.empty()) out += "null";
    else json::append_string(out, c.content);
    if (script_->choices[i].reasoning_tokens > 0) {
      out += ",\"reasoning_content\":";
      json::append_string(out, c.reasoning);
    }
    if (const auto& call = script_->choices[i].tool_call; call && c.call_opened) {
      out += ",\"tool_calls\":[{\"id\":";
      json::append_string(out, call->id);
      out += ",\"type\":\"function\",\"function\":{\"name\":";
      json::append_string(out, call->name);
      out += ",\"arguments\":";
      json::append_string(out, c.arguments);
      out += "}}]";
    }
    out += ",\"refusal\":null},\"logprobs\":";
    if (script_->logprobs) {
      out += "{\"content\":[";
      out += c.logprobs;
      out += "],\"refusal\":null}";
    } else {
      out += "null";
    }
  }
  out += ",\"finish_reason\":\"";
  out += to_string(c.finish.value_or(finish_reason::stop));
  out += "\"}";
}

void sim_framer::on_end(std::string& out, finish_reason r, std::uint32_t prompt_tokens,
                        std::uint32_t completion_tokens) {
  if (!started_) start(out);
  // Every choice ends with the sequence; one the engine did not finish takes the sequence's end.
  for (std::uint32_t i = 0; i < choices_.size(); ++i) finish(out, i, r);
  const usage_counts u{prompt_tokens, completion_tokens};
  if (stream_) {
    if (meta_.include_usage) choice_json::append_usage_event(out, meta_, u, reasoning_tokens());
    return;
  }
  choice_json::open_body(out, meta_);
  for (std::uint32_t i = 0; i < choices_.size(); ++i) {
    if (i) out += ',';
    append_message(out, i);
  }
  choice_json::close_body(out, u, reasoning_tokens());
}

}  // namespace gw
