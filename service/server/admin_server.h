// A plaintext gRPC listener for probes: grpc.health.v1 and server reflection, no verification.
//
// Load balancers and Kubernetes probes reach it without the client certificate the main port may
// demand under mTLS, and it outlives the main port's drain: while calls in flight finish, the main
// port refuses new calls, and this port is where health says NOT_SERVING.
//
//   KYSO_ASSIGN_OR_RETURN(auto admin, AdminServer::Start("0.0.0.0:8081"));  // NOT_SERVING
//   ... load the trust store, start the main port ...
//   admin->SetServing(true);
//
// Thread-safety: thread-safe.
#ifndef KYSO_SERVICE_SERVER_ADMIN_SERVER_H_
#define KYSO_SERVICE_SERVER_ADMIN_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace kyso {

// The health service names kyso answers for: "" (the server as a whole, what probes ask by
// default) and the verifier service itself.
inline constexpr const char* kHealthServiceNames[] = {"", "kyso.v1.SignatureVerifier"};

// Sets every name of kHealthServiceNames on `server`'s default health service.
void SetHealth(grpc::Server* server, bool serving);

class AdminServer final {
 public:
  // Listens on `listen` (host:port; port 0 picks one), NOT_SERVING until SetServing(true).
  static absl::StatusOr<std::unique_ptr<AdminServer>> Start(const std::string& listen);
  ~AdminServer();

  int port() const { return port_; }
  void SetServing(bool serving);

 private:
  AdminServer() = default;

  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace kyso

#endif  // KYSO_SERVICE_SERVER_ADMIN_SERVER_H_
