#include "tests/support/test_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace kyso::testing {
namespace {

// How long a finished connection waits for the client to close before closing itself (see Finish).
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::chrono::milliseconds kSlowBodyInterval{100};
// Pause after accept() fails for lack of resources (EMFILE and the like), so the acceptor does not
// spin while the connection waits in the backlog.
constexpr std::chrono::milliseconds kAcceptRetryPause{50};
constexpr size_t kReadChunk = size_t{16} * 1024;

absl::Status ErrnoError(absl::string_view what, int err) {
  return absl::InternalError(absl::StrCat(what, ": ", std::strerror(err)));
}

void CloseFd(int fd) {
  if (fd >= 0) {
    close(fd);
  }
}

enum class WaitResult { kReady, kStopped, kTimedOut, kFailed };

// Waits until fd is ready for events, the wake pipe is readable (the server stops) or the timeout
// passes (negative: none). fd may be -1 to wait for the pipe or the timeout only. Stopping wins
// over readiness.
WaitResult Wait(int wake_fd, int fd, int16_t events, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int timeout_ms = -1;
    if (timeout.count() >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      timeout_ms = static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
    }
    pollfd fds[2] = {{wake_fd, POLLIN, 0}, {fd, events, 0}};
    const int n = poll(fds, 2, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return WaitResult::kFailed;
    }
    if (fds[0].revents != 0) {
      return WaitResult::kStopped;
    }
    if (n == 0) {
      return WaitResult::kTimedOut;
    }
    // POLLERR and POLLHUP count as ready: the recv or send that follows reports them.
    return WaitResult::kReady;
  }
}

// Sends all of data on the non-blocking socket fd. False if the peer is gone or the server stops.
bool SendAll(int wake_fd, int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return false;
    }
    if (Wait(wake_fd, fd, POLLOUT, std::chrono::milliseconds(-1)) != WaitResult::kReady) {
      return false;
    }
  }
  return true;
}

enum class RecvResult { kData, kClosed, kStopped };

// Appends what is available on the non-blocking socket fd to buffer, waiting for at least one
// byte. kClosed covers both an orderly close and an error.
RecvResult RecvSome(int wake_fd, int fd, std::string* buffer) {
  char chunk[kReadChunk];
  for (;;) {
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n > 0) {
      buffer->append(chunk, static_cast<size_t>(n));
      return RecvResult::kData;
    }
    if (n == 0) {
      return RecvResult::kClosed;
    }
    if (errno == EINTR) {
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return RecvResult::kClosed;
    }
    switch (Wait(wake_fd, fd, POLLIN, std::chrono::milliseconds(-1))) {
      case WaitResult::kReady:
        break;
      case WaitResult::kStopped:
        return RecvResult::kStopped;
      case WaitResult::kTimedOut:
      case WaitResult::kFailed:
        return RecvResult::kClosed;
    }
  }
}

// Ends a connection without losing the reply: closing a socket with unread input makes the kernel
// send a reset, which can overtake the reply on its way to the client. So: half-close (the client
// sees the end of the reply), discard what the client still sends until it closes, the server
// stops, a bound is reached or kLingerTime passes, then close.
void Finish(int wake_fd, int fd) {
  shutdown(fd, SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + kLingerTime;
  size_t discarded = 0;
  char chunk[kReadChunk];
  while (discarded < TestHttpServer::kMaxRequestBytes) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || Wait(wake_fd, fd, POLLIN, left) != WaitResult::kReady) {
      break;
    }
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
      break;
    }
    if (n > 0) {
      discarded += static_cast<size_t>(n);
    }
  }
  close(fd);
}

absl::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

// The status line and header fields of reply, up to and including the blank line.
std::string ReplyHead(const HttpReply& reply) {
  std::string head =
      absl::StrCat("HTTP/1.1 ", reply.status, " ", ReasonPhrase(reply.status), "\r\n");
  if (!reply.content_type.empty()) {
    absl::StrAppend(&head, "Content-Type: ", reply.content_type, "\r\n");
  }
  absl::StrAppend(&head, "Content-Length: ", reply.body.size(), "\r\n");
  for (const auto& [name, value] : reply.extra_headers) {
    absl::StrAppend(&head, name, ": ", value, "\r\n");
  }
  absl::StrAppend(&head, "Connection: close\r\n\r\n");
  return head;
}

HttpReply Refusal(int status) {
  HttpReply reply;
  reply.status = status;
  reply.content_type = "text/plain";
  reply.body = absl::StrCat(status, " ", ReasonPhrase(status), "\n");
  return reply;
}

// RFC 9110, section 5.6.2: token = 1*tchar, tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+"
// / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA.
bool IsToken(absl::string_view s) {
  if (s.empty()) {
    return false;
  }
  for (const char c : s) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) &&
        std::strchr("!#$%&'*+-.^_`|~", c) == nullptr) {
      return false;
    }
  }
  return true;
}

