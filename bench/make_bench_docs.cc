// Signs many distinct CMS documents quickly, for the benchmark sets (bench/make-bench-set.sh):
// one process signing in memory instead of one `openssl cms -sign` process per document.
//
//   kyso_make_bench_docs --cert s.pem --key s.key --extra ca.pem --count 1000 --size 4096
//       --out DIR --prefix s01-
//
// Each document is attached SignedData (RFC 5652) over `size` bytes of text unique to it, signed
// with SHA-256 and the key's default padding (PKCS#1 v1.5 for RSA), carrying the signer
// certificate and the --extra certificates, with the usual signed attributes (content-type,
// message-digest, signing-time). Not part of kyso: a tool for making load.
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "crypto/openssl_ptr.h"

namespace {

[[noreturn]] void Die(const std::string& why) {
  std::fprintf(stderr, "kyso_make_bench_docs: %s\n", why.c_str());
  ERR_print_errors_fp(stderr);
  std::exit(2);
}

kyso::X509Ptr ReadCert(const std::string& path) {
  kyso::BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) Die("cannot open " + path);
  kyso::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) Die("not a PEM certificate: " + path);
  return cert;
}

std::string Content(const std::string& prefix, int index, size_t size) {
  // Readable, distinct per document, exactly `size` bytes.
  std::string line = absl::StrFormat("kyso bench document %s%06d. ", prefix, index);
  std::string out;
  out.reserve(size + line.size());
  while (out.size() < size) out += line;
  out.resize(size);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string cert_path, key_path, out_dir, prefix;
  std::vector<std::string> extra_paths;
  int count = 100;
  size_t size = 4096;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--cert") {
      cert_path = value();
    } else if (arg == "--key") {
      key_path = value();
    } else if (arg == "--extra") {
      extra_paths.push_back(value());
    } else if (arg == "--count") {
      count = std::atoi(value().c_str());
    } else if (arg == "--size") {
      size = static_cast<size_t>(std::atol(value().c_str()));
    } else if (arg == "--out") {
      out_dir = value();
    } else if (arg == "--prefix") {
      prefix = value();
    } else {
      Die("unknown argument " + arg);
    }
  }
  if (cert_path.empty() || key_path.empty() || out_dir.empty()) {
    Die("usage: --cert PEM --key PEM [--extra PEM]... [--count N] [--size BYTES] --out DIR "
        "[--prefix P]");
  }
  kyso::X509Ptr cert = ReadCert(cert_path);
  kyso::BioPtr key_bio(BIO_new_file(key_path.c_str(), "r"));
  if (!key_bio) Die("cannot open " + key_path);
  kyso::EvpPkeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) Die("not a PEM private key: " + key_path);
  std::vector<kyso::X509Ptr> extras;
  kyso::BorrowingX509Stack chain = kyso::MakeBorrowingX509Stack();
  for (const std::string& p : extra_paths) {
    extras.push_back(ReadCert(p));
    sk_X509_push(chain.get(), extras.back().get());
  }
  for (int n = 0; n < count; ++n) {
    const std::string content = Content(prefix, n, size);
    kyso::BioPtr in(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
    kyso::CmsContentInfoPtr cms(
        CMS_sign(cert.get(), key.get(), chain.get(), in.get(), CMS_BINARY | CMS_NOSMIMECAP));
    if (!cms) Die("CMS_sign failed");
    unsigned char* der = nullptr;
    const int len = i2d_CMS_ContentInfo(cms.get(), &der);
    if (len <= 0) Die("i2d_CMS_ContentInfo failed");
    const std::string path = absl::StrFormat("%s/%s%06d.p7s", out_dir, prefix, n);
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(der), len);
    OPENSSL_free(der);
    if (!out) Die("cannot write " + path);
  }
  return 0;
}
