#include "service/batch/batch_runner.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "crypto/algorithms.h"
#include "service/batch/input_walker.h"
#include "service/batch/progress.h"
#include "service/batch/results_log.h"
#include "service/report_json.h"

namespace kyso::batch {
namespace {

std::string Sha256Hex(absl::string_view bytes) {
  return HexEncode(Digest(DigestAlgorithm::kSha256, bytes));
}

// Invalid UTF-8 in a file name is replaced, never thrown about.
std::string Dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The earliest signing time the document's signatures claim.
std::optional<absl::Time> ClaimedSigningTime(const DocumentReport& report) {
  std::optional<absl::Time> earliest;
  for (const SignatureReport& s : report.signatures) {
    if (s.signing_time && (!earliest || *s.signing_time < *earliest)) earliest = s.signing_time;
  }
  return earliest;
}

ProgressCounts CountOf(const DocumentReport& report) {
  ProgressCounts c;
  c.done = 1;
  switch (report.verdict.indication) {
    case Indication::kTotalPassed:
      c.passed = 1;
      break;
    case Indication::kTotalFailed:
      c.failed = 1;
      break;
    case Indication::kIndeterminate:
      c.indeterminate = 1;
      break;
  }
  return c;
}

// A document between Submit() and its line.
struct InFlight {
  std::string path;
  std::string sha256;
  VerifyJob retry;  // --at signing-time: the job again, for the second pass
  bool second_pass = false;
};

class Runner {
 public:
  Runner(const BatchOptions& o, VerifyBackend& backend, ResultsLog& log, Progress& progress)
      : o_(o), backend_(backend), log_(log), progress_(progress) {}

  // Handed each walked item on the walker's thread; false stops the walk.
  bool OnItem(InputItem item) {
    // The path as the output will hold it (a file name that is not UTF-8 is written with
    // replacement characters), so that resume finds it again.
    const std::string dumped_path = Dump(item.path);
    item.path = nlohmann::json::parse(dumped_path).get<std::string>();
    // A file named twice (the same folder given as two inputs) gets one line.
    if (!seen_.insert(item.path).second) return true;
    const std::string sha = item.kind == InputItem::Kind::kError ? "" : Sha256Hex(item.bytes);
    if (log_.Contains(item.path, sha)) {
      ProgressCounts c;
      c.done = c.resumed = 1;
      progress_.Add(c);
      ++resumed_;
      return true;
    }
    // Lines start with path and sha256 (written by hand: nlohmann::json sorts keys).
    const std::string head = absl::StrCat("{\"path\":", dumped_path, ",\"sha256\":", Dump(sha));
    ProgressCounts c;
    c.done = 1;
    switch (item.kind) {
      case InputItem::Kind::kSkipped:
        c.skipped = 1;
        Write(absl::StrCat(head, ",\"skipped\":", Dump(item.skip_reason), "}"), c);
        return true;
      case InputItem::Kind::kError: {
        const nlohmann::json error = {{"code", absl::StatusCodeToString(item.error.code())},
                                      {"message", std::string(item.error.message())}};
        c.errors = 1;
        Write(absl::StrCat(head, ",\"error\":", Dump(error), "}"), c);
        return true;
      }
      case InputItem::Kind::kDocument:
        break;
    }
    VerifyJob job;
    for (;;) {
      std::vector<VerifyJob> second_passes;
      {
        absl::MutexLock lock(&mu_);
        // Second passes hold window slots, so they are sent while waiting for room.
        const auto room = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return in_flight_.size() < o_.window || !resubmit_.empty() || !failure_.ok();
        };
        mu_.Await(absl::Condition(&room));
        if (!failure_.ok()) return false;
        if (!resubmit_.empty()) {
          second_passes.swap(resubmit_);
        } else {
          job.id = next_id_++;
          job.bytes = std::move(item.bytes);
          job.content = std::move(item.content);
          job.content_name = std::move(item.content_name);
          job.validation_time = o_.at;
          InFlight& f = in_flight_[job.id];
          f.path = item.path;
          f.sha256 = sha;
          if (o_.basis == TimeBasis::kSigningTime) f.retry = job;
          break;
        }
      }
      for (VerifyJob& again : second_passes) backend_.Submit(std::move(again));
    }
    backend_.Submit(std::move(job));
    return true;
  }

