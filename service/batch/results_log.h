// The output of `kyso batch`: one JSON line per input file, appended in order of completion and
// flushed durably, and the index `--resume` uses to skip what a previous run already wrote.
//
//   KYSO_ASSIGN_OR_RETURN(std::unique_ptr<ResultsLog> log, ResultsLog::Open(path,
//   /*resume=*/true)); if (!log->Contains(path, sha256)) log->Append(line);
//   KYSO_RETURN_IF_ERROR(log->Close());
//
// Durability: Append() hands the line to a writer thread that writes whole lines with one write()
// per group and then fdatasync()s, so a run killed at any moment (SIGKILL included) leaves a file
// of complete lines, at most followed by one torn line when the kill hit a write; losing the
// lines still queued only means those files are verified again on resume. Open(resume=true)
// reads the file, indexes every complete line by (path, sha256) and cuts a torn tail off before
// appending, so resumed runs account for each file exactly once.
//
// Without resume an existing non-empty file is refused: hours of results are not overwritten by
// a forgotten flag.
//
// Thread-safety: Append() and Contains() are thread-safe; Close() once, after the last Append().
#ifndef KYSO_SERVICE_BATCH_RESULTS_LOG_H_
#define KYSO_SERVICE_BATCH_RESULTS_LOG_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace kyso::batch {

class ResultsLog final {
 public:
  static absl::StatusOr<std::unique_ptr<ResultsLog>> Open(const std::string& path, bool resume);
  ~ResultsLog();  // Close()s if the caller did not
  ResultsLog(const ResultsLog&) = delete;
  ResultsLog& operator=(const ResultsLog&) = delete;

  // True when a previous run wrote a line for this (path, sha256). Unreadable files have an
  // empty sha256.
  bool Contains(absl::string_view path, absl::string_view sha256) const;
  size_t resumed_lines() const { return resumed_lines_; }
  // Bytes cut off the end of the file at Open (a line torn by a kill).
  size_t torn_bytes() const { return torn_bytes_; }

  // Queues one line (without its newline). Never blocks on the disk.
  void Append(std::string line);

  // Writes everything queued, syncs, stops the writer. The first write or sync error, if any.
  absl::Status Close();

 private:
  ResultsLog(int fd, std::string path);
  void WriterLoop();

  const int fd_;
  const std::string path_;
  absl::flat_hash_set<std::string> done_;  // path '\0' sha256; filled by Open, then read-only
  size_t resumed_lines_ = 0;
  size_t torn_bytes_ = 0;

  absl::Mutex mu_;
  std::string pending_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
  std::thread writer_;
  bool closed_ = false;
};

// The key under which a result line is indexed.
std::string ResultKey(absl::string_view path, absl::string_view sha256);

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_RESULTS_LOG_H_
