#include "service/batch/results_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kyso::batch {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

// Reads the whole file (results of millions of files are a few GB at most; resume is rare).
absl::StatusOr<std::string> ReadAll(int fd, const std::string& path) {
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read", path);
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  return data;
}

}  // namespace

std::string ResultKey(absl::string_view path, absl::string_view sha256) {
  return absl::StrCat(path, absl::string_view("\0", 1), sha256);
}

absl::StatusOr<std::unique_ptr<ResultsLog>> ResultsLog::Open(const std::string& path, bool resume) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot open", path);
  std::unique_ptr<ResultsLog> log(new ResultsLog(fd, path));
  absl::StatusOr<std::string> data = ReadAll(fd, path);
  if (!data.ok()) return data.status();
  if (!data->empty() && !resume) {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        ": already holds results; pass --resume to continue that run, or choose another "
        "--out"));
  }
  // Index every complete line; the first line that does not parse (a torn write, necessarily the
  // last one since lines are written whole and in order) ends the usable part.
  size_t good_end = 0;
  size_t start = 0;
  while (start < data->size()) {
    const size_t nl = data->find('\n', start);
    if (nl == std::string::npos) break;
    const nlohmann::json line =
        nlohmann::json::parse(data->begin() + start, data->begin() + nl, nullptr, false);
    if (line.is_discarded() || !line.is_object() || !line.contains("path") ||
        !line["path"].is_string()) {
      break;
    }
    const std::string sha = line.contains("sha256") && line["sha256"].is_string()
                                ? line["sha256"].get<std::string>()
                                : "";
    log->done_.insert(ResultKey(line["path"].get<std::string>(), sha));
    ++log->resumed_lines_;
    good_end = nl + 1;
    start = nl + 1;
  }
  if (good_end < data->size()) {
    log->torn_bytes_ = data->size() - good_end;
    if (::ftruncate(fd, static_cast<off_t>(good_end)) != 0) return Errno("truncate", path);
  }
  if (::lseek(fd, 0, SEEK_END) < 0) return Errno("seek", path);
  log->writer_ = std::thread([l = log.get()] { l->WriterLoop(); });
  return log;
}

ResultsLog::ResultsLog(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

ResultsLog::~ResultsLog() {
  if (!closed_) Close().IgnoreError();
  ::close(fd_);
}

bool ResultsLog::Contains(absl::string_view path, absl::string_view sha256) const {
  return done_.contains(ResultKey(path, sha256));
}

void ResultsLog::Append(std::string line) {
  line.push_back('\n');
  absl::MutexLock lock(&mu_);
  pending_.append(line);
}

// Group commit: whatever accumulated while the previous group was being synced goes out as one
// write() and one fdatasync(), so the cost of durability is per group, not per file.
void ResultsLog::WriterLoop() {
  for (;;) {
    std::string group;
    bool last = false;
    {
      absl::MutexLock lock(&mu_);
      const auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
        return !pending_.empty() || closing_;
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(200));
      group.swap(pending_);
      last = closing_;
    }
    size_t off = 0;
    absl::Status status;
    while (off < group.size()) {
      const ssize_t n = ::write(fd_, group.data() + off, group.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        status = Errno("write", path_);
        break;
      }
      off += static_cast<size_t>(n);
    }
    if (status.ok() && !group.empty() && ::fdatasync(fd_) != 0) status = Errno("sync", path_);
    if (!status.ok()) {
      absl::MutexLock lock(&mu_);
      if (error_.ok()) error_ = status;
    }
    if (last) {
      absl::MutexLock lock(&mu_);
      if (pending_.empty()) return;
    }
  }
}

absl::Status ResultsLog::Close() {
  if (closed_) return absl::OkStatus();
  closed_ = true;
  {
    absl::MutexLock lock(&mu_);
    closing_ = true;
  }
  if (writer_.joinable()) writer_.join();
  absl::MutexLock lock(&mu_);
  return error_;
}

}  // namespace kyso::batch
