#pragma once
// Whether a local inference server takes requests: ejected after `unhealthy_after` failures in a
// row (health probes that fail, requests it fails), re-admitted after `healthy_after` successes
// in a row (probes, since an ejected server gets no requests). Outlier ejection as Envoy does it,
// reduced to consecutive outcomes. Pure state machine; reactor thread only.

namespace gw {

struct health_config {
  unsigned unhealthy_after = 2;  // >= 1
  unsigned healthy_after = 2;    // >= 1
};

class server_health {
 public:
  explicit server_health(health_config c = {}) : cfg_(c) {}

  bool healthy() const { return healthy_; }
  // Records one outcome; true when it changed healthy().
  bool record(bool ok) {
    if (ok == healthy_) {
      run_ = 0;  // an outcome that agrees with the state breaks the opposite run
      return false;
    }
    if (++run_ < (healthy_ ? cfg_.unhealthy_after : cfg_.healthy_after)) return false;
    healthy_ = !healthy_;
    run_ = 0;
    return true;
  }

 private:
  health_config cfg_;
  bool healthy_ = true;  // optimistic at start: the first probe runs at once
  unsigned run_ = 0;     // consecutive outcomes against the current state
};

}  // namespace gw
