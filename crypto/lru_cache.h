// A bounded, sharded, thread-safe LRU map.
//
// Key: any hashable K (kyso uses SHA-256 digests and composite verdict keys).
// Bound: `capacity` entries in total, split evenly over `shards` shards.
// Eviction: approximately least recently used within a shard, by the CLOCK (second chance) rule:
// a hit only marks its entry; when a shard is over its bound, marked entries at the old end get
// their mark cleared and move to the young end, and the first unmarked one is evicted. An entry
// hit since it last reached the old end is never the one evicted.
// Thread-safety: every method is safe to call concurrently. Get() takes its shard's lock shared and
// writes nothing but the entry's mark (once, until eviction clears it), so the hot path of many
// threads hitting the same few keys (every document from one signer) neither serialises nor
// bounces a cache line per hit; an exact LRU would move the entry under an exclusive lock on every
// hit. A shard's lock is held only for the map operation, never while a value is computed, so two
// threads that miss on the same key may both compute it and the second insert wins (values are
// deterministic functions of their keys here).
// Complexity: O(1) expected per Get; Put amortised O(1) (each eviction pass clears the marks it
// passes).
#ifndef KYSO_CRYPTO_LRU_CACHE_H_
#define KYSO_CRYPTO_LRU_CACHE_H_

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <iterator>
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
    absl::ReaderMutexLock lock(&s.mu);
    auto it = s.index.find(key);
    if (it == s.index.end()) return std::nullopt;
    Entry& e = *it->second;
    // Test before set: once marked, hits write nothing shared.
    if (!e.referenced.load(std::memory_order_relaxed)) {
      e.referenced.store(true, std::memory_order_relaxed);
    }
    return e.value;
  }

  void Put(const K& key, V value) {
    Shard& s = ShardFor(key);
    absl::MutexLock lock(&s.mu);
    auto it = s.index.find(key);
    if (it != s.index.end()) {
      it->second->value = std::move(value);
      it->second->referenced.store(true, std::memory_order_relaxed);
      return;
    }
    // Make room before inserting, so the newcomer is younger than every entry the pass spares.
    // The loop ends: each turn either evicts or clears a mark, and cleared entries are not
    // marked again while the lock is held.
    while (s.order.size() >= per_shard_capacity_) {
      auto oldest = std::prev(s.order.end());
      if (oldest->referenced.load(std::memory_order_relaxed)) {
        oldest->referenced.store(false, std::memory_order_relaxed);
        s.order.splice(s.order.begin(), s.order, oldest);
        continue;
      }
      s.index.erase(oldest->key);
      s.order.erase(oldest);
    }
    s.order.emplace_front(key, std::move(value));
    s.index.emplace(key, s.order.begin());
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
  struct Entry {
    Entry(const K& k, V v) : key(k), value(std::move(v)) {}
    const K key;
    V value;                              // written under the exclusive lock only
    std::atomic<bool> referenced{false};  // hit since it last reached the old end
  };
  struct Shard {
    mutable absl::Mutex mu;
    std::list<Entry> order ABSL_GUARDED_BY(mu);  // youngest first
    absl::flat_hash_map<K, typename std::list<Entry>::iterator> index ABSL_GUARDED_BY(mu);
  };

  Shard& ShardFor(const K& key) { return shards_[absl::Hash<K>{}(key) % shards_.size()]; }

  std::vector<Shard> shards_;
  const size_t per_shard_capacity_;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_LRU_CACHE_H_