// Field values and targets: visible characters, and (values only) blanks; no controls, no NUL.
bool IsCleanText(absl::string_view s, bool allow_blanks) {
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u == 0x7f || (u < 0x20 && !(allow_blanks && u == '\t')) || (!allow_blanks && u == ' ')) {
      return false;
    }
  }
  return true;
}

// Where the head ends in buffer (just past the blank line, which may be "\r\n" or a bare "\n"), or
// npos when it has not arrived yet. Searching starts at from.
size_t FindHeadEnd(absl::string_view buffer, size_t from) {
  for (size_t i = buffer.find('\n', from); i != absl::string_view::npos;
       i = buffer.find('\n', i + 1)) {
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') {
      return i + 2;
    }
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') {
      return i + 3;
    }
  }
  return absl::string_view::npos;
}

struct ParsedHead {
  HttpRequest request;
  size_t content_length = 0;
  bool expect_continue = false;
};

// Parses a request head (request line and header fields, without the blank line that ends it).
// Returns 0, or the status to refuse the request with.
int ParseHead(absl::string_view head, ParsedHead* parsed) {
  std::vector<absl::string_view> lines = absl::StrSplit(head, '\n');
  for (absl::string_view& line : lines) {
    absl::ConsumeSuffix(&line, "\r");
  }
  // RFC 9112, section 3: request-line = method SP request-target SP HTTP-version.
  const std::vector<absl::string_view> parts = absl::StrSplit(lines[0], ' ');
  if (parts.size() != 3 || !IsToken(parts[0]) || parts[1].empty() ||
      !IsCleanText(parts[1], /*allow_blanks=*/false)) {
    return 400;
  }
  if (parts[2] != "HTTP/1.1" && parts[2] != "HTTP/1.0") {
    const bool looks_like_version = parts[2].size() == 8 && absl::StartsWith(parts[2], "HTTP/") &&
                                    absl::ascii_isdigit(parts[2][5]) && parts[2][6] == '.' &&
                                    absl::ascii_isdigit(parts[2][7]);
    return looks_like_version ? 505 : 400;
  }
  HttpRequest& request = parsed->request;
  request.method.assign(parts[0].begin(), parts[0].end());
  request.target.assign(parts[1].begin(), parts[1].end());

  if (lines.size() - 1 > static_cast<size_t>(TestHttpServer::kMaxHeaderCount)) {
    return 431;
  }
  std::vector<absl::string_view> content_lengths;
  for (size_t i = 1; i < lines.size(); ++i) {
    const absl::string_view line = lines[i];
    // RFC 9112, section 5.2: a server MUST reject obs-fold (a line starting with a blank) with 400
    // unless it replaces it; and section 5.1: no whitespace between field name and colon.
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos || !IsToken(line.substr(0, colon))) {
      return 400;
    }
    const absl::string_view value = absl::StripAsciiWhitespace(line.substr(colon + 1));
    if (!IsCleanText(value, /*allow_blanks=*/true)) {
      return 400;
    }
    const std::string name = absl::AsciiStrToLower(line.substr(0, colon));
    if (name == "content-length") {
      content_lengths.push_back(value);
    }
    auto [it, inserted] = request.headers.emplace(name, value);
    if (!inserted) {
      absl::StrAppend(&it->second, ", ", value);
    }
  }

  if (request.headers.count("transfer-encoding") != 0) {
    return 501;  // chunked requests are not needed by any test
  }
  // RFC 9110, section 8.6: a list of identical values may be taken as one; anything else is an
  // error (RFC 9112, section 6.3).
  bool have_length = false;
  for (const absl::string_view field : content_lengths) {
    for (const absl::string_view element : absl::StrSplit(field, ',')) {
      const absl::string_view digits = absl::StripAsciiWhitespace(element);
      uint64_t length = 0;
      if (digits.empty() || digits.size() > 19 ||
          !std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit) ||
          !absl::SimpleAtoi(digits, &length)) {
        return 400;
      }
      if (have_length && length != parsed->content_length) {
        return 400;
      }
      if (length > TestHttpServer::kMaxRequestBytes) {
        return 413;
      }
      parsed->content_length = static_cast<size_t>(length);
      have_length = true;
    }
  }
  const auto expect = request.headers.find("expect");
  parsed->expect_continue =
      expect != request.headers.end() && absl::EqualsIgnoreCase(expect->second, "100-continue");
  return 0;
}

enum class ReadResult { kComplete, kRefused, kGone };

