// kyso_loadgen: a ghz-like load generator for the kyso.v1 SignatureVerifier service.
//
//   kyso_loadgen --target 127.0.0.1:50051 --mode stream --concurrency 2 --count 1000000
//       --docs build/bench-data/cms --server-pid $(pidof kyso) --json
//   kyso_loadgen --target ... --mode unary --concurrency 16 --duration 10 --rate 8000 --docs DIR
//
// Modes:
//   unary   `concurrency` client threads call Verify. Closed loop (each thread sends its next call
//           when the last returns), or with --rate an open loop: call i is due at start + i/rate,
//           and its latency is measured from when it was due, so time spent waiting for a free
//           client thread counts (no coordinated omission).
//   stream  `concurrency` VerifyStream calls, each with a writer and a reader thread; latency is
//           from a document's write to its response. The server's window and HTTP/2 flow control
//           provide the back-pressure. --batch N lets gRPC send N documents per flush.
// The documents (every regular file of the --docs folders) are read once and sent round-robin.
// --at sets every request's validation_time (RFC 3339); without it the server validates at its now.
// --count ends after that many documents (split over the workers), --duration after that many
// seconds. --server-pid samples the server's VmRSS every 0.5 s and reads its peak (VmHWM) from
// /proc/PID/status at the end.
//
// Output: a human summary, or with --json one JSON object: throughput, latency percentiles (ms),
// gRPC errors by code, TOTAL_PASSED / other counts, server RSS. Exit status 0 when every request
// was answered OK, 1 when some failed, 2 on usage errors.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/bench_inputs.h"
#include "kyso/v1/verifier.grpc.pb.h"
#include "nlohmann/json.hpp"

namespace kyso::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string target;
  std::string mode = "unary";
  int concurrency = 1;
  double duration_s = 0;
  int64_t count = 0;
  double rate = 0;
  std::vector<std::string> docs_dirs;
  int server_pid = 0;
  bool json = false;
  int deadline_ms = 30000;
  std::optional<absl::Time> at;  // the requests' validation_time; unset: the server's now
  int batch = 1;                 // stream: flush every `batch` writes
};

// What one worker saw; merged at the end.
struct Tally {
  std::vector<float> latencies_us;
  std::map<std::string, int64_t> errors;  // gRPC code name -> count
  int64_t ok = 0;
  int64_t passed = 0;
};

const char* CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN_CODE";
  }
}

int Usage(const std::string& why) {
  std::cerr
      << "kyso_loadgen: " << why << "\n"
      << "usage: kyso_loadgen --target HOST:PORT [--mode unary|stream] [--concurrency N]\n"
         "         (--duration SECONDS | --count N) [--rate PER_SECOND] --docs DIR...\n"
         "         [--batch N] [--at RFC3339] [--server-pid PID] [--deadline-ms MS] [--json]\n";
  return 2;
}

// One connection per worker (a local subchannel pool), as independent clients would have.
std::unique_ptr<v1::SignatureVerifier::Stub> NewStub(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  return v1::SignatureVerifier::NewStub(
      grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
}

// VmRSS / VmHWM of a process, in KiB; -1 when unreadable.
int64_t ProcStatusKb(int pid, const std::string& field) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      int64_t kb = -1;
      std::string digits;
      for (char c : line) {
        if (c >= '0' && c <= '9') digits.push_back(c);
      }
      if (absl::SimpleAtoi(digits, &kb)) return kb;
    }
  }
  return -1;
}

class Run {
 public:
  Run(Options o, std::vector<std::string> docs) : o_(std::move(o)), docs_(std::move(docs)) {}

  nlohmann::json Execute() {
    std::atomic<bool> sampling{true};
    std::vector<int64_t> rss_samples;
    std::thread sampler;
    if (o_.server_pid > 0) {
      sampler = std::thread([&] {
        while (sampling.load()) {
          rss_samples.push_back(ProcStatusKb(o_.server_pid, "VmRSS"));
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
        }
      });
    }
    std::vector<Tally> tallies(o_.concurrency);
    std::vector<std::thread> workers;
    start_ = Clock::now();
    if (o_.duration_s > 0) {
      end_ = start_ + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(o_.duration_s));
    } else {
      end_ = Clock::time_point::max();
    }
    for (int w = 0; w < o_.concurrency; ++w) {
      workers.emplace_back([this, w, &tallies] {
        if (o_.mode == "stream") {
          StreamWorker(w, &tallies[w]);
        } else {
          UnaryWorker(&tallies[w]);
        }
      });
    }
    for (std::thread& t : workers) t.join();
    const double seconds = std::chrono::duration<double>(Clock::now() - start_).count();
    sampling = false;
    if (sampler.joinable()) sampler.join();

