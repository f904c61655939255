#include "tests/unit/verifier_fixture.h"

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "service/trust_loader.h"
#include "tests/support/test_data.h"

namespace kyso::testing {

absl::Time PinnedTime() { return absl::FromUnixSeconds(1767225600); }

VerificationContext DemoContext(bool with_intermediates) {
  VerificationContext ctx;
  std::vector<std::string> intermediates;
  if (with_intermediates) intermediates.push_back(PkiDir() + "/intermediates");
  auto trust = LoadTrustStore({PkiDir() + "/anchors"}, intermediates, 1);
  if (!trust.ok()) {
    std::cerr << "cannot load the demo trust store: " << trust.status() << "\n";
    std::abort();
  }
  ctx.trust = *trust;
  ctx.validation_time = PinnedTime();
  return ctx;
}

std::string XmlDir() { return TestDataDir() + "/xml"; }

std::vector<ManifestRow> ReadManifest() { return ReadManifest(DocsDir()); }

std::vector<ManifestRow> ReadManifest(const std::string& dir) {
  std::vector<ManifestRow> rows;
  std::istringstream in(ReadFileOrDie(dir + "/MANIFEST.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols = absl::StrSplit(line, '\t');
    if (cols.size() < 3) continue;
    rows.push_back({cols[0], cols[1], cols[2]});
  }
  return rows;
}

std::string VerdictString(const Verdict& v) {
  if (v.sub_indication == SubIndication::kNone) return std::string(ToString(v.indication));
  return absl::StrCat(ToString(v.indication), "/", ToString(v.sub_indication));
}

}  // namespace kyso::testing
