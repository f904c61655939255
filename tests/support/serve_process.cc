#include "tests/support/serve_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace kyso::testing {

std::string KysoBinary() { return BinaryDir() + "/service/kyso"; }

absl::StatusOr<std::unique_ptr<ServeProcess>> ServeProcess::Start(
    const std::string& config, const std::vector<std::string>& extra_args,
    const std::string& ready_event) {
  static std::atomic<int> counter{0};
  std::unique_ptr<ServeProcess> serve(new ServeProcess());
  serve->log_path_ = absl::StrCat(std::filesystem::temp_directory_path().string(), "/kyso-serve-",
                                  ::getpid(), "-", ++counter, ".log");
  const int fd = ::open(serve->log_path_.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
  if (fd < 0) return absl::InternalError("cannot create " + serve->log_path_);
  std::vector<std::string> argv = {
      KysoBinary(),       "serve",       "--config",       config,       "--listen", "127.0.0.1:0",
      "--metrics-listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  absl::StatusOr<pid_t> pid = SpawnProcess(argv, fd);
  ::close(fd);
  if (!pid.ok()) return pid.status();
  serve->pid_ = *pid;
  if (!serve->WaitForEvent(ready_event)) {
    return absl::DeadlineExceededError(
        absl::StrCat("kyso serve did not log \"", ready_event, "\":\n", serve->Log()));
  }
  return serve;
}

ServeProcess::~ServeProcess() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

std::string ServeProcess::Log() const {
  std::ifstream in(log_path_, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<nlohmann::json> ServeProcess::Lines() const {
  std::vector<nlohmann::json> out;
  std::istringstream in(Log());
  std::string line;
  while (std::getline(in, line)) {
    // A line still being written, or a sanitizer report, is not JSON: skip it.
    nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) out.push_back(std::move(parsed));
  }
  return out;
}

bool ServeProcess::WaitForEvent(const std::string& event, int count) const {
  for (int i = 0; i < 2000; ++i) {
    int seen = 0;
    for (const nlohmann::json& line : Lines()) {
      if (line.value("event", "") == event) ++seen;
    }
    if (seen >= count) return true;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return false;
}

std::string ServeProcess::EventField(const std::string& event, const std::string& field) const {
  for (const nlohmann::json& line : Lines()) {
    if (line.value("event", "") == event && line.contains(field)) return line[field];
  }
  return "";
}

void ServeProcess::Signal(int signal) const { ::kill(pid_, signal); }

int ServeProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace kyso::testing
