#include "tests/support/subprocess.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "crypto/status_macros.h"

namespace kyso::testing {
namespace {

// Owns one file descriptor.
class UniqueFd final {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ~UniqueFd() { Reset(); }

  int get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) {
      close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

absl::Status ErrnoError(absl::string_view what, int err) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(err)));
}

// execv does not search PATH, and execvp may allocate, which a child of a multi-threaded parent
// must not; so the search happens in the parent.
absl::StatusOr<std::string> FindProgram(const std::string& name) {
  if (name.empty()) {
    return absl::InvalidArgumentError("empty program name");
  }
  if (name.find('/') != std::string::npos) {
    return name;
  }
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path != nullptr ? path : "/usr/bin:/bin", ':')) {
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", name);
    if (access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return absl::NotFoundError(absl::StrCat("program not found in PATH: ", name));
}

// In the child: makes fd available as target across exec. dup2 onto itself would keep the
// close-on-exec flag, hence the special case.
bool MoveTo(int fd, int target) {
  if (fd == target) {
    return fcntl(fd, F_SETFD, 0) == 0;
  }
  return dup2(fd, target) == target;
}

absl::StatusOr<pid_t> Spawn(const std::vector<std::string>& argv, int out_fd, int err_fd,
                            bool own_process_group) {
  if (argv.empty()) {
    return absl::InvalidArgumentError("empty command");
  }
  KYSO_ASSIGN_OR_RETURN(const std::string program, FindProgram(argv[0]));
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const std::string& arg : argv) {
    cargv.push_back(const_cast<char*>(arg.c_str()));
  }
  cargv.push_back(nullptr);

  UniqueFd dev_null(open("/dev/null", O_RDONLY | O_CLOEXEC));
  if (dev_null.get() < 0) {
    return ErrnoError("open /dev/null", errno);
  }
  // The child writes its errno here if exec fails; a successful exec closes it (O_CLOEXEC), so EOF
  // tells the parent the program is running.
  int report_fds[2];
  if (pipe2(report_fds, O_CLOEXEC) != 0) {
    return ErrnoError("pipe2", errno);
  }
  UniqueFd report_read(report_fds[0]);
  UniqueFd report_write(report_fds[1]);

  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    return ErrnoError("fork", errno);
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only, up to exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
      _exit(127);  // the parent died before prctl took effect
    }
    if (own_process_group) {
      setpgid(0, 0);
    }
    if (MoveTo(dev_null.get(), STDIN_FILENO) && MoveTo(out_fd, STDOUT_FILENO) &&
        MoveTo(err_fd, STDERR_FILENO)) {
      // Descriptors the test process opened without O_CLOEXEC must not leak into a server that may
      // outlive them. Best effort: kernels before 5.11 lack the flag.
      close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
      execv(program.c_str(), cargv.data());
    }
    const int err = errno;
    (void)!write(report_write.get(), &err, sizeof(err));
    _exit(127);
  }

  // Also from the parent, so the group exists before anyone can signal it (whichever runs first
  // wins; the other call fails harmlessly).
  if (own_process_group) {
    setpgid(pid, pid);
  }
  report_write.Reset();
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(report_read.get(), &child_errno, sizeof(child_errno));
  } while (n < 0 && errno == EINTR);
  if (n > 0) {
    waitpid(pid, nullptr, 0);
    return absl::FailedPreconditionError(
        absl::StrCat("cannot execute ", program, ": ", std::strerror(child_errno)));
  }
  return pid;
}

int ExitCode(int wait_status) {
  if (WIFEXITED(wait_status)) {
    return WEXITSTATUS(wait_status);
  }
  if (WIFSIGNALED(wait_status)) {
    return 128 + WTERMSIG(wait_status);
  }
  return -1;
}

}  // namespace

absl::StatusOr<pid_t> SpawnProcess(const std::vector<std::string>& argv, int output_fd) {
  return Spawn(argv, output_fd, output_fd, /*own_process_group=*/true);
}

absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv) {
  int out_fds[2];
  int err_fds[2];
  if (pipe2(out_fds, O_CLOEXEC) != 0) {
    return ErrnoError("pipe2", errno);
  }
  UniqueFd out_read(out_fds[0]);
  UniqueFd out_write(out_fds[1]);
  if (pipe2(err_fds, O_CLOEXEC) != 0) {
    return ErrnoError("pipe2", errno);
  }
  UniqueFd err_read(err_fds[0]);
  UniqueFd err_write(err_fds[1]);

  KYSO_ASSIGN_OR_RETURN(const pid_t pid, Spawn(argv, out_write.get(), err_write.get(),
                                               /*own_process_group=*/false));
  out_write.Reset();
  err_write.Reset();

  // Both pipes are drained together: a child that fills one while we block on the other would
  // deadlock.
  CommandResult result;
  pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.stdout_text, &result.stderr_text};
  int open_streams = 2;
  while (open_streams > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      const int err = errno;
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return ErrnoError("poll", err);
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) {
        continue;
      }
      char buffer[4096];
      const ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;  // poll ignores negative descriptors
        --open_streams;
      }
    }
  }

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return ErrnoError("waitpid", errno);
    }
  }
  result.exit_code = ExitCode(status);
  return result;
}

}  // namespace kyso::testing
