// The progress line of `kyso batch` on a terminal: files done of the total, files/s, ETA and the
// counts by indication, redrawn in place at most a few times a second. When the stream is not a
// terminal (a pod's log, a test) it prints nothing, so logs hold no carriage-return noise.
//
// Thread-safety: thread-safe (results arrive on several threads).
#ifndef KYSO_SERVICE_BATCH_PROGRESS_H_
#define KYSO_SERVICE_BATCH_PROGRESS_H_

#include <cstdio>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace kyso::batch {

struct ProgressCounts {
  size_t done = 0;  // handed out this run (including files a previous run already did)
  size_t resumed = 0;
  size_t passed = 0, failed = 0, indeterminate = 0, skipped = 0, errors = 0;
};

// The line itself, for tests and for the final redraw.
std::string ProgressLine(const ProgressCounts& c, size_t total, absl::Duration elapsed);

class Progress final {
 public:
  // Draws on `out` only if `enabled` (the caller passes isatty(fileno(out))).
  Progress(FILE* out, bool enabled, size_t total, absl::Time start);

  // Records one file's outcome; redraws when the last redraw is old enough.
  void Add(const ProgressCounts& delta);
  ProgressCounts counts() const;
  // Final redraw and newline (if enabled).
  void Finish();

 private:
  void Draw() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  FILE* const out_;
  const bool enabled_;
  const size_t total_;
  const absl::Time start_;
  mutable absl::Mutex mu_;
  ProgressCounts counts_ ABSL_GUARDED_BY(mu_);
  absl::Time last_draw_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_PROGRESS_H_
