// `kyso batch`: re-verifies an archive (folders, zip/tar, JSON Lines manifests) through a running
// service (--server) or in process (--embedded, the default without --server), writing one JSON
// line per file to --out, resumable (--resume) and splittable (--shard I --of N). See
// service/batch/batch_runner.h for the line format and README "Batch re-verification".
//
// Exit status: 0 every document passed (skipped non-signature files do not count), 1 some
// document did not pass or some file could not be read, 2 the run itself failed (usage, config,
// output not writable, the server went away).
#ifndef KYSO_SERVICE_CLI_BATCH_COMMAND_H_
#define KYSO_SERVICE_CLI_BATCH_COMMAND_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "service/report_text.h"

namespace kyso::cli {

struct BatchCommandOptions {
  std::vector<std::string> inputs;
  std::string out;
  std::string server;  // HOST:PORT; empty: in process
  bool embedded = false;
  std::string at;  // RFC 3339, "signing-time", or empty (now)
  bool resume = false;
  int concurrency = 64;  // documents in flight
  int shard = 0, of = 1;
  std::string report_html;
  Language lang = Language::kEnglish;
  // In-process verification (--embedded): as for `kyso verify`.
  std::string config_path;
  std::vector<std::string> trust_anchors, intermediates, crl_paths;
  std::string revocation;
  int threads = 0;
  // Towards --server.
  std::string tls_ca, tls_cert, tls_key;
};

int RunBatchCommand(const BatchCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace kyso::cli

#endif  // KYSO_SERVICE_CLI_BATCH_COMMAND_H_
