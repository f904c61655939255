// Base64 (RFC 4648) decoding of the kind found in XML signatures: white space anywhere is ignored,
// padding is required, anything else is an error.
#ifndef KYSO_CRYPTO_BASE64_H_
#define KYSO_CRYPTO_BASE64_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kyso {

absl::StatusOr<std::string> Base64Decode(absl::string_view text);

}  // namespace kyso

#endif  // KYSO_CRYPTO_BASE64_H_
