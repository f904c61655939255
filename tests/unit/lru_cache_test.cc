#include "crypto/lru_cache.h"

#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace kyso {
namespace {

TEST(LruCache, HoldsAtMostItsCapacity) {
  LruCache<int, int> cache(8, /*shards=*/1);
  for (int i = 0; i < 100; ++i) cache.Put(i, i * 10);
  EXPECT_EQ(cache.size(), 8u);
  // The newest survive, the oldest are gone.
  EXPECT_EQ(cache.Get(99), 990);
  EXPECT_EQ(cache.Get(0), std::nullopt);
}

TEST(LruCache, AnEntryHitSinceItsLastPassIsNotTheOneEvicted) {
  LruCache<int, int> cache(4, /*shards=*/1);
  for (int i = 0; i < 4; ++i) cache.Put(i, i);
  ASSERT_EQ(cache.Get(0), 0);  // the oldest, but used
  cache.Put(4, 4);             // evicts 1, the oldest unused
  EXPECT_EQ(cache.Get(0), 0);
  EXPECT_EQ(cache.Get(1), std::nullopt);
  EXPECT_EQ(cache.Get(4), 4);
}

TEST(LruCache, WhenEveryEntryWasHitTheNewcomerStaysAndTheOldestGoes) {
  LruCache<int, int> cache(3, /*shards=*/1);
  for (int i = 0; i < 3; ++i) cache.Put(i, i);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(cache.Get(i), i);
  cache.Put(3, 3);
  EXPECT_EQ(cache.Get(3), 3);
  EXPECT_EQ(cache.Get(0), std::nullopt);
  EXPECT_EQ(cache.size(), 3u);
}

TEST(LruCache, PutReplacesTheValueOfAPresentKey) {
  LruCache<std::string, int> cache(4);
  cache.Put("a", 1);
  cache.Put("a", 2);
  EXPECT_EQ(cache.Get("a"), 2);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(LruCache, ConcurrentHitsAndInsertsKeepTheBoundAndTheValues) {
  LruCache<int, int> cache(64, /*shards=*/4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 20000; ++i) {
        const int key = (i * 7 + t) % 200;
        if (auto v = cache.Get(key)) {
          ASSERT_EQ(*v, key * 3) << "a hit returns the value stored for that key";
        } else {
          cache.Put(key, key * 3);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_LE(cache.size(), 64u);
}

}  // namespace
}  // namespace kyso
