// A client channel to a kyso service, as `kyso verify --server` and `kyso batch --server` open it:
// plaintext, TLS (the server checked against `ca_pem`) or mTLS (with a client certificate too),
// and room for responses as large as the largest report.
#ifndef KYSO_SERVICE_CLIENT_CHANNEL_H_
#define KYSO_SERVICE_CLIENT_CHANNEL_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace kyso {

struct ClientTls {
  std::string ca_pem, cert_pem, key_pem;  // TLS when ca_pem is set; mTLS with cert and key
};

// Reads the PEM files of `--tls-ca`, `--tls-cert`, `--tls-key` (each may be empty: not given).
absl::StatusOr<ClientTls> ReadClientTls(const std::string& ca_path, const std::string& cert_path,
                                        const std::string& key_path);

// Connects lazily; fails only for an address gRPC cannot use (an unreachable server shows at the
// first call).
absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenVerifierChannel(const std::string& address,
                                                                   const ClientTls& tls);

}  // namespace kyso

#endif  // KYSO_SERVICE_CLIENT_CHANNEL_H_
