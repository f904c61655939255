// `kyso batch` end to end: the real binary against a real `kyso serve` on a loopback port, over
// the archive tests/batch/make_archive.py builds from the fixtures (KYSO_BATCH_DOCS documents:
// 20,000, or 2,000 in the sanitizer build, where everything runs ~10x slower). Revocation is
// real too: the server runs with `revocation: prefer` and fetches the test PKI's CRLs from a
// loopback HTTP server, so the revoked signers come out REVOKED_NO_POE.
//
// What is shown: the folder and zip forms give exactly the composition the generator knows
// (per file, not only in total), non-signature files are skipped with a reason and dangling links
// are errors; three SIGKILLs at random points and --resume give every file exactly once with the
// results of an uninterrupted run; four shards cover every file once; exit statuses; and the HTML
// report rendered by headless Chromium shows the numbers (DOM after its script ran) and is not
// blank (screenshot pixels).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"
#include "tests/support/test_http_server.h"

#ifndef KYSO_BATCH_DOCS
#define KYSO_BATCH_DOCS 20000
#endif

namespace kyso {
namespace {

namespace fs = std::filesystem;
using ::kyso::testing::CommandResult;
using ::kyso::testing::DocsDir;
using ::kyso::testing::PkiDir;
using ::kyso::testing::RunCommand;
using ::kyso::testing::TestHttpServer;

constexpr int kDocs = KYSO_BATCH_DOCS;
const char* kAt = "2026-01-01T00:00:00Z";

std::string KysoBinary() { return ::kyso::testing::BinaryDir() + "/service/kyso"; }

std::string Scratch(const std::string& name) {
  const std::string dir =
      (fs::path(::testing::TempDir()) / absl::StrCat("kyso-batch-", ::getpid(), "-", name))
          .lexically_normal()
          .string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

CommandResult Kyso(std::vector<std::string> args) {
  args.insert(args.begin(), KysoBinary());
  auto result = RunCommand(args);
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *result : CommandResult{-1, "", ""};
}

// What one output line says about its file.
struct Outcome {
  std::string kind;     // document | skipped | error
  std::string verdict;  // INDICATION[/SUB_INDICATION] for documents
  std::string sha256;
  bool operator==(const Outcome& o) const {
    return std::tie(kind, verdict, sha256) == std::tie(o.kind, o.verdict, o.sha256);
  }
};

// path -> outcome; a path seen twice fails the test (each file exactly once).
std::map<std::string, Outcome> ReadOutput(const std::string& path, const std::string& strip = "") {
  std::map<std::string, Outcome> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    const nlohmann::json j = nlohmann::json::parse(line);
    std::string p = j["path"].get<std::string>();
    if (!strip.empty() && absl::StartsWith(p, strip)) p = p.substr(strip.size());
    Outcome o;
    o.sha256 = j["sha256"].get<std::string>();
    if (j.contains("report")) {
      o.kind = "document";
      const auto& r = j["report"];
      o.verdict = r["indication"].get<std::string>();
      if (!r["sub_indication"].get<std::string>().empty()) {
        o.verdict += "/" + r["sub_indication"].get<std::string>();
      }
    } else if (j.contains("skipped")) {
      o.kind = "skipped";
      EXPECT_FALSE(j["skipped"].get<std::string>().empty()) << "a skip always says why: " << p;
    } else {
      o.kind = "error";
      EXPECT_FALSE(j["error"]["message"].get<std::string>().empty()) << p;
    }
    EXPECT_TRUE(out.emplace(p, o).second) << "more than one line for " << p;
  }
  return out;
}

// The generated archive and what each file must give.
struct Archive {
  std::string dir, folder, zip;
  std::map<std::string, Outcome> expected;  // relative path -> kind and verdict (no sha256)
};

Archive MakeArchive(const std::string& name, bool zip) {
  Archive a;
  a.dir = Scratch(name);
  a.folder = a.dir + "/folder";
  a.zip = a.dir + "/archive.zip";
  std::vector<std::string> args = {
      "python3", ::kyso::testing::SourceDir() + "/tests/batch/make_archive.py",
      "--docs",  DocsDir(),
      "--xml",   ::kyso::testing::TestDataDir() + "/xml",
      "--out",   a.dir,
      "--count", absl::StrCat(kDocs)};
  if (!zip) args.push_back("--no-zip");
  auto r = RunCommand(args);
  EXPECT_TRUE(r.ok() && r->exit_code == 0) << (r.ok() ? r->stderr_text : "");
  std::ifstream in(a.dir + "/EXPECTED.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    if (f.size() == 3) a.expected[f[0]] = {f[1], f[2], ""};
  }
  EXPECT_GE(a.expected.size(), static_cast<size_t>(kDocs));
  return a;
}

// The verdicts of a run, with sha256 dropped (the generator does not know them).
std::map<std::string, Outcome> WithoutSha(std::map<std::string, Outcome> m) {
  for (auto& [_, o] : m) o.sha256.clear();
  return m;
}

// `kyso serve` (revocation prefer, CRLs over loopback HTTP) for the life of a test.
class Server {
 public:
  Server() {
    auto http = TestHttpServer::Start(TestHttpServer::ServeFolder(PkiDir() + "/crl"));
    EXPECT_TRUE(http.ok()) << http.status();
    if (!http.ok()) return;
    http_ = *std::move(http);
    dir_ = Scratch("serve");
    const std::string config = dir_ + "/kyso.yaml";
    std::ofstream(config) << absl::StrCat(
        "server: {metrics_listen: \"127.0.0.1:0\"}\n"
        "trust:\n  anchors: [",
        PkiDir(), "/anchors/]\n  intermediates: [", PkiDir(),
        "/intermediates/]\n"
        "revocation:\n  mode: prefer\n  intermediates: \"off\"\n"
        "  cache: {path: ",
        dir_,
        "/cache.sqlite}\n"
        "  ocsp:\n    timeout_ms: 2000\n    overrides:\n",
        Overrides("/no-ocsp", "/no-ocsp", "/no-ocsp"), "  crl:\n    overrides:\n",
        Overrides("/ca-public.crl", "/ca-gov.crl", "/ca-ministry.crl"),
        "policy:\n  min_rsa_bits: 2048\n  min_ec_bits: 256\n"
        "  allowed_digests: [sha256, sha384, sha512]\n");
    log_ = dir_ + "/serve.log";
    const int fd = ::open(log_.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
    auto pid = ::kyso::testing::SpawnProcess({KysoBinary(), "serve", "--config", config, "--listen",
                                              "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"},
                                             fd);
    ::close(fd);
    EXPECT_TRUE(pid.ok()) << pid.status();
    if (!pid.ok()) return;
    pid_ = *pid;
    // The server logs "listening on ADDRESS" once it listens (as text or inside a JSON line).
    for (int i = 0; i < 2000 && address_.empty(); ++i) {
      const std::string text = ::kyso::testing::ReadFileOrDie(log_);
      const size_t at = text.find("listening on ");
      size_t end = at + 13;
      while (at != std::string::npos && end < text.size() &&
             (absl::ascii_isalnum(text[end]) || absl::StrContains(".:[]-", text[end]))) {
        ++end;
      }
      if (at != std::string::npos && end < text.size() && end > at + 13) {
        address_ = text.substr(at + 13, end - at - 13);
      } else {
        absl::SleepFor(absl::Milliseconds(10));
      }
    }
    EXPECT_FALSE(address_.empty()) << ::kyso::testing::ReadFileOrDie(log_);
  }
  ~Server() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  const std::string& address() const { return address_; }
  std::string config() const { return dir_ + "/kyso.yaml"; }
  std::string Log() const { return ::kyso::testing::ReadFileOrDie(log_); }

 private:
  std::string Overrides(const char* pub, const char* gov, const char* ministry) const {
    return absl::StrCat("      \"VNPT-CA Public (Demo)\": \"", http_->url(pub), "\"\n",
                        "      \"Government Specialized CA (Demo)\": \"", http_->url(gov), "\"\n",
                        "      \"Ministry of Finance CA (Demo)\": \"", http_->url(ministry),
                        "\"\n");
  }

  std::unique_ptr<TestHttpServer> http_;
  std::string dir_, log_, address_;
  pid_t pid_ = -1;
};

TEST(BatchArchive, FolderAndZipThroughAServerGiveTheKnownComposition) {
  Server server;
  ASSERT_FALSE(server.address().empty());
  const Archive a = MakeArchive("composition", /*zip=*/true);

  const std::string folder_out = a.dir + "/folder.jsonl";
  const CommandResult folder = Kyso({"batch", "--input", a.folder, "--out", folder_out, "--server",
                                     server.address(), "--at", kAt});
  EXPECT_EQ(folder.exit_code, 1) << "some documents fail by design\n" << folder.stderr_text;
  const auto folder_results = ReadOutput(folder_out, a.folder + "/");
  EXPECT_EQ(WithoutSha(folder_results), a.expected);

  // The same files from the zip (which cannot hold the dangling links).
  std::map<std::string, Outcome> zip_expected;
  for (const auto& [path, o] : a.expected) {
    if (o.kind != "error") zip_expected[path] = o;
  }
  const std::string zip_out = a.dir + "/zip.jsonl";
  const CommandResult zip = Kyso({"batch", "--input", a.zip, "--out", zip_out, "--server",
                                  server.address(), "--at", kAt, "--concurrency", "16"});
  EXPECT_EQ(zip.exit_code, 1) << zip.stderr_text;
  const auto zip_results = ReadOutput(zip_out, a.zip + "!/");
  EXPECT_EQ(WithoutSha(zip_results), zip_expected);
  // Same bytes, same digests, folder or zip.
  for (const auto& [path, o] : zip_results) {
    auto it = folder_results.find(path);
    ASSERT_NE(it, folder_results.end()) << path;
    EXPECT_EQ(it->second.sha256, o.sha256) << path;
  }

  // In process (--embedded) with the server's config: the same result for every file.
  const std::string embedded_out = a.dir + "/embedded.jsonl";
  const CommandResult embedded = Kyso({"batch", "--input", a.folder, "--out", embedded_out,
                                       "--embedded", "--config", server.config(), "--at", kAt});
  EXPECT_EQ(embedded.exit_code, 1) << embedded.stderr_text;
  EXPECT_TRUE(ReadOutput(embedded_out, a.folder + "/") == folder_results);

  // The closing summary counts the same composition.
  std::map<std::string, int> by_verdict;
  int skipped = 0, errors = 0;
  for (const auto& [_, o] : a.expected) {
    if (o.kind == "document") ++by_verdict[o.verdict];
    skipped += o.kind == "skipped";
    errors += o.kind == "error";
  }
  EXPECT_GT(by_verdict["INDETERMINATE/REVOKED_NO_POE"], 0);
  EXPECT_GT(by_verdict["INDETERMINATE/OUT_OF_BOUNDS_NO_POE"], 0);
  EXPECT_GT(by_verdict["INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND"], 0);
  EXPECT_GT(by_verdict["TOTAL_FAILED/FORMAT_FAILURE"], 0);
  EXPECT_GT(skipped, 0);
  EXPECT_EQ(errors, 3);
  for (const auto& [verdict, n] : by_verdict) {
    EXPECT_NE(folder.stdout_text.find(verdict), std::string::npos) << folder.stdout_text;
    EXPECT_NE(folder.stdout_text.find(absl::StrCat(n, "\n")), std::string::npos)
        << verdict << " " << n << "\n"
        << folder.stdout_text;
  }
  EXPECT_NE(folder.stdout_text.find("VNPT-CA Public (Demo)"), std::string::npos);
  std::cout << folder.stderr_text << zip.stderr_text << embedded.stderr_text;
  fs::remove_all(a.dir);
}

// Runs `kyso batch ... --resume` and SIGKILLs it once its output reaches `kill_at` bytes.
// True if it was killed (false: it finished first).
bool RunAndKill(const std::vector<std::string>& args, const std::string& out, off_t kill_at,
                const std::string& log) {
  const int fd = ::open(log.c_str(), O_CREAT | O_APPEND | O_WRONLY, 0600);
  std::vector<std::string> argv = {KysoBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto pid = ::kyso::testing::SpawnProcess(argv, fd);
  ::close(fd);
  EXPECT_TRUE(pid.ok()) << pid.status();
  if (!pid.ok()) return false;
  int status = 0;
  for (;;) {
    if (::waitpid(*pid, &status, WNOHANG) == *pid) return false;  // finished before the point
    struct stat st;
    if (::stat(out.c_str(), &st) == 0 && st.st_size >= kill_at) break;
    absl::SleepFor(absl::Milliseconds(1));
  }
  ::kill(*pid, SIGKILL);
  ::waitpid(*pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

TEST(BatchArchive, ThreeSigkillsThenResumeGiveEachFileOnceAndTheUninterruptedResults) {
  Server server;
  ASSERT_FALSE(server.address().empty());
  const Archive a = MakeArchive("sigkill", /*zip=*/false);

  const std::string whole = a.dir + "/whole.jsonl";
  const CommandResult uninterrupted = Kyso(
      {"batch", "--input", a.folder, "--out", whole, "--server", server.address(), "--at", kAt});
  ASSERT_EQ(uninterrupted.exit_code, 1) << uninterrupted.stderr_text;
  const auto reference = ReadOutput(whole);
  ASSERT_EQ(reference.size(), a.expected.size());
  struct stat st;
  ASSERT_EQ(::stat(whole.c_str(), &st), 0);

  // Three kill points at random fractions of the full output, in increasing order (each run
  // resumes where the last one died). The seed is printed so a failure can be replayed.
  const unsigned seed = static_cast<unsigned>(absl::ToUnixNanos(absl::Now()));
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> fraction(0.05, 0.95);
  std::vector<double> points = {fraction(random), fraction(random), fraction(random)};
  std::sort(points.begin(), points.end());
  SCOPED_TRACE(
      absl::StrCat("seed ", seed, ", kill points ", points[0], " ", points[1], " ", points[2]));

  const std::string resumed = a.dir + "/resumed.jsonl";
  const std::vector<std::string> args = {"batch", "--input",  a.folder,         "--out",
                                         resumed, "--server", server.address(), "--at",
                                         kAt,     "--resume"};
  int kills = 0;
  for (double p : points) {
    kills += RunAndKill(args, resumed, static_cast<off_t>(p * st.st_size), a.dir + "/runs.log");
  }
  EXPECT_EQ(kills, 3) << "every run was killed before it finished";
  const CommandResult last = Kyso(args);
  EXPECT_EQ(last.exit_code, 1) << last.stderr_text;
  EXPECT_NE(last.stderr_text.find("already in"), std::string::npos);

  // Each file exactly once (ReadOutput fails on a repeat), with the same (path, sha256,
  // indication, sub-indication) as the uninterrupted run.
  const auto after = ReadOutput(resumed);
  EXPECT_EQ(after.size(), reference.size());
  EXPECT_TRUE(after == reference);
  int differing = 0;
  for (const auto& [path, o] : reference) {
    auto it = after.find(path);
    if (it == after.end() || !(it->second == o)) {
      if (++differing <= 5) ADD_FAILURE() << "differs or missing: " << path;
    }
  }
  fs::remove_all(a.dir);
}

TEST(BatchArchive, FourShardsOfTheZipCoverEveryFileOnce) {
  Server server;
  ASSERT_FALSE(server.address().empty());
  const Archive a = MakeArchive("shards", /*zip=*/true);
  std::map<std::string, Outcome> all;
  for (int shard = 0; shard < 4; ++shard) {
    const std::string out = absl::StrCat(a.dir, "/shard-", shard, ".jsonl");
    const CommandResult r =
        Kyso({"batch", "--input", a.zip, "--out", out, "--server", server.address(), "--at", kAt,
              "--shard", absl::StrCat(shard), "--of", "4"});
    EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
    const auto part = ReadOutput(out, a.zip + "!/");
    EXPECT_GT(part.size(), a.expected.size() / 8) << "shard " << shard << " got too little";
    for (const auto& [path, o] : part) {
      EXPECT_TRUE(all.emplace(path, o).second) << path << " is in two shards";
    }
  }
  std::map<std::string, Outcome> zip_expected;
  for (const auto& [path, o] : a.expected) {
    if (o.kind != "error") zip_expected[path] = o;
  }
  EXPECT_EQ(WithoutSha(all), zip_expected);
  fs::remove_all(a.dir);
}

TEST(BatchArchive, ExitStatuses) {
  const std::string dir = Scratch("exit");
  fs::create_directories(dir + "/valid");
  for (const char* f : {"valid-rsa2048.p7s", "valid-p256.p7s", "valid-rsa3072.p7s"}) {
    fs::copy_file(DocsDir() + "/" + f, dir + "/valid/" + f);
  }
  std::ofstream(dir + "/valid/readme.txt") << "skipped files are not failures\n";
  {
    Server server;
    ASSERT_FALSE(server.address().empty());
    const CommandResult ok = Kyso({"batch", "--input", dir + "/valid", "--out", dir + "/ok.jsonl",
                                   "--server", server.address(), "--at", kAt});
    EXPECT_EQ(ok.exit_code, 0) << ok.stderr_text << ok.stdout_text;
    // Without --resume an output that holds results is refused.
    const CommandResult again = Kyso({"batch", "--input", dir + "/valid", "--out",
                                      dir + "/ok.jsonl", "--server", server.address()});
    EXPECT_EQ(again.exit_code, 2);
    EXPECT_NE(again.stderr_text.find("--resume"), std::string::npos) << again.stderr_text;
  }
  // No server there: the run fails (2) and writes no result for the files it could not verify.
  const CommandResult gone = Kyso({"batch", "--input", dir + "/valid", "--out", dir + "/gone.jsonl",
                                   "--server", "127.0.0.1:1", "--at", kAt});
  EXPECT_EQ(gone.exit_code, 2) << gone.stderr_text;
  std::ifstream gone_out(dir + "/gone.jsonl");
  std::string text((std::istreambuf_iterator<char>(gone_out)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("\"report\""), std::string::npos) << text;
  // Usage errors.
  EXPECT_EQ(Kyso({"batch", "--input", dir + "/nothing", "--out", dir + "/x.jsonl"}).exit_code, 2);
  EXPECT_EQ(Kyso({"batch", "--input", dir, "--out", dir + "/y.jsonl", "--shard", "4", "--of", "4"})
                .exit_code,
            2);
  EXPECT_EQ(
      Kyso({"batch", "--input", dir, "--out", dir + "/z.jsonl", "--at", "yesterday"}).exit_code, 2);
  fs::remove_all(dir);
}

// --at signing-time through the service (each request carries its own validation time), and the
// progress line, which is drawn only on a terminal: `script` gives the run a pseudo-terminal.
TEST(BatchArchive, SigningTimeThroughTheServerAndTheProgressLineOnATerminal) {
  Server server;
  ASSERT_FALSE(server.address().empty());
  const std::string dir = Scratch("signing-time");
  fs::create_directories(dir + "/in");
  for (const char* f : {"valid-rsa2048.p7s", "valid-p256.p7s", "random.p7s"}) {
    fs::copy_file(DocsDir() + "/" + f, dir + "/in/" + f);
  }
  const CommandResult r = Kyso({"batch", "--input", dir + "/in", "--out", dir + "/out.jsonl",
                                "--server", server.address(), "--at", "signing-time"});
  EXPECT_EQ(r.exit_code, 1) << r.stderr_text;
  std::ifstream in(dir + "/out.jsonl");
  std::string line;
  int claimed = 0, lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    const auto j = nlohmann::json::parse(line);
    if (j["validation_time"]["basis"] == "claimed_signing_time") {
      ++claimed;
      EXPECT_EQ(j["validation_time"]["time"], j["report"]["signatures"][0]["signing_time"]);
      EXPECT_EQ(j["report"]["indication"], "TOTAL_PASSED") << line;
    } else {
      EXPECT_EQ(j["validation_time"]["note"], "no signing time claimed") << line;
    }
  }
  EXPECT_EQ(lines, 3);
  EXPECT_EQ(claimed, 2);
  // No terminal (the run above): no progress line. A terminal: the line, redrawn in place.
  EXPECT_EQ(r.stderr_text.find("files/s"), std::string::npos) << r.stderr_text;
  const std::string command = absl::StrCat(KysoBinary(), " batch --input ", dir, "/in --out ", dir,
                                           "/tty.jsonl --server ", server.address(), " --at ", kAt);
  auto tty = RunCommand({"script", "-qec", command, "/dev/null"});
  ASSERT_TRUE(tty.ok()) << tty.status();
  EXPECT_EQ(tty->exit_code, 1) << tty->stdout_text;
  EXPECT_NE(tty->stdout_text.find("3/3 files"), std::string::npos) << tty->stdout_text;
  EXPECT_NE(tty->stdout_text.find("passed 2  failed 1"), std::string::npos) << tty->stdout_text;
  fs::remove_all(dir);
}

bool HaveChromium() {
  auto r = RunCommand({"sh", "-c", "command -v chromium"});
  return r.ok() && r->exit_code == 0;
}

TEST(BatchReport, ChromiumRendersTheSummaryAndTheFilterableTable) {
  if (!HaveChromium()) {
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it; CI runs "
                    "this test)";
  }
  const std::string dir = Scratch("report");
  fs::create_directories(dir + "/in");
  fs::copy(DocsDir(), dir + "/in/docs", fs::copy_options::recursive);
  fs::copy(::kyso::testing::TestDataDir() + "/xml", dir + "/in/xml", fs::copy_options::recursive);
  fs::remove(dir + "/in/xml/big-text.xml");
  const std::string html = dir + "/report.html";
  const CommandResult r =
      Kyso({"batch", "--input", dir + "/in", "--out", dir + "/out.jsonl", "--embedded", "--config",
            PkiDir() + "/trust.yaml", "--at", kAt, "--report", html});
  ASSERT_EQ(r.exit_code, 1) << r.stderr_text;
  int files = 0, passed = 0, not_passed = 0, failed = 0, indeterminate = 0;
  {
    std::ifstream in(dir + "/out.jsonl");
    std::string line;
    while (std::getline(in, line)) {
      ++files;
      const auto j = nlohmann::json::parse(line);
      if (j.contains("skipped")) continue;
      if (j.contains("report") && j["report"]["indication"] == "TOTAL_PASSED") {
        ++passed;
      } else {
        ++not_passed;
        failed += j.contains("report") && j["report"]["indication"] == "TOTAL_FAILED";
        indeterminate += j.contains("report") && j["report"]["indication"] == "INDETERMINATE";
      }
    }
  }
  ASSERT_GT(passed, 0);
  ASSERT_GT(not_passed, 0);

  const std::string profile = dir + "/profile";
  const std::vector<std::string> chromium = {"timeout",
                                             "120",
                                             "chromium",
                                             "--headless",
                                             "--no-sandbox",
                                             "--disable-gpu",
                                             "--no-first-run",
                                             "--user-data-dir=" + profile,
                                             "--virtual-time-budget=5000"};
  // The DOM after the page's script ran: the numbers in the tiles, and the table filled in.
  std::vector<std::string> dump = chromium;
  dump.push_back("--dump-dom");
  dump.push_back("file://" + html);
  auto dom = RunCommand(dump);
  ASSERT_TRUE(dom.ok()) << dom.status();
  ASSERT_EQ(dom->exit_code, 0) << dom->stderr_text;
  EXPECT_NE(dom->stdout_text.find(absl::StrCat("id=\"n-passed\">", passed, "<")),
            std::string::npos);
  EXPECT_NE(dom->stdout_text.find(absl::StrCat("showing ", not_passed, " of ", not_passed)),
            std::string::npos)
      << "the table script did not run";

  // The picture: not blank, and the charts' green and red bars are there.
  std::vector<std::string> shot = chromium;
  shot.push_back("--window-size=1280,2000");
  shot.push_back("--screenshot=" + dir + "/report.png");
  shot.push_back("file://" + html);
  auto png = RunCommand(shot);
  ASSERT_TRUE(png.ok()) << png.status();
  ASSERT_EQ(png->exit_code, 0) << png->stderr_text;
  // Decoded with python3's standard library alone (zlib; PNG filters per RFC 2083 section 6), so
  // no imaging package is needed.
  auto pixels = RunCommand({"python3", "-c", R"PY(
import struct, sys, zlib
data = open(sys.argv[1], 'rb').read()
assert data[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        width, height, depth, color, _, _, interlace = struct.unpack('>IIBBBBB', body)
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
bpp = 3 if color == 2 else 4
raw, stride = zlib.decompress(idat), width * bpp
prev, rows, at = bytearray(stride), [], 0
for _ in range(height):
    f, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
    at += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b = prev[i]
        c = prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(bytes(line))
    prev = line
ink = green = red = 0
for line in rows:
    for i in range(0, stride, bpp):
        px = line[i:i + 3]
        ink += px != b'\xff\xff\xff'
        green += px == b'\x2e\x7d\x32'
        red += px == b'\xc6\x28\x28'
print(width * height, ink, green, red)
)PY",
                            dir + "/report.png"});
  ASSERT_TRUE(pixels.ok()) << pixels.status();
  ASSERT_EQ(pixels->exit_code, 0) << pixels->stderr_text;
  std::istringstream counts(pixels->stdout_text);
  long total = 0, ink = 0, green = 0, red = 0;
  counts >> total >> ink >> green >> red;
  EXPECT_GT(total, 0);
  EXPECT_GT(ink * 50, total) << "more than 2% of the page is not white";
  EXPECT_GT(green, 500) << "green bars (passed)";
  EXPECT_GT(red, 500) << "red bars (failed)";

  // And the numbers are in the picture, read back by OCR (tesseract, installed by
  // scripts/install-deps.sh; without it only the DOM above shows them).
  auto have_ocr = RunCommand({"sh", "-c", "command -v tesseract"});
  if (have_ocr.ok() && have_ocr->exit_code == 0) {
    auto ocr = RunCommand({"tesseract", dir + "/report.png", "stdout"});
    ASSERT_TRUE(ocr.ok()) << ocr.status();
    const std::vector<std::string> words =
        absl::StrSplit(ocr->stdout_text, absl::ByAnyChar(" \n\t"), absl::SkipEmpty());
    const std::set<std::string> seen(words.begin(), words.end());
    for (int n : {files, passed, failed, indeterminate}) {
      EXPECT_TRUE(seen.count(absl::StrCat(n))) << n << " not read in the screenshot:\n"
                                               << ocr->stdout_text;
    }
  } else {
    std::cout << "tesseract not installed: the screenshot's numbers were not read back\n";
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kyso