// Reads one request from fd. On kRefused, *refusal_status says why; on kGone the client closed
// early or the server is stopping, and there is nobody to answer.
ReadResult ReadRequest(int wake_fd, int fd, ParsedHead* parsed, int* refusal_status) {
  std::string buffer;
  size_t head_end = absl::string_view::npos;
  while (head_end == absl::string_view::npos) {
    if (buffer.size() > TestHttpServer::kMaxRequestBytes) {
      *refusal_status = 431;
      return ReadResult::kRefused;
    }
    const size_t before = buffer.size();
    if (RecvSome(wake_fd, fd, &buffer) != RecvResult::kData) {
      return ReadResult::kGone;
    }
    // A terminator may straddle the previous read: look back two bytes.
    head_end = FindHeadEnd(buffer, before >= 2 ? before - 2 : 0);
  }
  if (head_end > TestHttpServer::kMaxRequestBytes) {
    *refusal_status = 431;
    return ReadResult::kRefused;
  }
  // The head without its final blank line ("\n" or "\r\n").
  absl::string_view head(buffer.data(), head_end - 1);
  absl::ConsumeSuffix(&head, "\r");
  head.remove_suffix(1);  // the '\n' ending the last field line
  absl::ConsumeSuffix(&head, "\r");
  if (const int status = ParseHead(head, parsed); status != 0) {
    *refusal_status = status;
    return ReadResult::kRefused;
  }
  if (head_end + parsed->content_length > TestHttpServer::kMaxRequestBytes) {
    *refusal_status = 413;
    return ReadResult::kRefused;
  }
  const size_t body_end = head_end + parsed->content_length;
  if (buffer.size() < body_end && parsed->expect_continue &&
      !SendAll(wake_fd, fd, "HTTP/1.1 100 Continue\r\n\r\n")) {
    return ReadResult::kGone;
  }
  while (buffer.size() < body_end) {
    if (RecvSome(wake_fd, fd, &buffer) != RecvResult::kData) {
      return ReadResult::kGone;
    }
  }
  // Anything past the body (a pipelined request) is ignored: every connection carries one request.
  parsed->request.body = buffer.substr(head_end, parsed->content_length);
  return ReadResult::kComplete;
}

absl::string_view ContentTypeFor(absl::string_view name) {
  const size_t dot = name.rfind('.');
  const std::string extension =
      dot == absl::string_view::npos ? "" : absl::AsciiStrToLower(name.substr(dot + 1));
  if (extension == "crl") {
    return "application/pkix-crl";
  }
  if (extension == "cer" || extension == "der") {
    return "application/pkix-cert";
  }
  if (extension == "p7c") {
    return "application/pkcs7-mime";
  }
  return "application/octet-stream";
}

// The bytes of the regular file at path, or false if it is absent, not a regular file or
// unreadable.
bool ReadRegularFile(const std::string& path, std::string* contents) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  absl::Cleanup closer = [fd] { close(fd); };
  struct stat info;
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    return false;
  }
  contents->clear();
  char chunk[kReadChunk];
  for (;;) {
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n == 0) {
      return true;
    }
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    contents->append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestHttpServer>> TestHttpServer::Start(Handler handler) {
  if (!handler) {
    return absl::InvalidArgumentError("TestHttpServer needs a handler");
  }
  const int listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd < 0) {
    return ErrnoError("socket", errno);
  }
  absl::Cleanup close_listener = [listen_fd] { close(listen_fd); };
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  if (bind(listen_fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    return ErrnoError("bind 127.0.0.1:0", errno);
  }
  if (listen(listen_fd, SOMAXCONN) != 0) {
    return ErrnoError("listen", errno);
  }
  socklen_t length = sizeof(address);
  if (getsockname(listen_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return ErrnoError("getsockname", errno);
  }
  int wake_fds[2];
  if (pipe2(wake_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return ErrnoError("pipe2", errno);
  }
  std::move(close_listener).Cancel();
  return std::unique_ptr<TestHttpServer>(new TestHttpServer(
      std::move(handler), listen_fd, wake_fds[0], wake_fds[1], ntohs(address.sin_port)));
}

TestHttpServer::TestHttpServer(Handler handler, int listen_fd, int wake_read_fd, int wake_write_fd,
                               int port)
    : handler_(std::move(handler)),
      listen_fd_(listen_fd),
      wake_read_fd_(wake_read_fd),
      wake_write_fd_(wake_write_fd),
      port_(port) {
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestHttpServer::~TestHttpServer() {
  const char byte = 0;
  while (write(wake_write_fd_, &byte, 1) < 0 && errno == EINTR) {
  }
  acceptor_.join();
  for (Connection& connection : connections_) {
    connection.thread.join();
  }
  CloseFd(listen_fd_);
  CloseFd(wake_read_fd_);
  CloseFd(wake_write_fd_);
}

std::string TestHttpServer::url(absl::string_view path) const {
  return absl::StrCat("http://127.0.0.1:", port_, absl::StartsWith(path, "/") ? "" : "/", path);
}

int TestHttpServer::request_count() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(requests_.size());
}

std::vector<HttpRequest> TestHttpServer::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

void TestHttpServer::Record(const HttpRequest& request) {
  absl::MutexLock lock(&mu_);
  requests_.push_back(request);
}

void TestHttpServer::JoinFinishedConnections() {
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->finished.load(std::memory_order_acquire)) {
      it->thread.join();
      it = connections_.erase(it);
    } else {
      ++it;
    }
  }
}

