#include "service/client_channel.h"

#include <utility>

#include "service/file_io.h"

namespace kyso {

absl::StatusOr<ClientTls> ReadClientTls(const std::string& ca_path, const std::string& cert_path,
                                        const std::string& key_path) {
  ClientTls tls;
  for (const auto& [path, pem] :
       {std::pair{&ca_path, &tls.ca_pem}, std::pair{&cert_path, &tls.cert_pem},
        std::pair{&key_path, &tls.key_pem}}) {
    if (path->empty()) continue;
    absl::StatusOr<std::string> data = ReadFile(*path, 1 << 20);
    if (!data.ok()) return data.status();
    *pem = *std::move(data);
  }
  return tls;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenVerifierChannel(const std::string& address,
                                                                   const ClientTls& tls) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!tls.ca_pem.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = tls.ca_pem;
    ssl.pem_cert_chain = tls.cert_pem;
    ssl.pem_private_key = tls.key_pem;
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  // A report is far smaller than its document, but an XML document with thousands of references
  // reports each one; gRPC's 4 MB default would turn such a report into an RPC error.
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(-1);  // the server enforces its own document limit
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(address, credentials, args);
  if (!channel) return absl::InvalidArgumentError("cannot use address " + address);
  return channel;
}

}  // namespace kyso
