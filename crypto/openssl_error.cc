#include "crypto/openssl_error.h"

#include <openssl/err.h>

#include "absl/strings/str_cat.h"

namespace kyso {

std::string DrainOpenSslErrors() {
  std::string out;
  unsigned long code;  // NOLINT(google-runtime-int): OpenSSL's type.
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

absl::Status OpenSslError(absl::string_view what, absl::StatusCode code) {
  std::string errors = DrainOpenSslErrors();
  if (errors.empty()) return absl::Status(code, what);
  return absl::Status(code, absl::StrCat(what, ": ", errors));
}

}  // namespace kyso
