// The `kyso verify` and `kyso validate-cert` commands, apart from flag parsing so that tests can
// drive them directly. Each returns the process exit status (DESIGN.md "Command line"):
//   0  every input TOTAL_PASSED
//   1  some input did not pass
//   2  usage, config or I/O error (one line on `err`, never a stack trace)
#ifndef KYSO_SERVICE_CLI_COMMANDS_H_
#define KYSO_SERVICE_CLI_COMMANDS_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "service/report_text.h"

namespace kyso::cli {

inline constexpr int kExitPassed = 0;
inline constexpr int kExitNotPassed = 1;
inline constexpr int kExitError = 2;

struct CommonOptions {
  std::string config_path;
  std::vector<std::string> trust_anchors;
  std::vector<std::string> intermediates;
  std::string at;          // RFC 3339; empty = now
  std::string revocation;  // empty = config value
  bool json = false;
  Language lang = Language::kEnglish;
  std::vector<std::string> crl_paths;  // local CRLs: revocation evidence for offline checks
  std::vector<std::string> files;
};

struct VerifyOptions : CommonOptions {
  std::vector<std::string> content_paths;  // detached content (XML matches by file name)
  bool table = false;                      // one row per document instead of the detailed text
  std::string server;  // HOST:PORT of a running `kyso serve`; empty: verify in process
  std::string tls_ca, tls_cert, tls_key;  // TLS / mTLS towards --server (PEM files)
};

struct ValidateCertOptions : CommonOptions {
  bool any_usage = false;  // path checks only, no document-signing key usage requirement
};

int RunVerify(const VerifyOptions& options, std::ostream& out, std::ostream& err);
int RunValidateCert(const ValidateCertOptions& options, std::ostream& out, std::ostream& err);

}  // namespace kyso::cli

#endif  // KYSO_SERVICE_CLI_COMMANDS_H_
