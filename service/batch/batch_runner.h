// `kyso batch`'s engine: walks the inputs, skips what the output already holds (--resume) or
// another shard owns (--shard), sends documents to a VerifyBackend with at most `window` in
// flight, and appends one JSON line per file as results complete:
//
//   {"path": P, "sha256": H, "validation_time": {"basis": B, "time": T}, "report": {...}}
//   {"path": P, "sha256": H, "skipped": "not a signature (...)"}
//   {"path": P, "sha256": "", "error": {"code": "NOT_FOUND", "message": "..."}}
//
// B is "now" (the run's start, the same for every file of a run), "fixed" (--at TIME) or
// "claimed_signing_time" (--at signing-time: verified again at the earliest signing time the
// document's signatures claim; a claim, not a proof, and the line says so). A document that claims
// none stays at "now" with a note.
//
// A backend failure (the server went away) stops the run: the files in flight get no line, so a
// later --resume verifies them, and the run's status is the failure (exit 2).
#ifndef KYSO_SERVICE_BATCH_BATCH_RUNNER_H_
#define KYSO_SERVICE_BATCH_BATCH_RUNNER_H_

#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "service/batch/shard.h"
#include "service/batch/verify_backend.h"

namespace kyso::batch {

enum class TimeBasis { kNow, kFixed, kSigningTime };

struct BatchOptions {
  std::vector<std::string> inputs;
  std::string out;
  bool resume = false;
  size_t window = 64;  // documents in flight (--concurrency)
  Shard shard;
  TimeBasis basis = TimeBasis::kNow;
  absl::Time at;             // kFixed: the time; otherwise the run's start ("now")
  FILE* progress = nullptr;  // the progress bar's stream, drawn only if it is a terminal
  size_t max_bytes = size_t{64} << 20;
};

struct BatchStats {
  size_t listed = 0;    // files this shard owns
  size_t resumed = 0;   // already in the output
  size_t verified = 0;  // documents verified by this run
  size_t written = 0;   // lines this run appended
  absl::Duration elapsed;
};

// The run's own failure (unreadable inputs list, output not writable, backend failure) as an
// error; per-file problems are result lines, not errors.
absl::Status RunBatch(const BatchOptions& options, VerifyBackend& backend, BatchStats* stats);

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_BATCH_RUNNER_H_
