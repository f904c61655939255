// One bounded HTTP exchange with libcurl, for revocation evidence: an OCSP request (RFC 6960
// appendix A, RFC 5019) or a CRL download.
//
// Only http and https; no redirects (a 3xx is an error: a responder that moved is not followed
// anywhere a document could point it); connect and total timeouts; the body is capped and a
// larger one is an error. Nothing here decides whether the bytes are any good.
//
// Thread-safety: thread-safe (one easy handle per call; curl_global_init runs once).
#ifndef KYSO_SERVICE_REVOCATION_HTTP_FETCH_H_
#define KYSO_SERVICE_REVOCATION_HTTP_FETCH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace kyso {

struct HttpFetchRequest {
  std::string url;
  std::string post_body;     // empty: GET
  std::string content_type;  // for POST
  absl::Duration connect_timeout = absl::Seconds(2);
  absl::Duration total_timeout = absl::Seconds(3);
  size_t max_bytes = 64 << 10;
};

// The response body of a 200 answer. kInvalidArgument for a URL that is not http(s);
// kDeadlineExceeded on timeout; kResourceExhausted over max_bytes; kUnavailable for connection
// failures and non-200 statuses.
absl::StatusOr<std::string> HttpFetch(const HttpFetchRequest& request);

}  // namespace kyso

#endif  // KYSO_SERVICE_REVOCATION_HTTP_FETCH_H_
