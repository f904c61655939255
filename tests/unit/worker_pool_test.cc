#include "service/worker_pool.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace kyso {
namespace {

TEST(WorkerPool, RefusesWhenTheQueueIsFullAndContinuationsStillQueue) {
  absl::Notification release;
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1, 2);
    std::atomic<bool> started{false};
    // Occupies the only worker until released.
    ASSERT_TRUE(pool.TrySubmit([&] {
      started = true;
      release.WaitForNotification();
      ++ran;
    }));
    while (!started) std::this_thread::yield();
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_TRUE(pool.TrySubmit([&] { ++ran; }));
    EXPECT_FALSE(pool.TrySubmit([&] { ++ran; })) << "a third queued task exceeds the capacity";
    pool.Submit([&] { ++ran; });  // a continuation is never refused
    EXPECT_EQ(pool.queued(), 3u);
    release.Notify();
  }  // the destructor runs everything queued, then joins
  EXPECT_EQ(ran.load(), 4);
}

TEST(WorkerPool, DefaultsToOneThreadPerCore) {
  WorkerPool pool(0, 1);
  EXPECT_GE(pool.threads(), 1);
}

}  // namespace
}  // namespace kyso
