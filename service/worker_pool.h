// A fixed pool of threads with a bounded queue.
//
// Two uses: the gRPC service's CPU workers (cores by default; RPC reactions never verify
// themselves, they TrySubmit() here and answer RESOURCE_EXHAUSTED when the queue is full, so
// overload is refused early instead of queued without bound), and the revocation source's I/O
// threads (network waits kept off the CPU workers).
//
// Continuations that must not be dropped (the second pass of a verification whose revocation
// evidence just arrived) use Submit(), which always queues: they finish work already admitted.
//
// Thread-safety: thread-safe. The destructor runs every queued task, then joins.
#ifndef KYSO_SERVICE_WORKER_POOL_H_
#define KYSO_SERVICE_WORKER_POOL_H_

#include <atomic>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"

namespace kyso {

class WorkerPool final {
 public:
  // `threads` <= 0 means one per core.
  WorkerPool(int threads, size_t queue_capacity);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task` unless `queue_capacity` tasks are already waiting; false means overloaded.
  bool TrySubmit(std::function<void()> task);
  // Queues `task` whatever the queue holds (continuations of admitted work only).
  void Submit(std::function<void()> task);

  size_t queued() const;
  int busy() const { return busy_.load(std::memory_order_relaxed); }
  int threads() const { return static_cast<int>(threads_.size()); }

 private:
  void Run();

  const size_t capacity_;
  mutable absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<int> busy_{0};
  std::vector<std::thread> threads_;
};

}  // namespace kyso

#endif  // KYSO_SERVICE_WORKER_POOL_H_