    Tally all;
    for (Tally& t : tallies) {
      all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
      for (const auto& [code, n] : t.errors) all.errors[code] += n;
      all.ok += t.ok;
      all.passed += t.passed;
    }
    std::sort(all.latencies_us.begin(), all.latencies_us.end());
    auto pct = [&](double p) -> double {
      if (all.latencies_us.empty()) return 0;
      size_t i = static_cast<size_t>(p * static_cast<double>(all.latencies_us.size() - 1) + 0.5);
      return all.latencies_us[std::min(i, all.latencies_us.size() - 1)] / 1000.0;
    };
    double sum = 0;
    for (float l : all.latencies_us) sum += l;
    int64_t errors = 0;
    for (const auto& [code, n] : all.errors) errors += n;
    nlohmann::json out = {
        {"mode", o_.mode},
        {"batch", o_.batch},
        {"concurrency", o_.concurrency},
        {"rate", o_.rate},
        {"documents_in_set", docs_.size()},
        {"seconds", seconds},
        {"answered", all.ok},
        {"errors", errors},
        {"errors_by_code", all.errors},
        {"passed", all.passed},
        {"not_passed", all.ok - all.passed},
        {"throughput_per_s", static_cast<double>(all.ok) / seconds},
        {"latency_ms",
         {{"mean", all.latencies_us.empty() ? 0.0 : sum / all.latencies_us.size() / 1000.0},
          {"p50", pct(0.50)},
          {"p90", pct(0.90)},
          {"p99", pct(0.99)},
          {"p999", pct(0.999)},
          {"max", all.latencies_us.empty() ? 0.0 : all.latencies_us.back() / 1000.0}}},
    };
    if (o_.server_pid > 0) {
      int64_t max_rss = 0;
      for (int64_t s : rss_samples) max_rss = std::max(max_rss, s);
      // At most ~60 evenly spaced samples in the output: enough to see whether RSS is flat.
      std::vector<int64_t> shown;
      const size_t step = std::max<size_t>(1, rss_samples.size() / 60);
      for (size_t i = 0; i < rss_samples.size(); i += step) shown.push_back(rss_samples[i]);
      out["server_rss_kb"] = {{"first", rss_samples.empty() ? -1 : rss_samples.front()},
                              {"last", rss_samples.empty() ? -1 : rss_samples.back()},
                              {"max_sampled", max_rss},
                              {"peak_vmhwm", ProcStatusKb(o_.server_pid, "VmHWM")},
                              {"samples_every_0_5s", shown}};
    }
    return out;
  }

 private:
  // Claims the next request number, or -1 when the run is over.
  int64_t Claim() {
    const int64_t i = next_.fetch_add(1, std::memory_order_relaxed);
    if (o_.count > 0 && i >= o_.count) return -1;
    if (Clock::now() >= end_) return -1;
    return i;
  }

  void Fill(int64_t i, v1::VerifyRequest* req) const {
    req->set_request_id(std::to_string(i));
    req->set_content(docs_[static_cast<size_t>(i) % docs_.size()]);
    if (o_.at) {
      const int64_t nanos = absl::ToUnixNanos(*o_.at);
      req->mutable_validation_time()->set_seconds(nanos / 1000000000);
      req->mutable_validation_time()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
    }
  }

  void Record(const v1::VerifyResponse& resp, Tally* tally) const {
    ++tally->ok;
    if (resp.result().indication() == v1::TOTAL_PASSED) ++tally->passed;
  }

  void UnaryWorker(Tally* tally) {
    auto stub = NewStub(o_.target);
    v1::VerifyRequest req;
    v1::VerifyResponse resp;
    for (int64_t i = Claim(); i >= 0; i = Claim()) {
      Clock::time_point due = Clock::now();
      if (o_.rate > 0) {
        due = start_ + std::chrono::duration_cast<Clock::duration>(
                           std::chrono::duration<double>(static_cast<double>(i) / o_.rate));
        if (due >= end_) break;
        std::this_thread::sleep_until(due);
      }
      Fill(i, &req);
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(o_.deadline_ms));
      resp.Clear();
      const grpc::Status status = stub->Verify(&ctx, req, &resp);
      const auto latency = Clock::now() - due;
      if (status.ok()) {
        Record(resp, tally);
        tally->latencies_us.push_back(std::chrono::duration<float, std::micro>(latency).count());
      } else {
        ++tally->errors[CodeName(status.error_code())];
      }
    }
  }

  void StreamWorker(int w, Tally* tally) {
    auto stub = NewStub(o_.target);
    grpc::ClientContext ctx;
    auto stream = stub->VerifyStream(&ctx);
    // Send times by request number modulo the ring; far more than can be in flight on a stream
    // (the server's window plus HTTP/2 flow control).
    constexpr size_t kRing = size_t{1} << 16;
    std::vector<std::atomic<int64_t>> sent(kRing);
    std::atomic<int64_t> written{0};
    std::thread writer([&] {
      v1::VerifyRequest req;
      for (int64_t i = Claim(); i >= 0; i = Claim()) {
        Fill(i, &req);
        sent[static_cast<size_t>(i) % kRing].store(Clock::now().time_since_epoch().count(),
                                                   std::memory_order_relaxed);
        // With --batch N, N-1 of every N writes carry the buffer hint, so HTTP/2 frames of several
        // documents leave in one send (the last write, WritesDone, flushes what is left).
        grpc::WriteOptions options;
        if (o_.batch > 1 && (i + 1) % o_.batch != 0) options.set_buffer_hint();
        if (!stream->Write(req, options)) break;
        written.fetch_add(1, std::memory_order_release);
      }
      stream->WritesDone();
    });
    v1::VerifyResponse resp;
    int64_t read = 0;
    while (stream->Read(&resp)) {
      ++read;
      int64_t id = 0;
      if (absl::SimpleAtoi(resp.request_id(), &id)) {
        const int64_t at = sent[static_cast<size_t>(id) % kRing].load(std::memory_order_relaxed);
        const auto latency = Clock::now().time_since_epoch().count() - at;
        tally->latencies_us.push_back(static_cast<float>(
            std::chrono::duration<double, std::micro>(Clock::duration(latency)).count()));
      }
      Record(resp, tally);
    }
    writer.join();
    const grpc::Status status = stream->Finish();
    if (!status.ok()) ++tally->errors[CodeName(status.error_code())];
    const int64_t unanswered = written.load() - read;
    if (unanswered > 0) tally->errors["UNANSWERED"] += unanswered;
    (void)w;
  }

  const Options o_;
  const std::vector<std::string> docs_;
  std::atomic<int64_t> next_{0};
  Clock::time_point start_;
  Clock::time_point end_;
};

