#include "service/cli/remote_verify.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "crypto/status_macros.h"
#include "kyso/v1/verifier.grpc.pb.h"
#include "service/report_proto.h"

namespace kyso::cli {

struct RemoteVerifier::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::SignatureVerifier::Stub> stub;
};

RemoteVerifier::RemoteVerifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RemoteVerifier::~RemoteVerifier() = default;

absl::StatusOr<std::unique_ptr<RemoteVerifier>> RemoteVerifier::Connect(const std::string& address,
                                                                        const Tls& tls) {
  auto impl = std::make_unique<Impl>();
  KYSO_ASSIGN_OR_RETURN(impl->channel, OpenVerifierChannel(address, tls));
  impl->stub = v1::SignatureVerifier::NewStub(impl->channel);
  return std::unique_ptr<RemoteVerifier>(new RemoteVerifier(std::move(impl)));
}

namespace {

void FillRequest(const std::vector<DetachedContent>& detached,
                 std::optional<absl::Time> validation_time,
                 std::optional<RevocationMode> revocation, v1::VerifyRequest* request) {
  for (const DetachedContent& d : detached) {
    v1::DetachedContent* p = request->add_detached();
    p->set_name(d.name);
    p->set_content(std::string(d.bytes));
  }
  if (validation_time) {
    request->mutable_validation_time()->set_seconds(absl::ToUnixSeconds(*validation_time));
  }
  if (revocation) {
    request->set_revocation(*revocation == RevocationMode::kRequire  ? v1::REQUIRE
                            : *revocation == RevocationMode::kPrefer ? v1::PREFER
                                                                     : v1::OFF);
  }
}

}  // namespace

absl::Status RemoteVerifier::VerifyStream(const NextDocument& next,
                                          const std::vector<DetachedContent>& detached,
                                          std::optional<absl::Time> validation_time,
                                          std::optional<RevocationMode> revocation,
                                          const OnResult& on_result) {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<v1::VerifyRequest, v1::VerifyResponse>> stream =
      impl_->stub->VerifyStream(&context);
  // Writes on their own thread: the server reads only while its window has room, and gRPC's flow
  // control then holds this writer back, so neither side buffers the whole set.
  std::thread writer([&] {
    for (size_t i = 0;; ++i) {
      std::string bytes;
      bool skip = false;
      if (!next(i, &bytes, &skip)) break;
      if (skip) continue;
      v1::VerifyRequest request;
      request.set_request_id(std::to_string(i));
      request.set_content(std::move(bytes));
      FillRequest(detached, validation_time, revocation, &request);
      if (!stream->Write(request)) break;
    }
    stream->WritesDone();
  });
  v1::VerifyResponse response;
  while (stream->Read(&response)) {
    on_result(std::stoul(response.request_id()), FromProto(response.result()));
  }
  writer.join();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("server: ", status.error_message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<DocumentReport> RemoteVerifier::Verify(const std::string& bytes,
                                                      const std::vector<DetachedContent>& detached,
                                                      std::optional<absl::Time> validation_time,
                                                      std::optional<RevocationMode> revocation) {
  v1::VerifyRequest request;
  request.set_content(bytes);
  FillRequest(detached, validation_time, revocation, &request);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  context.set_wait_for_ready(false);
  v1::VerifyResponse response;
  const grpc::Status status = impl_->stub->Verify(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("server: ", status.error_message()));
  }
  return FromProto(response.result());
}

}  // namespace kyso::cli
