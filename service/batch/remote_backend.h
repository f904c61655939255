// `kyso batch --server HOST:PORT`: documents through one SignatureVerifier.VerifyStream.
//
// One thread writes requests as the runner submits them (each with its own detached content and
// validation time, which is why this is not service/cli/remote_verify.cc's VerifyStream, whose
// requests share both), one reads responses and matches them by request_id. The runner's window
// bounds the requests in flight; the server's own window and gRPC flow control hold the writer
// back further when the server is busy.
//
// Thread-safety: Submit() from one thread; `done` runs on the reader thread.
#ifndef KYSO_SERVICE_BATCH_REMOTE_BACKEND_H_
#define KYSO_SERVICE_BATCH_REMOTE_BACKEND_H_

#include <memory>
#include <string>

#include "service/batch/verify_backend.h"
#include "service/client_channel.h"

namespace kyso::batch {

using RemoteTls = ClientTls;

// Fails only for an address gRPC cannot use; an unreachable server shows at the first result.
absl::StatusOr<std::unique_ptr<VerifyBackend>> ConnectRemoteBackend(const std::string& address,
                                                                    const RemoteTls& tls);

}  // namespace kyso::batch

#endif  // KYSO_SERVICE_BATCH_REMOTE_BACKEND_H_
