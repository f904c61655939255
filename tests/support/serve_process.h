// A `kyso serve` child process for tests that need the real binary: its signals, its logs and
// its exit status. Every listener is on a kernel-chosen loopback port; the addresses are read
// from the JSON operational log.
//
//   auto serve = ServeProcess::Start(config);
//   ... serve->address() ...
//   EXPECT_EQ(serve->Stop(), 0);  // SIGTERM: drain, exit 0
#ifndef KYSO_TESTS_SUPPORT_SERVE_PROCESS_H_
#define KYSO_TESTS_SUPPORT_SERVE_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kyso::testing {

class ServeProcess final {
 public:
  // Starts `kyso serve --config CONFIG` with main, metrics and admin listeners on port 0, plus
  // `extra_args`, and waits (bounded) for the operational log's `ready_event`.
  static absl::StatusOr<std::unique_ptr<ServeProcess>> Start(
      const std::string& config, const std::vector<std::string>& extra_args = {},
      const std::string& ready_event = "listening");
  ~ServeProcess();  // kills and reaps a child still running

  pid_t pid() const { return pid_; }
  // From the log's events; empty until the event has been logged.
  std::string address() const { return EventField("listening", "address"); }
  std::string admin_address() const { return EventField("admin_listening", "address"); }
  std::string metrics_url() const { return EventField("metrics_listening", "url"); }

  std::string Log() const;
  // The log's JSON lines: operational events and audit records ("event": "verified").
  std::vector<nlohmann::json> Lines() const;
  // Waits (bounded, 20 s) until the log has `count` lines with this "event".
  bool WaitForEvent(const std::string& event, int count = 1) const;
  // SIGTERM, then waits for the exit: its status, or -1 if it did not exit normally.
  int Stop();
  void Signal(int signal) const;

 private:
  ServeProcess() = default;
  std::string EventField(const std::string& event, const std::string& field) const;

  pid_t pid_ = -1;
  std::string log_path_;
};

// The kyso binary of this build.
std::string KysoBinary();

}  // namespace kyso::testing

#endif  // KYSO_TESTS_SUPPORT_SERVE_PROCESS_H_
