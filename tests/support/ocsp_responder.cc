#include "tests/support/ocsp_responder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <thread>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "crypto/status_macros.h"
#include "tests/support/subprocess.h"

namespace kyso::testing {
namespace {

using Clock = std::chrono::steady_clock;

// What `openssl ocsp` 3.0 prints, lower-cased: once listening ("ocsp: waiting for OCSP client
// connections...", printed again after each request), and when bind() fails.
constexpr absl::string_view kReadyLine = "waiting for ocsp client connections";
constexpr absl::string_view kPortTaken = "address already in use";

constexpr int kMaxAttempts = 5;
constexpr std::chrono::milliseconds kPollInterval{10};
constexpr std::chrono::seconds kTerminateGrace{2};
constexpr size_t kLogExcerptBytes = 2000;

// Asks the kernel for a free port on 127.0.0.1. The port is released before openssl binds it, so
// another process may take it in between; the caller retries on "address already in use".
absl::StatusOr<int> PickFreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  absl::Cleanup close_fd = [fd] { close(fd); };
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return absl::InternalError(absl::StrCat("bind 127.0.0.1:0: ", std::strerror(errno)));
  }
  return ntohs(addr.sin_port);
}

std::string ReadLog(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string LogExcerpt(const std::string& log) {
  if (log.empty()) {
    return "(empty log)";
  }
  if (log.size() <= kLogExcerptBytes) {
    return log;
  }
  return absl::StrCat("...", log.substr(log.size() - kLogExcerptBytes));
}

// SIGTERM, a grace period, then SIGKILL; returns once pid is reaped. Signals go to the process
// group SpawnProcess made, so helpers it forked (e.g. with -multi) go too.
void Terminate(pid_t pid) {
  if (killpg(pid, SIGTERM) != 0) {
    kill(pid, SIGTERM);
  }
  const Clock::time_point deadline = Clock::now() + kTerminateGrace;
  while (Clock::now() < deadline) {
    const pid_t reaped = waitpid(pid, nullptr, WNOHANG);
    if (reaped == pid || (reaped < 0 && errno != EINTR)) {
      return;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  if (killpg(pid, SIGKILL) != 0) {
    kill(pid, SIGKILL);
  }
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Waits until the responder at pid logs that it listens. Returns true when it does, false when it
// exited because its port was taken (it is reaped); any other end is an error (and it is reaped).
absl::StatusOr<bool> AwaitReady(pid_t pid, const std::string& log_path,
                                std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t reaped = waitpid(pid, &status, WNOHANG);
    // Read after waitpid: an exited process has written all it ever will.
    const std::string log = ReadLog(log_path);
    const std::string lower = absl::AsciiStrToLower(log);
    if (reaped == 0 && absl::StrContains(lower, kReadyLine)) {
      return true;
    }
    if (reaped == pid) {
      if (absl::StrContains(lower, kPortTaken)) {
        return false;
      }
      return absl::FailedPreconditionError(
          absl::StrCat("openssl ocsp exited (status ", status, "): ", LogExcerpt(log)));
    }
    if (Clock::now() >= deadline) {
      Terminate(pid);
      return absl::DeadlineExceededError(
          absl::StrCat("openssl ocsp not ready after ", timeout.count(), " ms: ", LogExcerpt(log)));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<OcspResponder>> OcspResponder::Start(
    const OcspResponderOptions& options) {
  for (const std::string* file :
       {&options.index_file, &options.ca_cert, &options.responder_cert, &options.responder_key}) {
    if (access(file->c_str(), R_OK) != 0) {
      return absl::NotFoundError(absl::StrCat("cannot read '", *file, "': ", std::strerror(errno)));
    }
  }

  const char* tmpdir = std::getenv("TMPDIR");
  std::string log_path =
      absl::StrCat(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp", "/kyso-ocsp-XXXXXX.log");
  const int log_fd = mkostemps(log_path.data(), 4, O_CLOEXEC | O_APPEND);
  if (log_fd < 0) {
    return absl::InternalError(absl::StrCat("mkostemps ", log_path, ": ", std::strerror(errno)));
  }
  absl::Cleanup close_log = [log_fd] { close(log_fd); };
  absl::Cleanup remove_log = [&log_path] { unlink(log_path.c_str()); };

  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    if (ftruncate(log_fd, 0) != 0) {
      return absl::InternalError(absl::StrCat("ftruncate ", log_path, ": ", std::strerror(errno)));
    }
    KYSO_ASSIGN_OR_RETURN(const int port, PickFreePort());
    std::vector<std::string> argv = {options.openssl, "ocsp",
                                     "-index",        options.index_file,
                                     "-CA",           options.ca_cert,
                                     "-rsigner",      options.responder_cert,
                                     "-rkey",         options.responder_key,
                                     "-port",         std::to_string(port),
                                     "-nmin",         "60",
                                     "-ignore_err"};
    argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
    KYSO_ASSIGN_OR_RETURN(const pid_t pid, SpawnProcess(argv, log_fd));
    KYSO_ASSIGN_OR_RETURN(const bool ready, AwaitReady(pid, log_path, options.startup_timeout));
    if (ready) {
      std::move(remove_log).Cancel();
      return std::unique_ptr<OcspResponder>(new OcspResponder(pid, port, log_path));
    }
  }
  return absl::UnavailableError(
      absl::StrCat("openssl ocsp found its port taken ", kMaxAttempts, " times"));
}

OcspResponder::OcspResponder(OcspResponder&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      port_(std::exchange(other.port_, 0)),
      log_path_(std::exchange(other.log_path_, std::string())) {}

OcspResponder& OcspResponder::operator=(OcspResponder&& other) noexcept {
  if (this != &other) {
    Release();
    pid_ = std::exchange(other.pid_, -1);
    port_ = std::exchange(other.port_, 0);
    log_path_ = std::exchange(other.log_path_, std::string());
  }
  return *this;
}

OcspResponder::~OcspResponder() { Release(); }

void OcspResponder::Stop() {
  if (pid_ > 0) {
    Terminate(pid_);
  }
  pid_ = -1;
}

void OcspResponder::Release() {
  Stop();
  if (!log_path_.empty()) {
    unlink(log_path_.c_str());
  }
  log_path_.clear();
}

std::string OcspResponder::url() const { return absl::StrCat("http://127.0.0.1:", port_, "/"); }

}  // namespace kyso::testing
