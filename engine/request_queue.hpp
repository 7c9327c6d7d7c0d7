#pragma once
// The batcher's waiting room: priority order (higher first), FIFO within a priority, bounded.
// Entries also leave by deadline (queue wait) or cancellation, so any entry can be removed.
// Reactor thread only.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

namespace gw {

template <class Entry>
class request_queue {
 public:
  using clock = std::chrono::steady_clock;

  explicit request_queue(std::size_t capacity) : capacity_(capacity) {}

  // False (and `e` untouched) when the queue holds `capacity` entries already.
  bool push(int priority, clock::time_point deadline, Entry&& e) {
    if (entries_.size() >= capacity_) return false;
    const key k{-priority, next_arrival_++};
    entries_.emplace(k, node{deadline, std::move(e)});
    by_deadline_.emplace(deadline, k);
    return true;
  }

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }

  // The entry to admit next; precondition: !empty().
  Entry& front() { return entries_.begin()->second.entry; }
  Entry pop_front() { return take(entries_.begin()); }

  // Visits entries in admission order until `f` returns false.
  template <class F>
  void for_each(F&& f) {
    for (auto& [k, n] : entries_)
      if (!f(n.entry)) return;
  }

  // Removes and returns the entry whose deadline passed first, if its deadline <= now.
  std::optional<Entry> pop_expired(clock::time_point now) {
    if (by_deadline_.empty() || by_deadline_.begin()->first > now) return std::nullopt;
    return take(entries_.find(by_deadline_.begin()->second));
  }
  std::optional<clock::time_point> next_deadline() const {
    if (by_deadline_.empty()) return std::nullopt;
    return by_deadline_.begin()->first;
  }

  // Removes every entry for which `pred` holds, returning how many.
  template <class Pred>
  std::size_t remove_if(Pred&& pred) {
    std::size_t n = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (pred(it->second.entry)) {
        by_deadline_.erase({it->second.deadline, it->first});
        it = entries_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }

 private:
  using key = std::pair<int, std::uint64_t>;  // (-priority, arrival number)
  struct node {
    clock::time_point deadline;
    Entry entry;
  };
  Entry take(typename std::map<key, node>::iterator it) {
    by_deadline_.erase({it->second.deadline, it->first});
    Entry e = std::move(it->second.entry);
    entries_.erase(it);
    return e;
  }

  std::size_t capacity_;
  std::uint64_t next_arrival_ = 0;
  std::map<key, node> entries_;
  std::set<std::pair<clock::time_point, key>> by_deadline_;
};

}  // namespace gw
