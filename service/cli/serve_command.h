// `kyso serve --config FILE`: runs the gRPC service until SIGTERM or SIGINT, then drains: health
// goes NOT_SERVING, no new calls, calls in flight get server.shutdown_grace_ms to finish, exit 0.
// SIGHUP reloads the trust store and policy from the config, all or nothing. The operational log
// is JSON lines on `err` (json_log.h); the audit log, one JSON line per document, on stdout.
#ifndef KYSO_SERVICE_CLI_SERVE_COMMAND_H_
#define KYSO_SERVICE_CLI_SERVE_COMMAND_H_

#include <iosfwd>
#include <string>

namespace kyso::cli {

struct ServeOptions {
  std::string config_path;
  std::string listen;          // overrides server.listen
  std::string metrics_listen;  // overrides server.metrics_listen
  std::string admin_listen;    // overrides server.admin_listen
  bool print_config = false;   // print the effective configuration and exit
};

// Returns the exit status: 0 after a clean shutdown, 2 when the service could not start.
int RunServe(const ServeOptions& options, std::ostream& err);

}  // namespace kyso::cli

#endif  // KYSO_SERVICE_CLI_SERVE_COMMAND_H_
