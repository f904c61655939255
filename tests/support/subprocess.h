// Child processes for tests: run a command to completion, or start one in the background.
//
//   KYSO_ASSIGN_OR_RETURN(CommandResult r, RunCommand({"openssl", "version"}));
//   EXPECT_EQ(r.exit_code, 0);
//
// Programs are found through PATH when the name has no '/'. No shell is involved, so arguments need
// no quoting. Children get /dev/null as stdin, inherit no descriptor but 0, 1 and 2, and on Linux
// receive SIGKILL when the thread that started them exits, so a crashed or killed test does not
// leave servers behind. Start children from a thread that outlives them (the test's own).
//
// Thread-safety: the functions are thread-safe; they fork, and touch only async-signal-safe calls
// in the child before exec.
#ifndef KYSO_TESTS_SUPPORT_SUBPROCESS_H_
#define KYSO_TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kyso::testing {

struct CommandResult {
  // The exit status, or 128 + N when the command was killed by signal N (as shells report it).
  int exit_code = 0;
  std::string stdout_text;
  std::string stderr_text;
};

// Runs argv to completion and collects both output streams. An error status means the command could
// not be run at all (not found, fork failed); a failing command is an OK result with a nonzero
// exit_code.
absl::StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv);

// Starts argv with stdout and stderr both written to output_fd (the caller keeps ownership) and
// returns its pid. The child leads a new process group (pgid == pid), so that killpg(pid, ...) also
// reaches whatever it forks. The caller must reap it (waitpid). Fails if the program cannot be
// executed.
absl::StatusOr<pid_t> SpawnProcess(const std::vector<std::string>& argv, int output_fd);

}  // namespace kyso::testing

#endif  // KYSO_TESTS_SUPPORT_SUBPROCESS_H_
