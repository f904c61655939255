// The naive in-process peer for bench/compare.sh: what a program written straight from the OpenSSL
// manual does per document. Decode the whole message (d2i_CMS_ContentInfo decodes every embedded
// certificate), then CMS_verify with an X509_STORE of the anchors and the intermediates as
// untrusted certificates, which builds and checks the full chain for every document. Nothing is
// cached across documents but the store itself, built once per thread. No revocation checking.
//
//   kyso_naive_cms_verify --anchor root.pem [--intermediate ca.pem]... [--threads N]
//       [--duration SECONDS] [--at RFC3339] DIR_OR_FILE...
//
// Prints one JSON object (documents/s over all threads, passed and failed counts). Exit status 0
// when every document verified, 1 otherwise, 2 on usage errors.
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "bench/bench_inputs.h"
#include "crypto/openssl_ptr.h"
#include "nlohmann/json.hpp"

namespace {

int Usage(const std::string& why) {
  std::cerr << "kyso_naive_cms_verify: " << why
            << "\nusage: kyso_naive_cms_verify --anchor PEM [--intermediate PEM]... [--threads N] "
               "[--duration SECONDS] [--at RFC3339] DIR_OR_FILE...\n";
  return 2;
}

bool ReadPemCerts(const std::string& path, std::vector<kyso::X509Ptr>* out) {
  kyso::BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return false;
  size_t before = out->size();
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out->emplace_back(c);
  ERR_clear_error();  // the end of the file reads as an error
  return out->size() > before;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> anchor_paths, intermediate_paths, inputs;
  int threads = 0;
  double duration_s = 5;
  std::optional<time_t> at;  // validation time; unset: now
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--anchor" && i + 1 < argc) {
      anchor_paths.push_back(argv[++i]);
    } else if (arg == "--intermediate" && i + 1 < argc) {
      intermediate_paths.push_back(argv[++i]);
    } else if (arg == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (arg == "--duration" && i + 1 < argc) {
      duration_s = std::atof(argv[++i]);
    } else if (arg == "--at" && i + 1 < argc) {
      absl::StatusOr<absl::Time> t = kyso::bench::ParseAt(argv[++i]);
      if (!t.ok()) return Usage(std::string(t.status().message()));
      at = absl::ToTimeT(*t);
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage("unknown option " + arg);
    } else {
      inputs.push_back(arg);
    }
  }
  if (anchor_paths.empty() || inputs.empty()) return Usage("--anchor and documents are required");
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  std::vector<kyso::X509Ptr> anchors, intermediates;
  for (const auto& p : anchor_paths) {
    if (!ReadPemCerts(p, &anchors)) return Usage("no certificate in " + p);
  }
  for (const auto& p : intermediate_paths) {
    if (!ReadPemCerts(p, &intermediates)) return Usage("no certificate in " + p);
  }
  absl::StatusOr<std::vector<std::string>> read = kyso::bench::ReadDocuments(inputs);
  if (!read.ok()) return Usage(std::string(read.status().message()));
  const std::vector<std::string> docs = *std::move(read);
  if (docs.empty()) return Usage("no documents");

  std::atomic<size_t> next{0}, ok{0}, failed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  const auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      kyso::X509StorePtr store(X509_STORE_new());
      for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.get());
      if (at) X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()), *at);
      kyso::BorrowingX509Stack untrusted = kyso::MakeBorrowingX509Stack();
      for (const auto& c : intermediates) sk_X509_push(untrusted.get(), c.get());
      size_t mine_ok = 0, mine_failed = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        const std::string& der = docs[next.fetch_add(1, std::memory_order_relaxed) % docs.size()];
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        kyso::CmsContentInfoPtr cms(
            d2i_CMS_ContentInfo(nullptr, &p, static_cast<long>(der.size())));
        kyso::BioPtr out(BIO_new(BIO_s_mem()));
        if (cms && CMS_verify(cms.get(), untrusted.get(), store.get(), nullptr, out.get(),
                              CMS_BINARY) == 1) {
          ++mine_ok;
        } else {
          ++mine_failed;
          ERR_clear_error();
        }
      }
      ok += mine_ok;
      failed += mine_failed;
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(duration_s));
  stop = true;
  for (std::thread& w : workers) w.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const size_t total = ok + failed;
  nlohmann::json out = {{"documents", docs.size()}, {"threads", threads},
                        {"seconds", seconds},       {"verified", total},
                        {"per_s", total / seconds}, {"passed", ok.load()},
                        {"failed", failed.load()}};
  std::cout << out.dump() << std::endl;
  return failed == 0 ? 0 : 1;
}
