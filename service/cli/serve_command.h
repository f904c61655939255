// `kyso serve --config FILE`: runs the gRPC service until SIGTERM or SIGINT, then drains.
// SIGHUP reloads the trust store and policy from the config, all or nothing.
#ifndef KYSO_SERVICE_CLI_SERVE_COMMAND_H_
#define KYSO_SERVICE_CLI_SERVE_COMMAND_H_

#include <iosfwd>
#include <string>

namespace kyso::cli {

struct ServeOptions {
  std::string config_path;
  std::string listen;          // overrides server.listen
  std::string metrics_listen;  // overrides server.metrics_listen
  bool print_config = false;   // print the effective configuration and exit
};

// Returns the exit status: 0 after a clean shutdown, 2 when the service could not start.
int RunServe(const ServeOptions& options, std::ostream& err);

}  // namespace kyso::cli

#endif  // KYSO_SERVICE_CLI_SERVE_COMMAND_H_