  void OnDone(uint64_t id, absl::StatusOr<DocumentReport> report) {
    InFlight f;
    {
      absl::MutexLock lock(&mu_);
      auto it = in_flight_.find(id);
      if (it == in_flight_.end()) return;
      if (!report.ok()) {
        if (failure_.ok()) failure_ = report.status();
        in_flight_.erase(it);
        return;
      }
      if (o_.basis == TimeBasis::kSigningTime && !it->second.second_pass) {
        if (std::optional<absl::Time> claimed = ClaimedSigningTime(*report)) {
          // Second pass at the claimed time, keeping the window slot.
          it->second.second_pass = true;
          VerifyJob again = std::move(it->second.retry);
          again.validation_time = *claimed;
          resubmit_.push_back(std::move(again));
          return;
        }
      }
      // The entry stays until its line is queued, so Drain() cannot see an empty window (and the
      // log be closed) while a line is still on its way.
      f.path = it->second.path;
      f.sha256 = it->second.sha256;
      f.second_pass = it->second.second_pass;
    }
    report->file = f.path;
    nlohmann::json time;
    if (f.second_pass) {
      time = {{"basis", "claimed_signing_time"},
              {"time", FormatRfc3339(*ClaimedSigningTime(*report))},
              {"note", "the signer's claimed signing time, not a proof of time"}};
    } else if (o_.basis == TimeBasis::kFixed) {
      time = {{"basis", "fixed"}, {"time", FormatRfc3339(o_.at)}};
    } else {
      time = {{"basis", "now"}, {"time", FormatRfc3339(o_.at)}};
      if (o_.basis == TimeBasis::kSigningTime) time["note"] = "no signing time claimed";
    }
    Write(absl::StrCat("{\"path\":", Dump(f.path), ",\"sha256\":", Dump(f.sha256),
                       ",\"validation_time\":", Dump(time), ",\"report\":", Dump(ToJson(*report)),
                       "}"),
          CountOf(*report));
    absl::MutexLock lock(&mu_);
    in_flight_.erase(id);
    ++verified_;
  }

  // Resubmissions are made from the walker's thread (never from `done`, which may run inside
  // the backend), here and when waiting for the end.
  void PumpResubmits() {
    std::vector<VerifyJob> jobs;
    {
      absl::MutexLock lock(&mu_);
      jobs.swap(resubmit_);
    }
    for (VerifyJob& job : jobs) backend_.Submit(std::move(job));
  }

  // Waits until nothing is in flight (or the backend failed), resubmitting second passes.
  void Drain() {
    for (;;) {
      PumpResubmits();
      absl::MutexLock lock(&mu_);
      const auto settled = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return in_flight_.empty() || !resubmit_.empty() || !failure_.ok();
      };
      mu_.Await(absl::Condition(&settled));
      if (!resubmit_.empty()) continue;
      if (!failure_.ok()) {
        // The rest will not be answered; their slots are given up (no line: resume redoes them).
        const auto empty = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return in_flight_.empty(); };
        mu_.AwaitWithTimeout(absl::Condition(&empty), absl::Seconds(30));
      }
      return;
    }
  }

  absl::Status failure() {
    absl::MutexLock lock(&mu_);
    return failure_;
  }
  size_t resumed() const { return resumed_; }
  size_t verified() {
    absl::MutexLock lock(&mu_);
    return verified_;
  }
  size_t written() {
    absl::MutexLock lock(&mu_);
    return written_;
  }

 private:
  void Write(std::string line, const ProgressCounts& c) {
    log_.Append(std::move(line));
    progress_.Add(c);
    absl::MutexLock lock(&mu_);
    ++written_;
  }

  const BatchOptions& o_;
  VerifyBackend& backend_;
  ResultsLog& log_;
  Progress& progress_;
  size_t resumed_ = 0;                     // walker thread only
  absl::flat_hash_set<std::string> seen_;  // walker thread only

  absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, InFlight> in_flight_ ABSL_GUARDED_BY(mu_);
  std::vector<VerifyJob> resubmit_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;
  size_t verified_ ABSL_GUARDED_BY(mu_) = 0;
  size_t written_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

absl::Status RunBatch(const BatchOptions& o, VerifyBackend& backend, BatchStats* stats) {
  const absl::Time start = absl::Now();
  absl::StatusOr<InputWalker> walker = InputWalker::List(o.inputs);
  if (!walker.ok()) return walker.status();
  absl::StatusOr<std::unique_ptr<ResultsLog>> log = ResultsLog::Open(o.out, o.resume);
  if (!log.ok()) return log.status();
  WalkOptions walk;
  walk.max_bytes = o.max_bytes;
  if (o.shard.count > 1) {
    walk.wanted = [shard = o.shard](absl::string_view path) { return shard.Owns(path); };
  }
  const size_t total = walker->Count(walk.wanted);
  const bool terminal = o.progress != nullptr && ::isatty(::fileno(o.progress));
  Progress progress(o.progress, terminal, total, start);
  Runner runner(o, backend, **log, progress);
  absl::Status status = backend.Start([&runner](uint64_t id, absl::StatusOr<DocumentReport> r) {
    runner.OnDone(id, std::move(r));
  });
  if (status.ok()) {
    walker->Walk(walk, [&runner](InputItem item) { return runner.OnItem(std::move(item)); });
    runner.Drain();
    status = runner.failure();
    const absl::Status finished = backend.Finish();
    if (status.ok()) status = finished;
  }
  progress.Finish();
  const absl::Status closed = (*log)->Close();
  if (status.ok()) status = closed;
  if (stats != nullptr) {
    stats->listed = total;
    stats->resumed = runner.resumed();
    stats->verified = runner.verified();
    stats->written = runner.written();
    stats->elapsed = absl::Now() - start;
  }
  return status;
}

}  // namespace kyso::batch
