#include "service/server/verifier_service.h"

#include <chrono>
#include <deque>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "service/report_proto.h"
#include "service/revocation/async_verify.h"

namespace kyso {
namespace {

// How long a refused client should wait before retrying, sent as trailing metadata.
constexpr char kRetryAfterMs[] = "100";

bool Expired(const grpc::CallbackServerContext* ctx) {
  return ctx->deadline() < std::chrono::system_clock::now();
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

// Who is calling: the verified client certificate's identity under mTLS, else the peer address.
std::string ClientOf(const grpc::CallbackServerContext* ctx) {
  std::shared_ptr<const grpc::AuthContext> auth = ctx->auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    for (const grpc::string_ref& id : auth->GetPeerIdentity()) {
      return absl::StrCat("x509:", absl::string_view(id.data(), id.size()), "@", ctx->peer());
    }
  }
  return ctx->peer();
}

void Audit(const VerifierServiceOptions& options, const char* method, const std::string& request_id,
           const std::string& client, const DocumentReport& report, absl::Time started) {
  if (!options.audit) return;
  AuditRecord record;
  record.method = method;
  record.request_id = request_id;
  record.client = client;
  record.document_sha256 = report.document_sha256;
  record.format = report.format;
  record.verdict = report.verdict;
  record.latency = absl::Now() - started;
  record.stage_times = report.stage_times;
  for (const SignatureReport& s : report.signatures) {
    if (s.signer) record.signer_sha256.push_back(s.signer->certificate_sha256);
  }
  options.audit(record);
}

}  // namespace

VerifierService::VerifierService(VerifierServiceOptions options, Verifier* verifier,
                                 std::function<VerificationContext()> context,
                                 OnlineRevocationSource* online, WorkerPool* cpu)
    : options_(options),
      verifier_(verifier),
      context_(std::move(context)),
      online_(online),
      cpu_(cpu) {}

VerificationContext VerifierService::ContextFor(const google::protobuf::Timestamp* validation_time,
                                                v1::RevocationMode revocation) const {
  VerificationContext ctx = context_();
  if (validation_time != nullptr) ctx.validation_time = FromProto(*validation_time);
  switch (revocation) {
    case v1::REQUIRE:
      ctx.policy.revocation = RevocationMode::kRequire;
      break;
    case v1::PREFER:
      ctx.policy.revocation = RevocationMode::kPrefer;
      break;
    case v1::OFF:
      ctx.policy.revocation = RevocationMode::kOff;
      break;
    default:
      break;  // the server's configured mode
  }
  return ctx;
}

void VerifierService::VerifyDocument(const v1::VerifyRequest& request, VerificationContext context,
                                     std::function<void(DocumentReport)> done) {
  std::vector<DetachedContent> detached;
  for (const v1::DetachedContent& d : request.detached()) {
    detached.push_back({d.name(), d.content()});
  }
  if (online_ == nullptr || context.policy.revocation == RevocationMode::kOff) {
    done(verifier_->VerifyDocument(request.content(), detached, context));
    return;
  }
  VerifyWithAsyncRevocation(
      verifier_, request.content(), detached, std::move(context), online_,
      [this](std::function<void()> task) { cpu_->Submit(std::move(task)); }, std::move(done));
}

grpc::ServerUnaryReactor* VerifierService::Verify(grpc::CallbackServerContext* ctx,
                                                  const v1::VerifyRequest* request,
                                                  v1::VerifyResponse* response) {
  const absl::Time started = absl::Now();
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (request->content().empty()) {
    FinishUnary(reactor, "Verify", started,
                grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "content is required"));
    return reactor;
  }
  if (request->content().size() > options_.max_document_bytes) {
    FinishUnary(reactor, "Verify", started,
                grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                             absl::StrCat("the document is larger than ",
                                          options_.max_document_bytes, " bytes")));
    return reactor;
  }
  VerificationContext context =
      ContextFor(request->has_validation_time() ? &request->validation_time() : nullptr,
                 request->revocation());
  AdmitUnary(
      ctx, reactor, "Verify", started,
      [this, ctx, request, response, reactor, started, context = std::move(context)]() mutable {
        VerifyDocument(*request, std::move(context),
                       [this, ctx, request, response, reactor, started](DocumentReport r) {
                         Audit(options_, "Verify", request->request_id(), ClientOf(ctx), r,
                               started);
                         response->set_request_id(request->request_id());
                         ToProto(r, response->mutable_result());
                         FinishUnary(reactor, "Verify", started, grpc::Status::OK,
                                     /*admitted=*/true);
                       });
      });
  return reactor;
}

void VerifierService::RecordCall(const char* method, grpc::StatusCode code,
                                 absl::Time started) const {
  if (options_.on_call) options_.on_call(CallRecord{method, code, absl::Now() - started});
}

