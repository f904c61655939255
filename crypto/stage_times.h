// Where the time of one verification went, by stage, for the service's per-stage latency metrics
// (kyso_stage_seconds). Not part of the report contract: nothing serializes it.
//
//   StageTimes times;
//   { ScopedStageTimer timer(&times.parse); ... parse ... }
//
// Thread-safety: plain values; a timer writes only its own target.
#ifndef KYSO_CRYPTO_STAGE_TIMES_H_
#define KYSO_CRYPTO_STAGE_TIMES_H_

#include <chrono>

#include "absl/time/time.h"

namespace kyso {

struct StageTimes {
  absl::Duration parse;       // the container: CMS DER or the XML tree
  absl::Duration signature;   // digests and the public-key operation (XML: with its references)
  absl::Duration chain;       // path building and checking, or its cached verdict
  absl::Duration revocation;  // revocation evidence: cache lookups, checks, and fetch waits

  StageTimes& operator+=(const StageTimes& other) {
    parse += other.parse;
    signature += other.signature;
    chain += other.chain;
    revocation += other.revocation;
    return *this;
  }
};

// Adds the time from its construction to its destruction to `*into`. A monotonic clock: wall
// clock steps must not turn into negative latencies.
class ScopedStageTimer {
 public:
  explicit ScopedStageTimer(absl::Duration* into)
      : into_(into), start_(std::chrono::steady_clock::now()) {}
  ~ScopedStageTimer() { *into_ += absl::FromChrono(std::chrono::steady_clock::now() - start_); }
  ScopedStageTimer(const ScopedStageTimer&) = delete;
  ScopedStageTimer& operator=(const ScopedStageTimer&) = delete;

 private:
  absl::Duration* into_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace kyso

#endif  // KYSO_CRYPTO_STAGE_TIMES_H_
