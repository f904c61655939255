// Where the generated test data lives, for tests run by ctest.
//
//   const std::string der = ReadFileOrDie(DocsDir() + "/valid-rsa2048.p7s");
//
// The build generates the PKI and documents into <build>/testdata (tests/pki/CMakeLists.txt) and
// ctest passes that folder as KYSO_TEST_DATA (tests/CMakeLists.txt). A test run any other way must
// set it; these functions abort with a message when the data cannot be found, because a test that
// silently skips its fixtures proves nothing.
//
// Thread-safety: thread-safe.
#ifndef KYSO_TESTS_SUPPORT_TEST_DATA_H_
#define KYSO_TESTS_SUPPORT_TEST_DATA_H_

#include <string>

namespace kyso::testing {

// $KYSO_TEST_DATA; aborts if it is unset or empty.
std::string TestDataDir();

// The output of tests/pki/make-pki.sh: certs/, keys/, ca/, anchors/, trust.yaml, ...
std::string PkiDir();

// The output of tests/pki/make-documents.sh: the signed documents and MANIFEST.tsv.
std::string DocsDir();

// The kyso source tree ($KYSO_SOURCE_DIR, else the one this build was configured from).
std::string SourceDir();

// The build tree ($KYSO_BINARY_DIR, else this build's): programs live under it (service/kyso).
std::string BinaryDir();

// The bytes of the file at path; aborts if it cannot be read.
std::string ReadFileOrDie(const std::string& path);

}  // namespace kyso::testing

#endif  // KYSO_TESTS_SUPPORT_TEST_DATA_H_
