// What the benchmark programs share about their inputs: the documents named on the command line
// (files, or every regular file of a folder, in name order) read into memory, and --at times.
//
//   absl::StatusOr<std::vector<std::string>> docs =
//   kyso::bench::ReadDocuments({"build/bench-data/cms"}); absl::StatusOr<absl::Time> at =
//   kyso::bench::ParseAt("2026-01-01T00:00:00Z");
//
// Header-only: the programs link different libraries (kyso_loadgen no kyso_crypto).
#ifndef KYSO_BENCH_BENCH_INPUTS_H_
#define KYSO_BENCH_BENCH_INPUTS_H_

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace kyso::bench {

// The bytes of every input: a file, or each regular file of a folder (sorted by name, so a run
// sends the same documents in the same order).
inline absl::StatusOr<std::vector<std::string>> ReadDocuments(
    const std::vector<std::string>& inputs) {
  std::vector<std::string> docs;
  for (const std::string& in : inputs) {
    std::vector<std::string> files;
    std::error_code ec;
    if (std::filesystem::is_directory(in, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(in, ec)) {
        if (e.is_regular_file()) files.push_back(e.path().string());
      }
      if (ec) return absl::NotFoundError(absl::StrCat("cannot list ", in, ": ", ec.message()));
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(in);
    }
    for (const std::string& f : files) {
      std::ifstream s(f, std::ios::binary);
      if (!s) return absl::NotFoundError(absl::StrCat("cannot read ", f));
      docs.emplace_back(std::istreambuf_iterator<char>(s), std::istreambuf_iterator<char>());
    }
  }
  return docs;
}

// --at: an RFC 3339 time (2026-01-01T00:00:00Z).
inline absl::StatusOr<absl::Time> ParseAt(const std::string& text) {
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &t, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--at takes an RFC 3339 time (2026-01-01T00:00:00Z): ", error));
  }
  return t;
}

}  // namespace kyso::bench

#endif  // KYSO_BENCH_BENCH_INPUTS_H_