void TestHttpServer::AcceptLoop() {
  for (;;) {
    switch (Wait(wake_read_fd_, listen_fd_, POLLIN, std::chrono::milliseconds(-1))) {
      case WaitResult::kReady:
        break;
      case WaitResult::kStopped:
        return;
      case WaitResult::kTimedOut:
      case WaitResult::kFailed:
        std::fprintf(stderr, "TestHttpServer: poll failed: %s\n", std::strerror(errno));
        return;
    }
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        if (Wait(wake_read_fd_, -1, 0, kAcceptRetryPause) == WaitResult::kStopped) {
          return;
        }
      }
      // Otherwise EAGAIN (the client gave up), EINTR, ECONNABORTED and the like: wait again.
      continue;
    }
    JoinFinishedConnections();
    Connection& connection = connections_.emplace_back();
    connection.thread = std::thread([this, fd, &connection] {
      Serve(fd);
      connection.finished.store(true, std::memory_order_release);
    });
  }
}

void TestHttpServer::Serve(int fd) {
  ParsedHead parsed;
  int refusal_status = 0;
  switch (ReadRequest(wake_read_fd_, fd, &parsed, &refusal_status)) {
    case ReadResult::kComplete:
      break;
    case ReadResult::kRefused: {
      const HttpReply refusal = Refusal(refusal_status);
      if (SendAll(wake_read_fd_, fd, ReplyHead(refusal) + refusal.body)) {
        Finish(wake_read_fd_, fd);
      } else {
        close(fd);
      }
      return;
    }
    case ReadResult::kGone:
      close(fd);
      return;
  }

  Record(parsed.request);
  const HttpReply reply = handler_(parsed.request);
  const bool is_head = parsed.request.method == "HEAD";
  // False when the connection is to end at once (the server stops or the client is gone, or a hang
  // ended), true for the orderly close of Finish.
  bool sent = true;
  switch (reply.fault) {
    case HttpReply::Fault::kNone:
      sent = SendAll(wake_read_fd_, fd, ReplyHead(reply) + (is_head ? "" : reply.body));
      break;
    case HttpReply::Fault::kHang: {
      // Nothing is sent; input is discarded so that a client closing its end ends the wait early.
      std::string discarded;
      while (RecvSome(wake_read_fd_, fd, &discarded) == RecvResult::kData) {
        discarded.clear();
      }
      sent = false;
      break;
    }
    case HttpReply::Fault::kCloseWithoutReply:
      break;
    case HttpReply::Fault::kTruncateBody:
      sent = SendAll(wake_read_fd_, fd,
                     ReplyHead(reply) + reply.body.substr(0, is_head ? 0 : reply.body.size() / 2));
      break;
    case HttpReply::Fault::kSlowBody:
      sent = SendAll(wake_read_fd_, fd, ReplyHead(reply));
      for (size_t i = 0; sent && !is_head && i < reply.body.size(); ++i) {
        sent = Wait(wake_read_fd_, -1, 0, kSlowBodyInterval) == WaitResult::kTimedOut &&
               SendAll(wake_read_fd_, fd, absl::string_view(&reply.body[i], 1));
      }
      break;
  }
  if (sent) {
    Finish(wake_read_fd_, fd);
  } else {
    close(fd);
  }
}

TestHttpServer::Handler TestHttpServer::ServeFolder(std::string folder) {
  return [folder = std::move(folder)](const HttpRequest& request) {
    if (request.method != "GET" && request.method != "HEAD") {
      HttpReply reply = Refusal(405);
      reply.extra_headers.emplace_back("Allow", "GET, HEAD");
      return reply;
    }
    absl::string_view name = request.target;
    name = name.substr(0, name.find_first_of("?#"));
    if (!absl::ConsumePrefix(&name, "/") || name.empty() || name == "." || name == ".." ||
        name.find('/') != absl::string_view::npos || name.find('\0') != absl::string_view::npos) {
      return Refusal(404);
    }
    HttpReply reply;
    if (!ReadRegularFile(absl::StrCat(folder, "/", name), &reply.body)) {
      return Refusal(404);
    }
    reply.content_type = std::string(ContentTypeFor(name));
    return reply;
  };
}

}  // namespace kyso::testing
