#include "gateway/local_framer.hpp"

#include "gateway/sim_framer.hpp"

namespace gw {
namespace {

class stream_chunks final : public stream_framer {
 public:
  stream_chunks(const response_meta& m, std::string echo) : meta_(m), echo_(std::move(echo)) {}

  void on_output(std::string& out, const sequence_output& o) override {
    open(out);
    if (!echo_.empty()) {
      // A legacy echo opens the text, even when the first token brought none.
      echo_ += o.text;
      append_content_event(out, meta_, echo_);
      echo_.clear();
    } else if (!o.text.empty()) {
      append_content_event(out, meta_, o.text);
    }
  }

  void on_end(std::string& out, finish_reason r, std::uint32_t prompt, std::uint32_t completion) override {
    open(out);
    if (!echo_.empty()) {
      append_content_event(out, meta_, echo_);
      echo_.clear();
    }
    append_finish_event(out, meta_, r);
    if (meta_.include_usage) append_usage_event(out, meta_, {prompt, completion});
  }

 private:
  // A chat stream opens with the assistant's role (legacy streams have none).
  void open(std::string& out) {
    if (opened_) return;
    opened_ = true;
    if (meta_.kind == api_kind::chat) append_role_event(out, meta_);
  }

  response_meta meta_;
  std::string echo_;
  bool opened_ = false;
};

class whole_body final : public stream_framer {
 public:
  whole_body(const response_meta& m, std::string echo) : meta_(m), text_(std::move(echo)) {}

  void on_output(std::string&, const sequence_output& o) override {
    if (text_.empty()) text_ = o.text;
    else text_ += o.text;
  }

  void on_end(std::string& out, finish_reason r, std::uint32_t prompt, std::uint32_t completion) override {
    out += completion_body(meta_, text_, r, {prompt, completion});
  }

 private:
  response_meta meta_;
  std::string text_;
};

}  // namespace

std::unique_ptr<stream_framer> make_local_framer(const response_meta& meta, bool stream, std::string echo,
                                                 std::shared_ptr<const sim_script> script) {
  if (script) return std::make_unique<sim_framer>(meta, std::move(script), stream, std::move(echo));
  if (stream) return std::make_unique<stream_chunks>(meta, std::move(echo));
  return std::make_unique<whole_body>(meta, std::move(echo));
}

}  // namespace gw
