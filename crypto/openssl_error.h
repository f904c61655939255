// Converts OpenSSL's thread-local error queue into an absl::Status.
#ifndef KYSO_CRYPTO_OPENSSL_ERROR_H_
#define KYSO_CRYPTO_OPENSSL_ERROR_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace kyso {

// Drains the calling thread's OpenSSL error queue into a single line ("a; b; c"). Always drains,
// so a failure never leaks stale errors into the next, unrelated call on this thread.
std::string DrainOpenSslErrors();

// Returns a status with `code`, the message `what`, and the drained OpenSSL errors appended.
absl::Status OpenSslError(absl::string_view what,
                          absl::StatusCode code = absl::StatusCode::kInvalidArgument);

}  // namespace kyso

#endif  // KYSO_CRYPTO_OPENSSL_ERROR_H_
