// The pieces of `kyso batch` on real files: input walking (folders, zip and tar through
// libarchive, manifests, detached pairs, skipped and unreadable files), the results log and its
// resume index, shards, the summary, the HTML report, and the runner with the in-process backend.
// The end-to-end runs through a real server are in batch_archive_test.cc.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "service/batch/batch_runner.h"
#include "service/batch/embedded_backend.h"
#include "service/batch/html_report.h"
#include "service/batch/input_walker.h"
#include "service/batch/progress.h"
#include "service/batch/results_log.h"
#include "service/batch/shard.h"
#include "service/batch/summary.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace kyso::batch {
namespace {

namespace fs = std::filesystem;
using ::kyso::testing::DocsDir;
using ::kyso::testing::PkiDir;
using ::kyso::testing::ReadFileOrDie;
using ::kyso::testing::RunCommand;

// A fresh folder per test and process (ctest runs tests in parallel).
std::string Scratch(const std::string& name) {
  const std::string dir =
      (fs::path(::testing::TempDir()) / absl::StrCat("kyso-batch-", ::getpid(), "-", name))
          .lexically_normal()
          .string();
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void Write(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::map<std::string, InputItem> WalkAll(const std::vector<std::string>& inputs,
                                         const WalkOptions& options = {}) {
  absl::StatusOr<InputWalker> walker = InputWalker::List(inputs);
  EXPECT_TRUE(walker.ok()) << walker.status();
  std::map<std::string, InputItem> items;
  if (!walker.ok()) return items;
  walker->Walk(options, [&](InputItem item) {
    EXPECT_EQ(items.count(item.path), 0u) << "handed out twice: " << item.path;
    items[item.path] = std::move(item);
    return true;
  });
  return items;
}

TEST(BatchShard, FnvIsStableAndShardsPartitionThePaths) {
  // FNV-1a 64 reference values (the empty string is the offset basis).
  EXPECT_EQ(StablePathHash(""), 14695981039346656037ULL);
  EXPECT_EQ(StablePathHash("a"), 0xaf63dc4c8601ec8cULL);
  std::vector<int> per_shard(4, 0);
  for (int i = 0; i < 10000; ++i) {
    const std::string path = absl::StrCat("archive.zip!/", i % 37, "/", i, ".p7s");
    int owners = 0;
    for (int s = 0; s < 4; ++s) {
      if (Shard{s, 4}.Owns(path)) {
        ++owners;
        ++per_shard[s];
      }
    }
    EXPECT_EQ(owners, 1) << path;
  }
  for (int n : per_shard) EXPECT_GT(n, 2000) << "a shard got far less than a quarter";
}

TEST(BatchWalker, FolderPairsSkipsAndUnreadable) {
  const std::string dir = Scratch("walker-folder");
  Write(dir + "/a/valid.p7s", ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"));
  Write(dir + "/a/letter.pdf", ReadFileOrDie(DocsDir() + "/dossier.txt"));
  Write(dir + "/a/letter.pdf.p7s", ReadFileOrDie(DocsDir() + "/valid-detached.p7s"));
  Write(dir + "/a/x", "content of x");
  Write(dir + "/a/x.sig", ReadFileOrDie(DocsDir() + "/valid-detached.p7s"));
  Write(dir + "/b/notes.txt", "not a signature");
  Write(dir + "/b/renamed.bin", ReadFileOrDie(DocsDir() + "/valid-p256.p7s"));  // sniffed: CMS
  Write(dir + "/b/broken.p7s", "garbage");  // by name: verified, FORMAT_FAILURE later
  fs::create_symlink("/nonexistent/kyso", dir + "/b/dangling.p7s");
  ASSERT_EQ(::mkfifo((dir + "/b/fifo").c_str(), 0600), 0);  // never opened (would block)

  const auto items = WalkAll({dir});
  ASSERT_EQ(items.size(), 10u);
  using K = InputItem::Kind;
  EXPECT_EQ(items.at(dir + "/a/valid.p7s").kind, K::kDocument);
  const InputItem& pdf_sig = items.at(dir + "/a/letter.pdf.p7s");
  EXPECT_EQ(pdf_sig.kind, K::kDocument);
  ASSERT_TRUE(pdf_sig.content.has_value());
  EXPECT_EQ(*pdf_sig.content, ReadFileOrDie(DocsDir() + "/dossier.txt"));
  EXPECT_EQ(pdf_sig.content_name, "letter.pdf");
  EXPECT_EQ(items.at(dir + "/a/letter.pdf").kind, K::kSkipped);
  EXPECT_EQ(items.at(dir + "/a/letter.pdf").skip_reason,
            "detached content of " + dir + "/a/letter.pdf.p7s");
  EXPECT_EQ(items.at(dir + "/a/x.sig").content.value_or(""), "content of x");
  EXPECT_EQ(items.at(dir + "/a/x").kind, K::kSkipped);
  EXPECT_EQ(items.at(dir + "/b/notes.txt").kind, K::kSkipped);
  EXPECT_TRUE(absl::StartsWith(items.at(dir + "/b/notes.txt").skip_reason, "not a signature"));
  EXPECT_EQ(items.at(dir + "/b/renamed.bin").kind, K::kDocument);
  EXPECT_EQ(items.at(dir + "/b/broken.p7s").kind, K::kDocument);
  EXPECT_EQ(items.at(dir + "/b/dangling.p7s").kind, K::kError);
  EXPECT_EQ(items.at(dir + "/b/fifo").kind, K::kSkipped);

  // A shard's filter: only owned files come out, and a wanted signature still gets its content.
  WalkOptions only_sig;
  only_sig.wanted = [&](absl::string_view p) { return p == dir + "/a/letter.pdf.p7s"; };
  const auto filtered = WalkAll({dir}, only_sig);
  ASSERT_EQ(filtered.size(), 1u);
  EXPECT_TRUE(filtered.begin()->second.content.has_value());
  fs::remove_all(dir);
}

TEST(BatchWalker, ManifestTextMentioningPemIsNotASignature) {
  EXPECT_FALSE(LooksLikeSignature(ReadFileOrDie(DocsDir() + "/MANIFEST.tsv")));
  EXPECT_TRUE(LooksLikeSignature(ReadFileOrDie(DocsDir() + "/valid-rsa2048.pem.p7s")));
  EXPECT_TRUE(LooksLikeSignature(ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s")));
  EXPECT_FALSE(LooksLikeSignature(ReadFileOrDie(DocsDir() + "/enveloped.p7m")))
      << "EnvelopedData is not SignedData (by name it is still verified)";
  EXPECT_TRUE(HasSignatureExtension("X.P7S"));
  EXPECT_FALSE(HasSignatureExtension("x.pdf"));
}

// Zip and tar written by python3's zipfile/tarfile; one zip member's stored bytes are corrupted
// afterwards, so its CRC fails when libarchive reads it.
TEST(BatchWalker, ZipAndTarMembersWithACorruptedOne) {
  const std::string dir = Scratch("walker-archives");
  Write(dir + "/src/valid.p7s", ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"));
  Write(dir + "/src/sub/dossier.txt", ReadFileOrDie(DocsDir() + "/dossier.txt"));
  Write(dir + "/src/sub/dossier.txt.p7s", ReadFileOrDie(DocsDir() + "/valid-detached.p7s"));
  Write(dir + "/src/corrupt.p7s", std::string(4000, 'C'));
  Write(dir + "/src/readme.md", "# not a signature\n");
  const std::string script = absl::StrCat(
      "import os, tarfile, zipfile\n"
      "src = '",
      dir,
      "/src'\n"
      "names = ['sub/dossier.txt.p7s', 'valid.p7s', 'corrupt.p7s', 'readme.md', "
      "'sub/dossier.txt']\n"
      "with zipfile.ZipFile('",
      dir,
      "/a.zip', 'w', zipfile.ZIP_STORED) as z:\n"
      "    for n in names: z.write(os.path.join(src, n), n)\n"
      "with tarfile.open('",
      dir,
      "/a.tar.gz', 'w:gz') as t:\n"
      "    for n in names: t.add(os.path.join(src, n), n)\n"
      "with tarfile.open('",
      dir,
      "/a.tar', 'w') as t:\n"
      "    for n in names: t.add(os.path.join(src, n), n)\n"
      "data = bytearray(open('",
      dir,
      "/a.zip', 'rb').read())\n"
      "at = data.find(b'C' * 4000)\n"
      "data[at + 100] = ord('X')\n"
      "open('",
      dir, "/a.zip', 'wb').write(bytes(data))\n");
  auto py = RunCommand({"python3", "-c", script});
  ASSERT_TRUE(py.ok() && py->exit_code == 0) << (py.ok() ? py->stderr_text : "");

  const auto zip = WalkAll({dir + "/a.zip"});
  ASSERT_EQ(zip.size(), 5u);
  const std::string z = dir + "/a.zip!/";
  EXPECT_EQ(zip.at(z + "valid.p7s").kind, InputItem::Kind::kDocument);
  EXPECT_EQ(zip.at(z + "corrupt.p7s").kind, InputItem::Kind::kError)
      << "a member failing its CRC is an error item";
  EXPECT_EQ(zip.at(z + "readme.md").kind, InputItem::Kind::kSkipped);
  // The signature came before its content in the archive: it was held until the content came.
  EXPECT_EQ(zip.at(z + "sub/dossier.txt.p7s").content.value_or(""),
            ReadFileOrDie(DocsDir() + "/dossier.txt"));
  EXPECT_EQ(zip.at(z + "sub/dossier.txt").kind, InputItem::Kind::kSkipped);

  const auto tar = WalkAll({dir + "/a.tar.gz"});
  ASSERT_EQ(tar.size(), 5u);
  EXPECT_EQ(tar.at(dir + "/a.tar.gz!/corrupt.p7s").kind, InputItem::Kind::kDocument);
  EXPECT_TRUE(tar.at(dir + "/a.tar.gz!/sub/dossier.txt.p7s").content.has_value());

  // A truncated archive: what was listed before the damage is walked, the rest is accounted for
  // as errors, and nothing is dropped.
  const std::string tar_bytes = ReadFileOrDie(dir + "/a.tar");
  Write(dir + "/cut.tar", tar_bytes.substr(0, tar_bytes.size() * 6 / 10));
  absl::StatusOr<InputWalker> cut = InputWalker::List({dir + "/cut.tar"});
  ASSERT_TRUE(cut.ok()) << cut.status();
  EXPECT_GE(cut->total(), 2u);
  std::set<std::string> paths;
  int errors = 0;
  cut->Walk({}, [&](InputItem item) {
    EXPECT_TRUE(paths.insert(item.path).second) << item.path;
    errors += item.kind == InputItem::Kind::kError;
    return true;
  });
  EXPECT_EQ(paths.size(), cut->total());
  EXPECT_GE(errors, 1) << "the damage is reported";
  fs::remove_all(dir);
}

TEST(BatchWalker, ManifestLinesWithDetachedContent) {
  const std::string dir = Scratch("walker-manifest");
  Write(dir + "/docs/sig.p7s", ReadFileOrDie(DocsDir() + "/valid-detached.p7s"));
  Write(dir + "/content/dossier.txt", ReadFileOrDie(DocsDir() + "/dossier.txt"));
  Write(dir + "/list.jsonl",
        "{\"path\": \"docs/sig.p7s\", \"content\": \"content/dossier.txt\"}\n"
        "{\"path\": \"docs/missing.p7s\"}\n"
        "not json\n");
  const auto items = WalkAll({dir + "/list.jsonl"});
  ASSERT_EQ(items.size(), 3u);
  const InputItem& sig = items.at(dir + "/docs/sig.p7s");
  EXPECT_EQ(sig.kind, InputItem::Kind::kDocument);
  EXPECT_EQ(sig.content.value_or(""), ReadFileOrDie(DocsDir() + "/dossier.txt"));
  EXPECT_EQ(sig.content_name, "dossier.txt");
  EXPECT_EQ(items.at(dir + "/docs/missing.p7s").kind, InputItem::Kind::kError);
  EXPECT_EQ(items.at(dir + "/list.jsonl:3").kind, InputItem::Kind::kError);
  EXPECT_FALSE(InputWalker::List({dir + "/nothing-here"}).ok());
  fs::remove_all(dir);
}

TEST(BatchResultsLog, ResumeIndexesCompleteLinesAndCutsATornTail) {
  const std::string dir = Scratch("log");
  const std::string out = dir + "/out.jsonl";
  {
    auto log = ResultsLog::Open(out, /*resume=*/false);
    ASSERT_TRUE(log.ok()) << log.status();
    (*log)->Append(R"({"path":"a","sha256":"11","skipped":"x"})");
    (*log)->Append(R"({"path":"b","sha256":"22","skipped":"x"})");
    ASSERT_TRUE((*log)->Close().ok());
  }
  EXPECT_FALSE(ResultsLog::Open(out, /*resume=*/false).ok()) << "results are never overwritten";
  // A kill in the middle of a write leaves a torn line.
  std::ofstream(out, std::ios::app) << R"({"path":"c","sha2)";
  {
    auto log = ResultsLog::Open(out, /*resume=*/true);
    ASSERT_TRUE(log.ok()) << log.status();
    EXPECT_EQ((*log)->resumed_lines(), 2u);
    EXPECT_GT((*log)->torn_bytes(), 0u);
    EXPECT_TRUE((*log)->Contains("a", "11"));
    EXPECT_FALSE((*log)->Contains("a", "99")) << "a changed file is verified again";
    EXPECT_FALSE((*log)->Contains("c", ""));
    (*log)->Append(R"({"path":"c","sha256":"33","skipped":"x"})");
    ASSERT_TRUE((*log)->Close().ok());
  }
  auto rows = ReadResults(out);
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[2].path, "c");
  EXPECT_FALSE(ResultsLog::Open(dir + "/no/such/folder/out.jsonl", false).ok());
  fs::remove_all(dir);
}

TEST(BatchSummary, CountsAndHtmlReport) {
  std::vector<ResultRow> rows;
  rows.push_back(ParseResultLine(
      R"({"path":"a.p7s","sha256":"1","report":{"indication":"TOTAL_PASSED","sub_indication":"","signatures":[{"signer":{"issuer":"CN=VNPT-CA Public (Demo),O=VNPT (Demo),C=VN"},"signing_time":"2025-07-01T08:00:00Z","messages":[]}],"messages":[]}})"));
  rows.push_back(ParseResultLine(
      R"({"path":"</script><b>x.p7s","sha256":"2","report":{"indication":"TOTAL_FAILED","sub_indication":"HASH_FAILURE","signatures":[{"signer":{"issuer":"CN=VNPT-CA Public (Demo),O=VNPT (Demo),C=VN"},"signing_time":"2025-08-02T08:00:00Z","messages":[{"code":"signature.message_digest_mismatch","severity":"error","en":"changed","vi":"đã bị thay đổi"}]}],"messages":[]}})"));
  rows.push_back(ParseResultLine(R"({"path":"n.txt","sha256":"3","skipped":"not a signature"})"));
  rows.push_back(ParseResultLine(
      R"({"path":"d.p7s","sha256":"","error":{"code":"NOT_FOUND","message":"dangling"}})"));
  const Summary s = Summarize(rows);
  EXPECT_EQ(s.files, 4);
  EXPECT_EQ(s.passed, 1);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(s.skipped, 1);
  EXPECT_EQ(s.errors, 1);
  EXPECT_EQ(s.by_verdict.at("TOTAL_FAILED/HASH_FAILURE"), 1);
  EXPECT_EQ(s.by_ca.at("VNPT-CA Public (Demo)").passed, 1);
  EXPECT_EQ(s.by_ca.at("VNPT-CA Public (Demo)").not_passed, 1);
  EXPECT_EQ(s.by_month.at("2025-08").not_passed, 1);
  EXPECT_EQ(s.ExitStatus(), 1);
  EXPECT_NE(SummaryText(s, Language::kVietnamese).find("Theo CA phát hành"), std::string::npos);

  const std::string html = RenderHtmlReport(rows, s, {});
  EXPECT_EQ(html.find("</script><b>"), std::string::npos) << "a path cannot end the script";
  EXPECT_NE(html.find("đã bị thay đổi"), std::string::npos);
  EXPECT_NE(html.find("2025-08"), std::string::npos);
  for (const char* external : {"http://", "https://", "src=", "@import", "url("}) {
    if (absl::string_view(external) == "http://") {
      // Only the SVG namespace name, which is never fetched.
      std::string copy = html;
      size_t at;
      while ((at = copy.find("http://www.w3.org/2000/svg")) != std::string::npos)
        copy.erase(at, 26);
      EXPECT_EQ(copy.find(external), std::string::npos);
      continue;
    }
    EXPECT_EQ(html.find(external), std::string::npos) << external << " would load something";
  }
}

TEST(BatchProgress, LineShowsRateEtaAndCounts) {
  ProgressCounts c;
  c.done = 500;
  c.passed = 400;
  c.failed = 60;
  c.indeterminate = 40;
  const std::string line = ProgressLine(c, 1000, absl::Seconds(10));
  EXPECT_NE(line.find("500/1000 files"), std::string::npos) << line;
  EXPECT_NE(line.find("50 files/s"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA 0:00:10"), std::string::npos) << line;
  EXPECT_NE(line.find("passed 400"), std::string::npos) << line;
}

std::vector<nlohmann::json> Lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

EmbeddedOptions TestTrust() {
  EmbeddedOptions e;
  e.setup.config_path = PkiDir() + "/trust.yaml";
  return e;
}

TEST(BatchRunner, EmbeddedFixedTimeThenResumeWritesNothingTwice) {
  const std::string dir = Scratch("runner");
  BatchOptions o;
  o.inputs = {DocsDir()};
  o.out = dir + "/out.jsonl";
  o.basis = TimeBasis::kFixed;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, "2026-01-01T00:00:00Z", &o.at, nullptr));
  o.window = 4;
  auto backend = MakeEmbeddedBackend(TestTrust());
  ASSERT_TRUE(backend.ok()) << backend.status();
  BatchStats stats;
  ASSERT_TRUE(RunBatch(o, **backend, &stats).ok());
  const auto lines = Lines(o.out);
  EXPECT_EQ(lines.size(), stats.listed);
  std::set<std::string> paths;
  for (const auto& l : lines) {
    EXPECT_TRUE(paths.insert(l["path"].get<std::string>()).second) << l["path"];
    if (l.contains("report")) {
      EXPECT_EQ(l["validation_time"]["basis"], "fixed");
      EXPECT_EQ(l["validation_time"]["time"], "2026-01-01T00:00:00Z");
      EXPECT_EQ(l["report"]["document_sha256"], l["sha256"]);
    }
  }
  const auto valid = std::find_if(lines.begin(), lines.end(), [](const nlohmann::json& l) {
    return absl::EndsWith(l["path"].get<std::string>(), "/valid-p256.p7s");
  });
  ASSERT_NE(valid, lines.end());
  EXPECT_EQ((*valid)["report"]["indication"], "TOTAL_PASSED");

  o.resume = true;
  auto again = MakeEmbeddedBackend(TestTrust());
  ASSERT_TRUE(again.ok());
  BatchStats second;
  ASSERT_TRUE(RunBatch(o, **again, &second).ok());
  EXPECT_EQ(second.resumed, stats.listed);
  EXPECT_EQ(second.verified, 0u);
  EXPECT_EQ(Lines(o.out).size(), lines.size());
  fs::remove_all(dir);
}

// A file name that is not UTF-8 is written with replacement characters and still found on
// resume; a folder given twice yields one line per file.
TEST(BatchRunner, OddNamesAndRepeatedInputsStayExactlyOnce) {
  const std::string dir = Scratch("odd-names");
  Write(dir + "/in/h\xe0\xff.p7s", ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"));
  Write(dir + "/in/ok.p7s", ReadFileOrDie(DocsDir() + "/valid-p256.p7s"));
  BatchOptions o;
  o.inputs = {dir + "/in", dir + "/in"};
  o.out = dir + "/out.jsonl";
  o.basis = TimeBasis::kFixed;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, "2026-01-01T00:00:00Z", &o.at, nullptr));
  for (bool resume : {false, true}) {
    o.resume = resume;
    auto backend = MakeEmbeddedBackend(TestTrust());
    ASSERT_TRUE(backend.ok());
    BatchStats stats;
    ASSERT_TRUE(RunBatch(o, **backend, &stats).ok());
    EXPECT_EQ(stats.verified, resume ? 0u : 2u);
    EXPECT_EQ(Lines(o.out).size(), 2u);
  }
  fs::remove_all(dir);
}

TEST(BatchRunner, SigningTimeIsMarkedAsAClaim) {
  const std::string dir = Scratch("signing-time");
  Write(dir + "/in/valid.p7s", ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s"));
  Write(dir + "/in/random.p7s", ReadFileOrDie(DocsDir() + "/random.p7s"));
  BatchOptions o;
  o.inputs = {dir + "/in"};
  o.out = dir + "/out.jsonl";
  o.basis = TimeBasis::kSigningTime;
  o.at = absl::Now();
  o.window = 1;  // the second pass must get through a window of one
  auto backend = MakeEmbeddedBackend(TestTrust());
  ASSERT_TRUE(backend.ok());
  ASSERT_TRUE(RunBatch(o, **backend, nullptr).ok());
  const auto lines = Lines(o.out);
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& l : lines) {
    if (absl::EndsWith(l["path"].get<std::string>(), "valid.p7s")) {
      EXPECT_EQ(l["validation_time"]["basis"], "claimed_signing_time");
      EXPECT_EQ(l["validation_time"]["time"], l["report"]["signatures"][0]["signing_time"]);
      EXPECT_NE(l["validation_time"]["note"].get<std::string>().find("not a proof"),
                std::string::npos);
    } else {
      EXPECT_EQ(l["validation_time"]["basis"], "now");
      EXPECT_EQ(l["validation_time"]["note"], "no signing time claimed");
    }
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace kyso::batch
