// `kyso verify --server HOST:PORT`: the same verification, done by a running kyso service.
#ifndef KYSO_SERVICE_CLI_REMOTE_VERIFY_H_
#define KYSO_SERVICE_CLI_REMOTE_VERIFY_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "crypto/policy.h"
#include "crypto/report.h"
#include "crypto/verification_context.h"
#include "service/client_channel.h"

namespace kyso::cli {

class RemoteVerifier final {
 public:
  // TLS towards the server when `ca_pem` is set (the CA that issued the server's certificate);
  // a client certificate for mutual TLS when `cert_pem` and `key_pem` are set too.
  using Tls = ClientTls;

  // Connects lazily; fails only for an address gRPC cannot parse.
  static absl::StatusOr<std::unique_ptr<RemoteVerifier>> Connect(const std::string& address,
                                                                 const Tls& tls = {});
  ~RemoteVerifier();

  // Many documents through one VerifyStream. `next(i, &bytes)` supplies document i (false ends the
  // stream; an unreadable one is skipped by returning true with `skip` set); `on_result(i, report)`
  // runs as results arrive, in completion order. Returns the stream's final status.
  using NextDocument = std::function<bool(size_t index, std::string* bytes, bool* skip)>;
  using OnResult = std::function<void(size_t index, const DocumentReport& report)>;
  absl::Status VerifyStream(const NextDocument& next, const std::vector<DetachedContent>& detached,
                            std::optional<absl::Time> validation_time,
                            std::optional<RevocationMode> revocation, const OnResult& on_result);

  // One document through SignatureVerifier.Verify. An RPC error (unreachable, overloaded,
  // deadline) is an error status; a document that fails verification is a report.
  absl::StatusOr<DocumentReport> Verify(const std::string& bytes,
                                        const std::vector<DetachedContent>& detached,
                                        std::optional<absl::Time> validation_time,
                                        std::optional<RevocationMode> revocation);

 private:
  struct Impl;
  explicit RemoteVerifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kyso::cli

#endif  // KYSO_SERVICE_CLI_REMOTE_VERIFY_H_
