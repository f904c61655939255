// Concurrent requests for one key share one computation: the first caller runs it, the others
// wait for its result. Used so that 200 documents from one signer arriving with a cold cache cause
// one OCSP request, not 200.
//
// Thread-safety: thread-safe. The computation runs on the first caller's thread, outside the lock.
#ifndef KYSO_SERVICE_REVOCATION_SINGLE_FLIGHT_H_
#define KYSO_SERVICE_REVOCATION_SINGLE_FLIGHT_H_

#include <future>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace kyso {

template <typename V>
class SingleFlight final {
 public:
  template <typename Fn>
  V Do(const std::string& key, Fn&& compute) {
    std::promise<V> promise;
    std::shared_future<V> future;
    bool leader = false;
    {
      absl::MutexLock lock(&mu_);
      auto it = in_flight_.find(key);
      if (it == in_flight_.end()) {
        future = promise.get_future().share();
        in_flight_.emplace(key, future);
        leader = true;
      } else {
        future = it->second;
      }
    }
    if (leader) {
      V value = compute();
      {
        absl::MutexLock lock(&mu_);
        in_flight_.erase(key);
      }
      promise.set_value(value);
      return value;
    }
    return future.get();
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_future<V>> in_flight_ ABSL_GUARDED_BY(mu_);
};

}  // namespace kyso

#endif  // KYSO_SERVICE_REVOCATION_SINGLE_FLIGHT_H_