int Main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--target") {
      o.target = value();
    } else if (arg == "--mode") {
      o.mode = value();
    } else if (arg == "--concurrency") {
      o.concurrency = std::atoi(value().c_str());
    } else if (arg == "--duration") {
      o.duration_s = std::atof(value().c_str());
    } else if (arg == "--count") {
      o.count = std::atoll(value().c_str());
    } else if (arg == "--rate") {
      o.rate = std::atof(value().c_str());
    } else if (arg == "--docs") {
      o.docs_dirs.push_back(value());
    } else if (arg == "--server-pid") {
      o.server_pid = std::atoi(value().c_str());
    } else if (arg == "--deadline-ms") {
      o.deadline_ms = std::atoi(value().c_str());
    } else if (arg == "--at") {
      absl::StatusOr<absl::Time> t = bench::ParseAt(value());
      if (!t.ok()) return Usage(std::string(t.status().message()));
      o.at = *t;
    } else if (arg == "--batch") {
      o.batch = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--json") {
      o.json = true;
    } else {
      return Usage("unknown argument " + arg);
    }
  }
  if (o.target.empty()) return Usage("--target is required");
  if (o.mode != "unary" && o.mode != "stream") return Usage("--mode is unary or stream");
  if (o.concurrency < 1) return Usage("--concurrency must be at least 1");
  if ((o.duration_s > 0) == (o.count > 0)) return Usage("give one of --duration and --count");
  if (o.rate > 0 && o.mode != "unary") return Usage("--rate applies to unary mode");
  if (o.docs_dirs.empty()) return Usage("--docs is required");
  absl::StatusOr<std::vector<std::string>> read = bench::ReadDocuments(o.docs_dirs);
  if (!read.ok()) return Usage(std::string(read.status().message()));
  std::vector<std::string> docs = *std::move(read);
  if (docs.empty()) return Usage("no documents in --docs");

  Run run(o, std::move(docs));
  const nlohmann::json out = run.Execute();
  if (o.json) {
    std::cout << out.dump() << std::endl;
  } else {
    const auto& l = out["latency_ms"];
    std::printf(
        "%s x%d: %lld answered in %.2f s = %.0f/s (%lld TOTAL_PASSED), %lld errors\n"
        "latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n",
        o.mode.c_str(), o.concurrency, static_cast<long long>(out["answered"].get<int64_t>()),
        out["seconds"].get<double>(), out["throughput_per_s"].get<double>(),
        static_cast<long long>(out["passed"].get<int64_t>()),
        static_cast<long long>(out["errors"].get<int64_t>()), l["p50"].get<double>(),
        l["p90"].get<double>(), l["p99"].get<double>(), l["p999"].get<double>(),
        l["max"].get<double>());
    for (const auto& [code, n] : out["errors_by_code"].items()) {
      std::printf("  %s: %lld\n", code.c_str(), static_cast<long long>(n.get<int64_t>()));
    }
    if (out.contains("server_rss_kb")) {
      std::printf("server RSS KiB: first %lld, last %lld, peak %lld\n",
                  static_cast<long long>(out["server_rss_kb"]["first"].get<int64_t>()),
                  static_cast<long long>(out["server_rss_kb"]["last"].get<int64_t>()),
                  static_cast<long long>(out["server_rss_kb"]["peak_vmhwm"].get<int64_t>()));
    }
  }
  return out["errors"].get<int64_t>() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace kyso::loadgen

int main(int argc, char** argv) { return kyso::loadgen::Main(argc, argv); }
