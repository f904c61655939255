#include "service/batch/remote_backend.h"

#include <grpcpp/grpcpp.h>

#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "crypto/status_macros.h"
#include "kyso/v1/verifier.grpc.pb.h"
#include "service/report_proto.h"

namespace kyso::batch {
namespace {

class RemoteBackend final : public VerifyBackend {
 public:
  explicit RemoteBackend(std::shared_ptr<grpc::Channel> channel)
      : stub_(v1::SignatureVerifier::NewStub(channel)) {}

  ~RemoteBackend() override { Finish().IgnoreError(); }

  absl::Status Start(Done done) override {
    done_ = std::move(done);
    stream_ = stub_->VerifyStream(&context_);
    writer_ = std::thread([this] { WriterLoop(); });
    reader_ = std::thread([this] { ReaderLoop(); });
    return absl::OkStatus();
  }

  void Submit(VerifyJob job) override {
    absl::Status dead;
    {
      absl::MutexLock lock(&mu_);
      if (!failure_.ok()) {
        dead = failure_;
      } else {
        pending_.insert(job.id);
        queue_.push_back(std::move(job));
      }
    }
    if (!dead.ok()) done_(job.id, dead);
  }

  absl::Status Finish() override {
    if (finished_) return final_;
    finished_ = true;
    {
      absl::MutexLock lock(&mu_);
      closing_ = true;
    }
    if (writer_.joinable()) writer_.join();
    if (reader_.joinable()) reader_.join();
    absl::MutexLock lock(&mu_);
    final_ = failure_;
    return final_;
  }

 private:
  void WriterLoop() {
    for (;;) {
      VerifyJob job;
      {
        absl::MutexLock lock(&mu_);
        const auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
          return !queue_.empty() || closing_ || !failure_.ok();
        };
        mu_.Await(absl::Condition(&ready));
        if (!failure_.ok()) break;
        if (queue_.empty()) break;  // closing, and everything written
        job = std::move(queue_.front());
        queue_.pop_front();
      }
      v1::VerifyRequest request;
      request.set_request_id(absl::StrCat(job.id));
      request.set_content(std::move(job.bytes));
      if (job.content) {
        v1::DetachedContent* d = request.add_detached();
        d->set_name(job.content_name);
        d->set_content(std::move(*job.content));
      }
      request.mutable_validation_time()->set_seconds(absl::ToUnixSeconds(job.validation_time));
      if (!stream_->Write(request)) break;  // the stream is over; the reader says why
    }
    stream_->WritesDone();
  }

  void ReaderLoop() {
    v1::VerifyResponse response;
    while (stream_->Read(&response)) {
      uint64_t id = 0;
      bool known = false;
      {
        absl::MutexLock lock(&mu_);
        known = absl::SimpleAtoi(response.request_id(), &id) && pending_.erase(id) == 1;
      }
      if (known) done_(id, FromProto(response.result()));
    }
    const grpc::Status status = stream_->Finish();
    std::vector<uint64_t> unanswered;
    absl::Status failure;
    {
      absl::MutexLock lock(&mu_);
      if (!status.ok()) {
        failure_ = absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                                absl::StrCat("server: ", status.error_message()));
      } else if (!pending_.empty() || !closing_) {
        failure_ = absl::UnavailableError("server: the stream ended before every answer");
      }
      if (failure_.ok()) return;
      failure = failure_;
      unanswered.assign(pending_.begin(), pending_.end());
      pending_.clear();
      queue_.clear();
    }
    for (uint64_t id : unanswered) done_(id, failure);
  }

  std::unique_ptr<v1::SignatureVerifier::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::VerifyRequest, v1::VerifyResponse>> stream_;
  Done done_;
  std::thread writer_, reader_;

  absl::Mutex mu_;
  std::deque<VerifyJob> queue_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<uint64_t> pending_ ABSL_GUARDED_BY(mu_);
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);

  bool finished_ = false;
  absl::Status final_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<VerifyBackend>> ConnectRemoteBackend(const std::string& address,
                                                                    const RemoteTls& tls) {
  KYSO_ASSIGN_OR_RETURN(std::shared_ptr<grpc::Channel> channel, OpenVerifierChannel(address, tls));
  return std::unique_ptr<VerifyBackend>(new RemoteBackend(std::move(channel)));
}

}  // namespace kyso::batch
