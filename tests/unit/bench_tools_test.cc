// The benchmark programs bench/compare.sh relies on, run for real and briefly: kyso_loadgen
// against a `kyso serve` on a kernel-chosen loopback port (stream and rate-limited unary), the
// naive CMS_verify peer and kyso_inproc, each on the generated fixtures. Their JSON output is
// parsed and checked against what the documents are, so a load generator that stopped counting,
// verifying or reporting errors fails here rather than in a benchmark nobody reads. No timing is
// asserted.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace kyso {
namespace {

using ::kyso::testing::BinaryDir;
using ::kyso::testing::CommandResult;
using ::kyso::testing::DocsDir;
using ::kyso::testing::PkiDir;
using ::kyso::testing::RunCommand;
using ::kyso::testing::SpawnProcess;

constexpr char kAt[] = "2026-01-01T00:00:00Z";  // the fixtures' pinned validation time

std::string Bench(const std::string& program) { return BinaryDir() + "/bench/" + program; }

// A per-process folder holding copies of the named fixtures.
std::string DocsFolder(const std::string& name, const std::vector<std::string>& files) {
  const std::string dir = (std::filesystem::temp_directory_path() /
                           absl::StrCat("kyso-bench-tools-", getpid(), "-", name))
                              .string();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const std::string& f : files) {
    std::filesystem::copy_file(DocsDir() + "/" + f, dir + "/" + f);
  }
  return dir;
}

nlohmann::json LastJsonLine(const CommandResult& r) {
  const std::string& out = r.stdout_text;
  const size_t end = out.find_last_not_of('\n');
  if (end == std::string::npos) return nlohmann::json();
  const size_t begin = out.rfind('\n', end);
  return nlohmann::json::parse(out.substr(begin == std::string::npos ? 0 : begin + 1), nullptr,
                               /*allow_exceptions=*/false);
}

// `kyso serve` on 127.0.0.1:0 with the test PKI (revocation off); stopped by the destructor.
class Server {
 public:
  Server() {
    log_path_ = (std::filesystem::temp_directory_path() /
                 absl::StrCat("kyso-bench-tools-", getpid(), "-serve.log"))
                    .string();
    const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    auto pid =
        SpawnProcess({BinaryDir() + "/service/kyso", "serve", "--config", PkiDir() + "/trust.yaml",
                      "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"},
                     fd);
    close(fd);
    if (!pid.ok()) return;
    pid_ = *pid;
    // The address from the log: the JSON "listening" event, or the older plain line.
    const std::regex json_form("\"event\":\"listening\".*\"address\":\"([^\"]+)\"");
    const std::regex plain_form("kyso serve: listening on (\\S+)");
    for (int i = 0; i < 200 && address_.empty(); ++i) {
      std::ifstream in(log_path_);
      std::string line;
      std::smatch m;
      while (std::getline(in, line)) {
        if (std::regex_search(line, m, json_form) || std::regex_search(line, m, plain_form)) {
          address_ = m[1];
          break;
        }
      }
      if (address_.empty()) absl::SleepFor(absl::Milliseconds(50));
    }
  }
  ~Server() { Stop(); }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  const std::string& address() const { return address_; }
  pid_t pid() const { return pid_; }
  std::string Log() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

 private:
  std::string log_path_;
  std::string address_;
  pid_t pid_ = -1;
};