void VerifierService::FinishUnary(grpc::ServerUnaryReactor* reactor, const char* method,
                                  absl::Time started, grpc::Status status, bool admitted) {
  if (admitted) in_flight_.fetch_sub(1);
  RecordCall(method, status.error_code(), started);
  reactor->Finish(std::move(status));
}

void VerifierService::AdmitUnary(grpc::CallbackServerContext* ctx,
                                 grpc::ServerUnaryReactor* reactor, const char* method,
                                 absl::Time started, std::function<void()> work) {
  in_flight_.fetch_add(1);
  const bool admitted =
      cpu_->TrySubmit([this, ctx, reactor, method, started, work = std::move(work)] {
        // Dropped before it runs: nobody is waiting for the answer any more.
        if (ctx->IsCancelled() || Expired(ctx)) {
          dropped_.fetch_add(1);
          FinishUnary(reactor, method, started,
                      grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                   "the deadline passed before the work started"),
                      /*admitted=*/true);
          return;
        }
        work();
      });
  if (!admitted) {
    in_flight_.fetch_sub(1);
    refused_.fetch_add(1);
    ctx->AddTrailingMetadata("retry-after-ms", kRetryAfterMs);
    FinishUnary(reactor, method, started,
                grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                             "the server is busy; retry after a short wait"));
  }
}

grpc::ServerUnaryReactor* VerifierService::ValidateCertificate(
    grpc::CallbackServerContext* ctx, const v1::ValidateCertificateRequest* request,
    v1::ValidateCertificateResponse* response) {
  const absl::Time started = absl::Now();
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (request->certificate().empty()) {
    FinishUnary(reactor, "ValidateCertificate", started,
                grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "certificate is required"));
    return reactor;
  }
  VerificationContext context =
      ContextFor(request->has_validation_time() ? &request->validation_time() : nullptr,
                 request->revocation());
  AdmitUnary(ctx, reactor, "ValidateCertificate", started,
             [this, request, response, reactor, started, context = std::move(context)]() mutable {
               // The certificate, then the helpers, as one input (validate-cert's file layout).
               std::string bytes = request->certificate();
               for (const std::string& extra : request->intermediates()) bytes += "\n" + extra;
               // Certificate validation asks revocation synchronously: it is rare and small next to
               // document traffic; a blocking fetch here occupies one worker for at most the OCSP
               // timeout.
               context.revocation = online_;
               const CertificateReport report = verifier_->ValidateCertificate(bytes, context);
               response->set_request_id(request->request_id());
               ToProto(report, response);
               FinishUnary(reactor, "ValidateCertificate", started, grpc::Status::OK,
                           /*admitted=*/true);
             });
  return reactor;
}

