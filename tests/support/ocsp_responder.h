// A real `openssl ocsp` responder on a free loopback port, for tests that need OCSP over HTTP.
//
//   OcspResponderOptions options;
//   options.index_file = PkiDir() + "/ca/ca-public/index.txt";
//   options.ca_cert = PkiDir() + "/certs/ca-public.pem";
//   options.responder_cert = PkiDir() + "/certs/ocsp-public.pem";
//   options.responder_key = PkiDir() + "/keys/ocsp-public.key";
//   KYSO_ASSIGN_OR_RETURN(std::unique_ptr<OcspResponder> responder,
//                         OcspResponder::Start(options));
//   Fetch(responder->url(), ...);
//   responder.reset();  // SIGTERM, then SIGKILL; the process is reaped before this returns
//
// The responder answers from the CA's `openssl ca` database as it is on disk when each request
// arrives; responses carry nextUpdate = now + 60 minutes unless extra_args say otherwise.
//
// Readiness is read from the responder's log ("waiting for OCSP client connections"), never by
// connecting to the port: OpenSSL 3.0's responder spins forever on a connection that closes without
// sending a request. For the same reason, tests must not open bare TCP connections to it.
//
// OpenSSL 3.0's -port binds every address, not only 127.0.0.1; the port is taken free from the
// kernel and the start is retried when openssl finds it taken after all.
//
// Thread-safety: thread-compatible. The process is started with PR_SET_PDEATHSIG, so it dies with
// the thread that called Start(): call it from the test's thread, not a short-lived one.
#ifndef KYSO_TESTS_SUPPORT_OCSP_RESPONDER_H_
#define KYSO_TESTS_SUPPORT_OCSP_RESPONDER_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace kyso::testing {

struct OcspResponderOptions {
  std::string index_file;      // the CA's `openssl ca` database (index.txt)
  std::string ca_cert;         // the CA whose certificates the responder answers for
  std::string responder_cert;  // signs responses: a delegated OCSP signer or the CA itself
  std::string responder_key;
  // Appended after the defaults (-nmin 60 -ignore_err); for a repeated option, openssl uses the
  // last value, e.g. {"-nmin", "1"}.
  std::vector<std::string> extra_args;
  std::string openssl = "openssl";  // a name looked up in PATH, or a path
  std::chrono::milliseconds startup_timeout{10000};
};

class OcspResponder final {
 public:
  // Starts the responder and returns once it accepts connections. NotFound if an input file or
  // the openssl program is missing, DeadlineExceeded if the responder did not come up in time,
  // FailedPrecondition if it exited; the messages carry its log.
  static absl::StatusOr<std::unique_ptr<OcspResponder>> Start(const OcspResponderOptions& options);

  OcspResponder(OcspResponder&& other) noexcept;
  OcspResponder& operator=(OcspResponder&& other) noexcept;
  OcspResponder(const OcspResponder&) = delete;
  OcspResponder& operator=(const OcspResponder&) = delete;
  // Stops the responder and deletes its log.
  ~OcspResponder();

  // Stops the responder (SIGTERM, then SIGKILL after 2 s) and reaps it. The log stays readable
  // until destruction. Idempotent.
  void Stop();

  int port() const { return port_; }
  std::string url() const;                                   // "http://127.0.0.1:PORT/"
  const std::string& log_path() const { return log_path_; }  // its stdout and stderr
  pid_t pid() const { return pid_; }                         // -1 once stopped

 private:
  OcspResponder(pid_t pid, int port, std::string log_path)
      : pid_(pid), port_(port), log_path_(std::move(log_path)) {}
  void Release();

  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

}  // namespace kyso::testing

#endif  // KYSO_TESTS_SUPPORT_OCSP_RESPONDER_H_
