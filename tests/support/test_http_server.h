// A small HTTP/1.1 server on a free loopback port, for tests of HTTP clients (OCSP over GET and
// POST, CRL downloads) against well-behaved and misbehaving servers.
//
//   KYSO_ASSIGN_OR_RETURN(std::unique_ptr<TestHttpServer> server,
//                         TestHttpServer::Start([](const HttpRequest& request) {
//                           HttpReply reply;
//                           reply.content_type = "application/ocsp-response";
//                           reply.body = AnswerFor(request.body);
//                           return reply;
//                         }));
//   Fetch(server->url("/ocsp"), ...);
//   EXPECT_EQ(server->request_count(), 1);
//   server.reset();  // wakes hanging replies, closes every socket, joins every thread
//
// What it speaks: one request per connection. It reads the request line, the header fields and a
// Content-Length body (no chunked requests: Transfer-Encoding is answered 501), answers
// "HTTP/1.1 100 Continue" to "Expect: 100-continue", calls the handler, sends its reply with
// "Connection: close" and closes. A request larger than kMaxRequestBytes in all is answered 413 or
// 431, one with more than kMaxHeaderCount fields 431, anything it cannot parse 400; none of these
// reach the handler or count as requests. Bytes are never interpreted beyond that: targets are not
// percent-decoded, and extra_headers are sent as given (a test may want a malformed reply).
//
// Misbehaviour is asked for per reply (HttpReply::fault), so one server can be well-behaved for one
// request and hang on the next.
//
// Thread-safety: thread-safe. The accessors may be called from any thread, including the handler's.
// The handler runs on the connection's own thread, possibly for several connections at once, so it
// must be thread-safe itself; it must return (the destructor waits for it) and must not destroy the
// server. Many servers may live in one process, one after another or at once.
#ifndef KYSO_TESTS_SUPPORT_TEST_HTTP_SERVER_H_
#define KYSO_TESTS_SUPPORT_TEST_HTTP_SERVER_H_

#include <atomic>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace kyso::testing {

struct HttpRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // as sent, e.g. "/ocsp/MEowSDBG...?x=1"
  std::string body;
  // Field names lower-cased, values with surrounding blanks removed; a repeated field has its
  // values joined with ", " (RFC 9110, section 5.3).
  std::map<std::string, std::string> headers;
};

struct HttpReply {
  int status = 200;
  std::string content_type = "application/octet-stream";
  std::string body;
  // Sent after Content-Type and Content-Length, as given, e.g. {"Location", "http://..."}.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  enum class Fault {
    kNone,
    // Read the request, then send nothing until the server stops (the client must time out).
    kHang,
    // Close right after reading the request: the client sees an empty reply.
    kCloseWithoutReply,
    // Send a Content-Length of body.size() but only body.size() / 2 bytes of the body, then close.
    // The body must not be empty (an empty body cannot be cut short).
    kTruncateBody,
    // Send the head at once, then the body one byte every 100 ms (stopping wakes it).
    kSlowBody,
  };
  Fault fault = Fault::kNone;
};

class TestHttpServer final {
 public:
  using Handler = std::function<HttpReply(const HttpRequest&)>;

  // A request (head and body together) larger than this is refused.
  static constexpr size_t kMaxRequestBytes = size_t{1} << 20;
  // A request with more header fields than this is refused.
  static constexpr int kMaxHeaderCount = 100;

  // Listens on 127.0.0.1 with port 0 (the kernel picks), serving each connection on its own
  // thread. InvalidArgument if handler is empty, Internal if the listening socket cannot be set up.
  static absl::StatusOr<std::unique_ptr<TestHttpServer>> Start(Handler handler);

  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;
  // Stops: wakes hanging and slow replies, closes the listener and every connection, and joins
  // every thread (after any handler call in progress returns).
  ~TestHttpServer();

  int port() const { return port_; }
  // "http://127.0.0.1:PORT/path"; a path without a leading '/' gets one.
  std::string url(absl::string_view path = "/") const;
  // Requests fully read so far (handed to the handler, or about to be).
  int request_count() const;
  // Copies of those requests, in the order they were read.
  std::vector<HttpRequest> requests() const;

  // A handler serving the regular files directly in folder by name: GET or HEAD "/NAME" (a query is
  // ignored) answers the file, 404 when there is no such file or NAME is not a plain file name
  // (empty, "." or "..", or containing '/'), 405 for other methods. Content types follow RFC 5280,
  // section 4.2.1.13 and RFC 2585: .crl is application/pkix-crl, .cer and .der
  // application/pkix-cert, .p7c application/pkcs7-mime, anything else application/octet-stream.
  // The file is read when each request arrives, so a test may replace it between requests.
  static Handler ServeFolder(std::string folder);

 private:
  // One connection's thread; `finished` lets the acceptor join it early.
  struct Connection {
    std::thread thread;
    std::atomic<bool> finished{false};
  };

  TestHttpServer(Handler handler, int listen_fd, int wake_read_fd, int wake_write_fd, int port);

  void AcceptLoop();
  void Serve(int fd);
  void JoinFinishedConnections();
  void Record(const HttpRequest& request);

  const Handler handler_;
  const int listen_fd_;
  // The self-pipe: every wait polls wake_read_fd_ too, and the destructor writes one byte that is
  // never read, so it stays readable and wakes every wait, present and future.
  const int wake_read_fd_;
  const int wake_write_fd_;
  const int port_;
  // Touched only by the acceptor thread, then by the destructor once the acceptor is joined.
  std::list<Connection> connections_;

  mutable absl::Mutex mu_;
  std::vector<HttpRequest> requests_ ABSL_GUARDED_BY(mu_);

  // Last, and started in the constructor's body: the thread uses every member above.
  std::thread acceptor_;
};

}  // namespace kyso::testing

#endif  // KYSO_TESTS_SUPPORT_TEST_HTTP_SERVER_H_
