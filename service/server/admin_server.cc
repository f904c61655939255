#include "service/server/admin_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/str_cat.h"

namespace kyso {

void SetHealth(grpc::Server* server, bool serving) {
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  if (health == nullptr) return;
  for (const char* name : kHealthServiceNames) health->SetServingStatus(name, serving);
}

absl::StatusOr<std::unique_ptr<AdminServer>> AdminServer::Start(const std::string& listen) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::unique_ptr<AdminServer> out(new AdminServer());
  grpc::ServerBuilder builder;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &out->port_);
  out->server_ = builder.BuildAndStart();
  if (!out->server_ || out->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("admin: cannot listen on ", listen));
  }
  SetHealth(out->server_.get(), false);
  return out;
}

AdminServer::~AdminServer() {
  if (!server_) return;
  SetHealth(server_.get(), false);
  // Probes are unary and short; nothing to drain.
  server_->Shutdown(std::chrono::system_clock::now());
}

void AdminServer::SetServing(bool serving) { SetHealth(server_.get(), serving); }

}  // namespace kyso
