// The kyso.v1.SignatureVerifier service on gRPC's callback API.
//
// Reactions only admit and hand off: they check the request, then TrySubmit() the verification to
// the CPU WorkerPool (a full queue is RESOURCE_EXHAUSTED with a retry hint) and return. Workers
// verify with VerifyWithAsyncRevocation, so revocation fetches wait on the revocation source's I/O
// threads, never on a worker; whoever completes the work calls Finish / StartWrite. Work whose
// deadline passed, or whose call was cancelled, is dropped before it runs.
//
// VerifyStream holds at most `stream_window` documents of one stream, counted from the read of a
// request until its response is written (not merely computed), and does not read the next request
// until one is released. So a client can stream an archive of any size, and a client that sends
// fast but reads slowly stalls its own sending (HTTP/2 flow control) instead of filling the
// server's memory with unwritten responses.
//
// Thread-safety: thread-safe; one instance serves every call.
#ifndef KYSO_SERVICE_SERVER_VERIFIER_SERVICE_H_
#define KYSO_SERVICE_SERVER_VERIFIER_SERVICE_H_

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "crypto/verifier.h"
#include "kyso/v1/verifier.grpc.pb.h"
#include "service/revocation/online_source.h"
#include "service/worker_pool.h"

namespace kyso {

// One line of the audit log per document: who asked, what was verified, what came out, how
// long it took. Never the document's content.
struct AuditRecord {
  std::string method;  // "Verify" | "VerifyStream" | "ValidateCertificate"
  std::string request_id;
  std::string client;  // the peer address (the mTLS identity once TLS is configured)
  std::string document_sha256;
  std::string format;                      // "cms" | "xml" | "unknown"
  std::vector<std::string> signer_sha256;  // certificate fingerprints of the signers
  Verdict verdict;
  absl::Duration latency;
  StageTimes stage_times;  // where the verification's time went
};

// One finished RPC, for the calls-by-method-and-status metrics.
struct CallRecord {
  const char* method;  // "Verify" | "VerifyStream" | "ValidateCertificate"
  grpc::StatusCode code;
  absl::Duration latency;
};

struct VerifierServiceOptions {
  size_t max_document_bytes = 64 << 20;
  size_t stream_window = 64;
  std::function<void(const AuditRecord&)> audit;   // optional; must be thread-safe
  std::function<void(const CallRecord&)> on_call;  // optional; must be thread-safe
};

class VerifierService final : public v1::SignatureVerifier::CallbackService {
 public:
  // `context` gives the verification context of a new call (trust snapshot, policy, clock); it is
  // called once per document, so a reload takes effect for the next document while documents in
  // flight finish on the snapshot they started with. `online` may be null (revocation off).
  VerifierService(VerifierServiceOptions options, Verifier* verifier,
                  std::function<VerificationContext()> context, OnlineRevocationSource* online,
                  WorkerPool* cpu);

  grpc::ServerUnaryReactor* Verify(grpc::CallbackServerContext* ctx,
                                   const v1::VerifyRequest* request,
                                   v1::VerifyResponse* response) override;
  grpc::ServerBidiReactor<v1::VerifyRequest, v1::VerifyResponse>* VerifyStream(
      grpc::CallbackServerContext* ctx) override;
  grpc::ServerUnaryReactor* ValidateCertificate(grpc::CallbackServerContext* ctx,
                                                const v1::ValidateCertificateRequest* request,
                                                v1::ValidateCertificateResponse* response) override;

  // Calls refused because the CPU queue was full, and work dropped because its deadline had passed
  // or its call was cancelled before it ran.
  uint64_t refused() const { return refused_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  // Documents admitted and not yet answered, over all calls.
  int64_t documents_in_flight() const { return in_flight_.load(); }
  // The most documents any one stream has held at once (read, not yet written), since start.
  size_t max_stream_held() const { return max_stream_held_.load(); }

 private:
  class StreamReactor;

  // The context for one request: the current snapshot with the request's own validation time and
  // revocation mode applied.
  VerificationContext ContextFor(const google::protobuf::Timestamp* validation_time,
                                 v1::RevocationMode revocation) const;
  // Queues `work` for a CPU worker, or answers RESOURCE_EXHAUSTED (with a retry hint) when the
  // queue is full; on the worker, a call cancelled or past its deadline is finished
  // DEADLINE_EXCEEDED instead of running `work`.
  void AdmitUnary(grpc::CallbackServerContext* ctx, grpc::ServerUnaryReactor* reactor,
                  const char* method, absl::Time started, std::function<void()> work);
  // Finish() for a unary call, recorded for the metrics. `admitted` releases its in-flight count.
  void FinishUnary(grpc::ServerUnaryReactor* reactor, const char* method, absl::Time started,
                   grpc::Status status, bool admitted = false);
  void RecordCall(const char* method, grpc::StatusCode code, absl::Time started) const;
  // Verifies on the calling worker; `done` runs when the report is complete (maybe on another
  // thread, after revocation evidence arrived).
  void VerifyDocument(const v1::VerifyRequest& request, VerificationContext context,
                      std::function<void(DocumentReport)> done);

  const VerifierServiceOptions options_;
  Verifier* const verifier_;
  const std::function<VerificationContext()> context_;
  OnlineRevocationSource* const online_;
  WorkerPool* const cpu_;
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<size_t> max_stream_held_{0};
};

}  // namespace kyso

#endif  // KYSO_SERVICE_SERVER_VERIFIER_SERVICE_H_