TEST(BenchTools, LoadGeneratorStreamsEveryDocumentAndCountsTheResults) {
  Server server;
  ASSERT_FALSE(server.address().empty()) << server.Log();
  // Two valid documents and one with tampered content: a third of the answers do not pass.
  const std::string docs =
      DocsFolder("stream", {"valid-rsa2048.p7s", "valid-p256.p7s", "tampered-content.p7s"});
  auto r = RunCommand({Bench("kyso_loadgen"), "--target", server.address(), "--mode", "stream",
                       "--concurrency", "2", "--count", "300", "--docs", docs, "--at", kAt,
                       "--server-pid", std::to_string(server.pid()), "--json"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->stderr_text << server.Log();
  const nlohmann::json out = LastJsonLine(*r);
  ASSERT_TRUE(out.is_object()) << r->stdout_text;
  EXPECT_EQ(out["mode"], "stream");
  EXPECT_EQ(out["answered"], 300);
  EXPECT_EQ(out["errors"], 0);
  EXPECT_EQ(out["passed"], 200);
  EXPECT_EQ(out["not_passed"], 100);
  EXPECT_GT(out["throughput_per_s"].get<double>(), 0);
  EXPECT_GT(out["latency_ms"]["p50"].get<double>(), 0);
  EXPECT_GE(out["latency_ms"]["p99"].get<double>(), out["latency_ms"]["p50"].get<double>());
  EXPECT_GE(out["latency_ms"]["max"].get<double>(), out["latency_ms"]["p999"].get<double>());
  EXPECT_GT(out["server_rss_kb"]["peak_vmhwm"].get<int64_t>(), 0);
  std::filesystem::remove_all(docs);
}

TEST(BenchTools, LoadGeneratorUnaryAtAFixedRate) {
  Server server;
  ASSERT_FALSE(server.address().empty()) << server.Log();
  const std::string docs = DocsFolder("unary", {"valid-rsa2048.p7s", "valid-rsa3072.p7s"});
  auto r = RunCommand({Bench("kyso_loadgen"), "--target", server.address(), "--mode", "unary",
                       "--concurrency", "4", "--count", "200", "--rate", "2000", "--docs", docs,
                       "--at", kAt, "--json"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->stderr_text;
  const nlohmann::json out = LastJsonLine(*r);
  ASSERT_TRUE(out.is_object()) << r->stdout_text;
  EXPECT_EQ(out["answered"], 200);
  EXPECT_EQ(out["passed"], 200);
  EXPECT_EQ(out["rate"], 2000.0);
  std::filesystem::remove_all(docs);
}

TEST(BenchTools, LoadGeneratorReportsErrorsByCodeWhenTheServerIsGone) {
  Server server;
  ASSERT_FALSE(server.address().empty()) << server.Log();
  const std::string address = server.address();
  server.Stop();
  const std::string docs = DocsFolder("gone", {"valid-rsa2048.p7s"});
  auto r = RunCommand({Bench("kyso_loadgen"), "--target", address, "--mode", "unary", "--count",
                       "5", "--deadline-ms", "2000", "--docs", docs, "--json"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 1);
  const nlohmann::json out = LastJsonLine(*r);
  ASSERT_TRUE(out.is_object()) << r->stdout_text;
  EXPECT_EQ(out["answered"], 0);
  EXPECT_EQ(out["errors"], 5);
  int64_t counted = 0;
  for (const auto& [code, n] : out["errors_by_code"].items()) {
    EXPECT_TRUE(code == "UNAVAILABLE" || code == "DEADLINE_EXCEEDED") << out.dump();
    counted += n.get<int64_t>();
  }
  EXPECT_EQ(counted, 5) << out.dump();
  std::filesystem::remove_all(docs);
}

TEST(BenchTools, NaiveCmsVerifyPeerPassesValidAndFailsTamperedDocuments) {
  const std::string pki = PkiDir();
  const std::string good = DocsFolder("naive-good", {"valid-rsa2048.p7s"});
  auto r = RunCommand({Bench("kyso_naive_cms_verify"), "--anchor", pki + "/certs/root-national.pem",
                       "--intermediate", pki + "/certs/ca-public.pem", "--threads", "1",
                       "--duration", "0.2", "--at", kAt, good});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->stdout_text << r->stderr_text;
  nlohmann::json out = LastJsonLine(*r);
  ASSERT_TRUE(out.is_object()) << r->stdout_text;
  EXPECT_GT(out["passed"].get<int64_t>(), 0);
  EXPECT_EQ(out["failed"], 0);

  const std::string bad = DocsFolder("naive-bad", {"tampered-content.p7s"});
  r = RunCommand({Bench("kyso_naive_cms_verify"), "--anchor", pki + "/certs/root-national.pem",
                  "--threads", "1", "--duration", "0.2", "--at", kAt, bad});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 1);
  out = LastJsonLine(*r);
  ASSERT_TRUE(out.is_object()) << r->stdout_text;
  EXPECT_EQ(out["passed"], 0);
  EXPECT_GT(out["failed"].get<int64_t>(), 0);
  std::filesystem::remove_all(good);
  std::filesystem::remove_all(bad);
}

TEST(BenchTools, InProcessThroughputVerifiesEveryDocumentOfTheSet) {
  const std::string docs = DocsFolder("inproc", {"valid-rsa2048.p7s", "valid-p256.p7s"});
  auto r = RunCommand({Bench("kyso_inproc"), "--config", PkiDir() + "/trust.yaml", "--threads", "2",
                       "--duration", "0.2", "--at", kAt, docs});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0) << r->stdout_text << r->stderr_text;
  nlohmann::json out = LastJsonLine(*r);
  ASSERT_TRUE(out.is_object()) << r->stdout_text;
  EXPECT_EQ(out["documents"], 2);
  EXPECT_GT(out["passed"].get<int64_t>(), 0);
  EXPECT_EQ(out["not_passed"], 0);

  // A tampered document joins the set: it is counted as not passed, the exit status says so, and
  // the counts add up to what was verified.
  std::filesystem::copy_file(DocsDir() + "/tampered-content.p7s", docs + "/tampered-content.p7s");
  r = RunCommand({Bench("kyso_inproc"), "--config", PkiDir() + "/trust.yaml", "--threads", "1",
                  "--duration", "0.2", "--at", kAt, docs});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 1);
  out = LastJsonLine(*r);
  ASSERT_TRUE(out.is_object()) << r->stdout_text;
  EXPECT_GT(out["not_passed"].get<int64_t>(), 0);
  EXPECT_EQ(out["passed"].get<int64_t>() + out["not_passed"].get<int64_t>(),
            out["verified"].get<int64_t>());
  std::filesystem::remove_all(docs);
}

}  // namespace
}  // namespace kyso
