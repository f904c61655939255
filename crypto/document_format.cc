#include "crypto/document_format.h"

#include <openssl/pem.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "crypto/openssl_error.h"
#include "crypto/openssl_ptr.h"

namespace kyso {
namespace {

constexpr absl::string_view kPemNames[] = {"PKCS7", "CMS", "PKCS #7 SIGNED DATA"};

absl::string_view SkipBomAndSpace(absl::string_view s) {
  if (absl::StartsWith(s, "\xEF\xBB\xBF")) s.remove_prefix(3);
  return absl::StripLeadingAsciiWhitespace(s);
}

}  // namespace

absl::string_view ToString(DocumentFormat format) {
  switch (format) {
    case DocumentFormat::kCmsDer:
    case DocumentFormat::kCmsPem:
      return "cms";
    case DocumentFormat::kXml:
      return "xml";
    case DocumentFormat::kUnknown:
      return "unknown";
  }
  return "unknown";
}

DocumentFormat DetectFormat(absl::string_view bytes) {
  if (bytes.empty()) return DocumentFormat::kUnknown;
  if (static_cast<uint8_t>(bytes[0]) == 0x30) return DocumentFormat::kCmsDer;
  const absl::string_view text = SkipBomAndSpace(bytes);
  if (absl::StartsWith(text, "-----BEGIN ")) {
    for (absl::string_view name : kPemNames) {
      if (absl::StartsWith(text.substr(11), name)) return DocumentFormat::kCmsPem;
    }
    return DocumentFormat::kUnknown;
  }
  if (absl::StartsWith(text, "<")) return DocumentFormat::kXml;
  return DocumentFormat::kUnknown;
}

absl::StatusOr<std::string> DecodeCmsPem(absl::string_view pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return OpenSslError("cannot allocate BIO", absl::StatusCode::kInternal);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;  // NOLINT(google-runtime-int)
  if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
    return OpenSslError("invalid PEM");
  }
  const std::string block_name = name;
  std::string der(reinterpret_cast<char*>(data), static_cast<size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  bool known = false;
  for (absl::string_view n : kPemNames) known = known || block_name == n;
  if (!known) return absl::InvalidArgumentError("PEM block is " + block_name + ", not CMS");
  char* rest = nullptr;
  const long rest_len = BIO_get_mem_data(bio.get(), &rest);  // NOLINT(google-runtime-int)
  if (!absl::StripAsciiWhitespace(absl::string_view(rest, static_cast<size_t>(rest_len))).empty()) {
    return absl::OutOfRangeError("data follows the PEM block");
  }
  return der;
}

}  // namespace kyso
