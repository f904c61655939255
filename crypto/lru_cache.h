// A bounded, sharded, thread-safe LRU map.
//
// Key: any hashable K (kyso uses SHA-256 digests and composite verdict keys).
// Bound: `capacity` entries in total, split evenly over `shards` shards.
// Eviction: least recently used within a shard (a hit moves the entry to the front).
// Thread-safety: every method is safe to call concurrently; a shard's lock is held only for the
// map operation, never while a value is computed, so two threads that miss on the same key may both
// compute it and the second insert wins (values are deterministic functions of their keys here).
// Complexity: O(1) expected per operation.
#ifndef KYSO_CRYPTO_LRU_CACHE_H_
#define KYSO_CRYPTO_LRU_CACHE_H_

#include <cstddef>
#include <list>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/synchronization/mutex.h"

namespace kyso {

template <typename K, typename V>
class LruCache final {
 public:
  explicit LruCache(size_t capacity, size_t shards = 16)
      : shards_(shards == 0 ? 1 : shards),
        per_shard_capacity_(std::max<size_t>(1, capacity / (shards == 0 ? 1 : shards))) {}

  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  std::optional<V> Get(const K& key) {
    Shard& s = ShardFor(key);
    absl::MutexLock lock(&s.mu);
    auto it = s.index.find(key);
    if (it == s.index.end()) return std::nullopt;
    s.order.splice(s.order.begin(), s.order, it->second);
    return it->second->second;
  }

  void Put(const K& key, V value) {
    Shard& s = ShardFor(key);
    absl::MutexLock lock(&s.mu);
    auto it = s.index.find(key);
    if (it != s.index.end()) {
      it->second->second = std::move(value);
      s.order.splice(s.order.begin(), s.order, it->second);
      return;
    }
    s.order.emplace_front(key, std::move(value));
    s.index.emplace(key, s.order.begin());
    if (s.order.size() > per_shard_capacity_) {
      s.index.erase(s.order.back().first);
      s.order.pop_back();
    }
  }

  size_t size() const {
    size_t n = 0;
    for (const Shard& s : shards_) {
      absl::MutexLock lock(&s.mu);
      n += s.order.size();
    }
    return n;
  }

 private:
  struct Shard {
    mutable absl::Mutex mu;
    std::list<std::pair<K, V>> order ABSL_GUARDED_BY(mu);  // most recently used first
    absl::flat_hash_map<K, typename std::list<std::pair<K, V>>::iterator> index ABSL_GUARDED_BY(mu);
  };

  Shard& ShardFor(const K& key) { return shards_[absl::Hash<K>{}(key) % shards_.size()]; }

  std::vector<Shard> shards_;
  const size_t per_shard_capacity_;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_LRU_CACHE_H_
