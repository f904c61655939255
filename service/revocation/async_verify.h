// Verifies a document without ever waiting for the network on the calling thread: the shape the
// gRPC service's CPU workers need (DESIGN.md: "network waits never block a CPU worker").
//
//   VerifyWithAsyncRevocation(&verifier, bytes, {}, ctx, &online, cpu_pool,
//                             [](DocumentReport report) { ... });
//
// Pass 1 runs at once on the caller's thread, answering revocation from the memory cache only; in
// steady state that is the whole verification and `done` runs before the call returns. Each
// certificate the cache could not answer for is fetched with CheckAsync on the source's I/O
// threads (concurrent documents from one signer share one fetch and hold no thread while they
// wait); when the last answer arrives, pass 2 runs on `cpu` with those answers, and `done` runs
// there.
#ifndef KYSO_SERVICE_REVOCATION_ASYNC_VERIFY_H_
#define KYSO_SERVICE_REVOCATION_ASYNC_VERIFY_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "crypto/verifier.h"
#include "service/revocation/online_source.h"

namespace kyso {

// Runs a task on the caller's CPU pool.
using Executor = std::function<void(std::function<void()>)>;

// `bytes` and `detached` need to live only for the call: a document that waits for revocation
// evidence is copied. `verifier` and `online` must outlive every pending verification;
// `context.revocation` is ignored (the two passes bring their own).
void VerifyWithAsyncRevocation(Verifier* verifier, absl::string_view bytes,
                               absl::Span<const DetachedContent> detached,
                               VerificationContext context, OnlineRevocationSource* online,
                               Executor cpu, std::function<void(DocumentReport)> done);

}  // namespace kyso

#endif  // KYSO_SERVICE_REVOCATION_ASYNC_VERIFY_H_
