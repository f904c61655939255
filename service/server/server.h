// The running kyso gRPC server: the SignatureVerifier service, the standard grpc.health.v1
// service (SERVING once started, NOT_SERVING while shutting down) and server reflection. The
// plaintext probe port is AdminServer (admin_server.h).
//
//   KYSO_ASSIGN_OR_RETURN(auto server, KysoServer::Start({"127.0.0.1:0"}, &service));
//   ... server->port() ...
//   server->Shutdown(absl::Seconds(10));  // drains calls in flight
//
// Thread-safety: thread-safe.
#ifndef KYSO_SERVICE_SERVER_SERVER_H_
#define KYSO_SERVICE_SERVER_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "service/server/verifier_service.h"

namespace kyso {

struct ServerOptions {
  std::string listen = "127.0.0.1:50051";  // host:port; port 0 picks a free one
  size_t max_message_bytes = 64 << 20;
  // TLS when `tls_cert_pem` is set; mutual TLS when `tls_client_ca_pem` is set too, and then a
  // client without a certificate that chains to it is refused at the handshake. PEM contents, not
  // paths.
  std::string tls_cert_pem;
  std::string tls_key_pem;
  std::string tls_client_ca_pem;
};

class KysoServer final {
 public:
  static absl::StatusOr<std::unique_ptr<KysoServer>> Start(const ServerOptions& options,
                                                           VerifierService* service);
  ~KysoServer();

  int port() const { return port_; }

  // Health goes NOT_SERVING, new calls are refused, calls in flight get until `grace` to finish.
  void Shutdown(absl::Duration grace);

 private:
  KysoServer() = default;

  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace kyso

#endif  // KYSO_SERVICE_SERVER_SERVER_H_
