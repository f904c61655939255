#include "service/server/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "service/server/admin_server.h"

namespace kyso {

absl::StatusOr<std::unique_ptr<KysoServer>> KysoServer::Start(const ServerOptions& options,
                                                              VerifierService* service) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::unique_ptr<KysoServer> out(new KysoServer());
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options.tls_cert_pem.empty()) {
    grpc::SslServerCredentialsOptions ssl(
        options.tls_client_ca_pem.empty()
            ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
            : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = options.tls_client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({options.tls_key_pem, options.tls_cert_pem});
    credentials = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort(options.listen, credentials, &out->port_);
  // Room for the document plus its envelope; anything larger is refused by gRPC itself with
  // RESOURCE_EXHAUSTED before it is read into memory.
  builder.SetMaxReceiveMessageSize(static_cast<int>(options.max_message_bytes + (1 << 20)));
  builder.RegisterService(service);
  out->server_ = builder.BuildAndStart();
  if (!out->server_ || out->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  SetHealth(out->server_.get(), true);
  return out;
}

KysoServer::~KysoServer() { Shutdown(absl::ZeroDuration()); }

void KysoServer::Shutdown(absl::Duration grace) {
  if (shut_down_ || !server_) return;
  shut_down_ = true;
  SetHealth(server_.get(), false);
  server_->Shutdown(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
}

}  // namespace kyso
