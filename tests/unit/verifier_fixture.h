// Shared setup for tests that verify the generated fixture documents: the demo trust store
// (anchors + intermediates pool from tests/pki), the default policy and the pinned validation
// time every fixture expectation is written for.
#ifndef KYSO_TESTS_UNIT_VERIFIER_FIXTURE_H_
#define KYSO_TESTS_UNIT_VERIFIER_FIXTURE_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "crypto/verification_context.h"

namespace kyso::testing {

// 2026-01-01T00:00:00Z: inside every "valid" certificate's window, after signer-expired's and
// before signer-notyetvalid's.
absl::Time PinnedTime();

// Context over tests/pki's anchors/ and intermediates/ (or only the anchors).
VerificationContext DemoContext(bool with_intermediates = true);

// One row of the fixtures' MANIFEST.tsv (tests/pki/make-documents.sh): file, description and the
// expected "INDICATION/SUB_INDICATION".
struct ManifestRow {
  std::string file;
  std::string description;
  std::string expected;
};
// For readable test names in failures instead of a byte dump.
inline void PrintTo(const ManifestRow& row, std::ostream* os) { *os << row.file; }

std::vector<ManifestRow> ReadManifest(const std::string& dir);
std::vector<ManifestRow> ReadManifest();  // the CMS documents' (DocsDir())

// The XML fixtures (tests/xml/make-xml-documents.sh).
std::string XmlDir();

// "INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND" style rendering of a verdict, for readable failures.
std::string VerdictString(const Verdict& v);

}  // namespace kyso::testing

#endif  // KYSO_TESTS_UNIT_VERIFIER_FIXTURE_H_
