#include "service/batch/results_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace kyso::batch {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::UnavailableError(absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

}  // namespace

std::string ResultKey(absl::string_view path, absl::string_view sha256) {
  return absl::StrCat(path, absl::string_view("\0", 1), sha256);
}

absl::StatusOr<std::unique_ptr<ResultsLog>> ResultsLog::Open(const std::string& path, bool resume) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot open", path);
  std::unique_ptr<ResultsLog> log(new ResultsLog(fd, path));
  struct stat st;
  if (::fstat(fd, &st) != 0) return Errno("stat", path);
  if (st.st_size > 0 && !resume) {
    return absl::FailedPreconditionError(absl::StrCat(
        path,
        ": already holds results; pass --resume to continue that run, or choose another "
        "--out"));
  }
  // The file's name must survive a crash too: sync the folder that holds it.
  const std::string folder = std::filesystem::path(path).parent_path().string();
  const int dir = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  // Index every complete line, reading in chunks (an output of millions of files is gigabytes).
  // The first line that does not parse (a torn write, necessarily the last one since lines are
  // written whole and in order) ends the usable part.
  off_t good_end = 0;  // file offset just after the last good line
  off_t consumed = 0;  // file offset of the start of `carry`
  std::string carry;
  bool torn = false;
  std::vector<char> buf(size_t{1} << 20);
  for (bool eof = false; !eof && !torn;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read", path);
    eof = n == 0;
    carry.append(buf.data(), static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = carry.find('\n', start)) != std::string::npos; start = nl + 1) {
      const nlohmann::json line =
          nlohmann::json::parse(carry.begin() + start, carry.begin() + nl, nullptr, false);
      if (line.is_discarded() || !line.is_object() || !line.contains("path") ||
          !line["path"].is_string()) {
        torn = true;
        break;
      }
      const std::string sha = line.contains("sha256") && line["sha256"].is_string()
                                  ? line["sha256"].get<std::string>()
                                  : "";
      log->done_.insert(ResultKey(line["path"].get<std::string>(), sha));
      ++log->resumed_lines_;
      good_end = consumed + static_cast<off_t>(nl + 1);
    }
    if (torn) break;
    consumed += static_cast<off_t>(start);
    carry.erase(0, start);
  }
  const off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) return Errno("seek", path);
  if (good_end < size) {
    log->torn_bytes_ = static_cast<size_t>(size - good_end);
    if (::ftruncate(fd, good_end) != 0) return Errno("truncate", path);
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