// One VerifyStream call. A document is held from the read of its request until its response is
// written (or it is dropped); reads continue while fewer than `window` are held. Each finished
// document queues its response; writes go one at a time; Finish once the client has stopped
// sending and nothing is held.
class VerifierService::StreamReactor final
    : public grpc::ServerBidiReactor<v1::VerifyRequest, v1::VerifyResponse> {
 public:
  StreamReactor(VerifierService* service, grpc::CallbackServerContext* ctx)
      : service_(service), ctx_(ctx), started_(absl::Now()) {
    reading_ = true;
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // the client half-closed, or the call is gone
      bool finish;
      {
        absl::MutexLock lock(&mu_);
        reading_ = false;
        reads_done_ = true;
        finish = ShouldFinishLocked();
      }
      if (finish) FinishNow();
      return;
    }
    auto request = std::make_shared<v1::VerifyRequest>(std::move(request_));
    bool read_more;
    {
      absl::MutexLock lock(&mu_);
      ++held_;
      ++processing_;
      read_more = held_ < service_->options_.stream_window;
      reading_ = read_more;
      NoteHeldLocked();
    }
    service_->in_flight_.fetch_add(1);
    // Admitted work of an open stream always queues; the window bounds what one stream holds.
    service_->cpu_->Submit([this, request] { Process(request); });
    if (read_more) StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    const v1::VerifyResponse* next = nullptr;
    grpc::WriteOptions next_options;
    bool start_read = false;
    bool finish = false;
    size_t released = 1;
    {
      absl::MutexLock lock(&mu_);
      writes_.pop_front();
      if (!ok && !write_failed_) {
        // The call is broken: what waits to be written never will be.
        write_failed_ = true;
        released += writes_.size();
        writes_.clear();
      }
      held_ -= released;
      if (!writes_.empty()) {
        next = &writes_.front();
        next_options = WriteOptionsLocked();
      } else {
        writing_ = false;
      }
      start_read = ShouldResumeReadingLocked();
      finish = ShouldFinishLocked();
    }
    service_->in_flight_.fetch_sub(static_cast<int64_t>(released));
    if (next != nullptr) StartWrite(next, next_options);
    if (start_read) StartRead(&request_);
    if (finish) FinishNow();
  }

  void OnDone() override { delete this; }

 private:
  void Process(const std::shared_ptr<v1::VerifyRequest>& request) {
    v1::VerifyResponse response;
    response.set_request_id(request->request_id());
    if (ctx_->IsCancelled() || Expired(ctx_)) {
      service_->dropped_.fetch_add(1);
      Complete(std::nullopt);
      return;
    }
    if (request->content().size() > service_->options_.max_document_bytes) {
      // One oversized document is that document's result, not the end of the stream.
      DocumentReport report;
      report.verdict = Verdict::Fail(SubIndication::kFormatFailure);
      report.messages.push_back(MakeMessage(MessageCode::kXmlTooLarge, "document over the limit"));
      ToProto(report, response.mutable_result());
      Complete(std::move(response));
      return;
    }
    VerificationContext context =
        service_->ContextFor(request->has_validation_time() ? &request->validation_time() : nullptr,
                             request->revocation());
    const absl::Time started = absl::Now();
    service_->VerifyDocument(*request, std::move(context),
                             [this, request, response, started](DocumentReport report) mutable {
                               Audit(service_->options_, "VerifyStream", request->request_id(),
                                     ClientOf(ctx_), report, started);
                               ToProto(report, response.mutable_result());
                               Complete(std::move(response));
                             });
  }

  // A document is verified: queue its response (none when it was dropped, which releases it).
  void Complete(std::optional<v1::VerifyResponse> response) {
    const v1::VerifyResponse* write = nullptr;
    grpc::WriteOptions write_options;
    bool start_read = false;
    bool finish = false;
    bool released = false;
    {
      absl::MutexLock lock(&mu_);
      --processing_;
      if (response && !write_failed_) {
        writes_.push_back(*std::move(response));
        if (!writing_) {
          writing_ = true;
          write = &writes_.front();  // a deque keeps it in place while others are appended
          write_options = WriteOptionsLocked();
        }
      } else {
        --held_;
        released = true;
      }
      start_read = ShouldResumeReadingLocked();
      finish = ShouldFinishLocked();
    }
    if (released) service_->in_flight_.fetch_sub(1);
    if (write != nullptr) StartWrite(write, write_options);
    if (start_read) StartRead(&request_);
    if (finish) FinishNow();
  }

  // For the write of writes_.front(): when more responses wait behind it, gRPC may hold it back
  // and send it with the next ones (fewer TCP sends under load); the last of a burst goes out at
  // once.
  grpc::WriteOptions WriteOptionsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    grpc::WriteOptions options;
    if (writes_.size() > 1) options.set_buffer_hint();
    return options;
  }

  bool ShouldResumeReadingLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (reading_ || reads_done_ || write_failed_ || held_ >= service_->options_.stream_window)
      return false;
    reading_ = true;
    return true;
  }

  void NoteHeldLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t seen = service_->max_stream_held_.load();
    while (held_ > seen && !service_->max_stream_held_.compare_exchange_weak(seen, held_)) {
    }
  }

  // True once, when the client is done sending (or a write failed, so the call is broken, and no
  // read is pending) and nothing is held. The caller then calls FinishNow() after releasing the
  // lock, as its last act: the library may destroy this reactor (OnDone) as soon as Finish is
  // called.
  bool ShouldFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const bool no_more_requests = reads_done_ || (write_failed_ && !reading_);
    if (finished_ || !no_more_requests || processing_ > 0 || writing_) return false;
    finished_ = true;
    return true;
  }

  void FinishNow() {
    const grpc::Status status = ctx_->IsCancelled() ? grpc::Status::CANCELLED : grpc::Status::OK;
    service_->RecordCall("VerifyStream", status.error_code(), started_);
    Finish(status);
  }

  VerifierService* const service_;
  grpc::CallbackServerContext* const ctx_;
  const absl::Time started_;
  v1::VerifyRequest request_;  // the read in progress; moved out when it completes
  absl::Mutex mu_;
  size_t held_ ABSL_GUARDED_BY(mu_) = 0;        // read, response not yet written
  size_t processing_ ABSL_GUARDED_BY(mu_) = 0;  // read, not yet verified
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool write_failed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // Responses waiting to be written; the front is being written (a deque keeps it in place).
  std::deque<v1::VerifyResponse> writes_ ABSL_GUARDED_BY(mu_);
};

grpc::ServerBidiReactor<v1::VerifyRequest, v1::VerifyResponse>* VerifierService::VerifyStream(
    grpc::CallbackServerContext* ctx) {
  return new StreamReactor(this, ctx);
}

}  // namespace kyso
