// A stand-in for libFuzzer's main, so that every fuzz target also builds with any compiler and
// replays its seed corpus under plain ctest (tests/fuzz/CMakeLists.txt):
//
//   der_reader_fuzz_replay tests/fuzz/corpus <build>/testdata/docs crash-1234
//
// Each argument is a file or a folder; a folder contributes its regular files (not recursively,
// dotfiles skipped, in name order so that a failure reproduces in the same order). Every input is
// run once through LLVMFuzzerTestOneInput. A target reports a bug by crashing, as under libFuzzer,
// so this program only fails (exit 1) when it finds no input at all or cannot read one: a replay
// that silently ran nothing would prove nothing.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// Appends the inputs named by `arg`; false (with a message) when it names nothing readable.
bool CollectInputs(const std::string& arg, std::vector<fs::path>* out) {
  std::error_code ec;
  if (fs::is_directory(arg, ec)) {
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::directory_iterator(arg, ec)) {
      if (!e.is_regular_file(ec)) continue;
      if (e.path().filename().string().rfind('.', 0) == 0) continue;  // .stamp and the like
      files.push_back(e.path());
    }
    if (ec) {
      std::fprintf(stderr, "replay: cannot list %s: %s\n", arg.c_str(), ec.message().c_str());
      return false;
    }
    std::sort(files.begin(), files.end());
    out->insert(out->end(), files.begin(), files.end());
    return true;
  }
  if (fs::is_regular_file(arg, ec)) {
    out->push_back(arg);
    return true;
  }
  std::fprintf(stderr, "replay: %s is neither a file nor a folder\n", arg.c_str());
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    // libFuzzer flags (-runs=..., -max_len=...) are accepted and ignored, so one command line
    // serves both builds of a target.
    if (!arg.empty() && arg[0] == '-') continue;
    if (!CollectInputs(arg, &inputs)) return 1;
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "usage: %s FILE_OR_FOLDER...: no input given\n", argv[0]);
    return 1;
  }
  for (const fs::path& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "replay: cannot read %s\n", path.c_str());
      return 1;
    }
    // Print before running, so that the input that crashed is the last line of the log.
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), bytes.size());
    // A copy in its own allocation, so that AddressSanitizer (when enabled) catches a read one
    // byte past the end exactly as under libFuzzer.
    // new[] of 0 bytes still returns a unique non-null pointer, as libFuzzer passes.
    std::unique_ptr<uint8_t[]> copy(new uint8_t[bytes.size()]);
    std::copy(bytes.begin(), bytes.end(), copy.get());
    LLVMFuzzerTestOneInput(copy.get(), bytes.size());
  }
  std::fprintf(stderr, "replay: %zu inputs ran\n", inputs.size());
  return 0;
}
