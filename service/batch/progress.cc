#include "service/batch/progress.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"

namespace kyso::batch {

std::string ProgressLine(const ProgressCounts& c, size_t total, absl::Duration elapsed) {
  const size_t width = 24;
  const size_t filled = total == 0 ? width : std::min(width, c.done * width / total);
  const double seconds = std::max(absl::ToDoubleSeconds(elapsed), 1e-3);
  // The rate counts only files verified by this run: resumed files cost a hash, not a verify.
  const double rate = static_cast<double>(c.done - c.resumed) / seconds;
  std::string eta = "--:--";
  if (rate > 0 && total >= c.done) {
    const int64_t left = static_cast<int64_t>(static_cast<double>(total - c.done) / rate);
    eta = absl::StrFormat("%d:%02d:%02d", left / 3600, left / 60 % 60, left % 60);
  }
  return absl::StrFormat(
      "[%s%s] %zu/%zu files  %.0f files/s  ETA %s  passed %zu  failed %zu  indeterminate %zu  "
      "skipped %zu  unreadable %zu",
      std::string(filled, '#'), std::string(width - filled, '.'), c.done, total, rate, eta,
      c.passed, c.failed, c.indeterminate, c.skipped, c.errors);
}

Progress::Progress(FILE* out, bool enabled, size_t total, absl::Time start)
    : out_(out), enabled_(enabled), total_(total), start_(start) {}

void Progress::Add(const ProgressCounts& d) {
  absl::MutexLock lock(&mu_);
  counts_.done += d.done;
  counts_.resumed += d.resumed;
  counts_.passed += d.passed;
  counts_.failed += d.failed;
  counts_.indeterminate += d.indeterminate;
  counts_.skipped += d.skipped;
  counts_.errors += d.errors;
  const absl::Time now = absl::Now();
  if (enabled_ && now - last_draw_ >= absl::Milliseconds(200)) {
    last_draw_ = now;
    Draw();
  }
}

ProgressCounts Progress::counts() const {
  absl::MutexLock lock(&mu_);
  return counts_;
}

void Progress::Draw() {
  std::fprintf(out_, "\r%s\x1b[K", ProgressLine(counts_, total_, absl::Now() - start_).c_str());
  std::fflush(out_);
}

void Progress::Finish() {
  absl::MutexLock lock(&mu_);
  if (!enabled_) return;
  Draw();
  std::fputc('\n', out_);
  std::fflush(out_);
}

}  // namespace kyso::batch
