#include "tests/support/test_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/subprocess.h"
#include "tests/support/test_data.h"

namespace kyso::testing {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// The bytes of a string literal, embedded NULs included.
template <size_t N>
std::string Bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

// Answers "METHOD TARGET\nBODY" as text/plain.
HttpReply Echo(const HttpRequest& request) {
  HttpReply reply;
  reply.content_type = "text/plain";
  reply.body = absl::StrCat(request.method, " ", request.target, "\n", request.body);
  return reply;
}

// A handler that answers every request with reply.
TestHttpServer::Handler Always(HttpReply reply) {
  return [reply = std::move(reply)](const HttpRequest&) { return reply; };
}

std::unique_ptr<TestHttpServer> StartOrDie(TestHttpServer::Handler handler) {
  absl::StatusOr<std::unique_ptr<TestHttpServer>> server =
      TestHttpServer::Start(std::move(handler));
  if (!server.ok()) {
    ADD_FAILURE() << server.status();
    return nullptr;
  }
  return *std::move(server);
}

// The curl command line: no ~/.curlrc (-q must come first), no proxy from the environment, errors
// on stderr, and a generous overall limit so that a server bug fails the test instead of hanging
// it. A later --max-time in args overrides the limit (curl keeps an option's last value).
std::vector<std::string> CurlArgv(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"curl", "-q", "--noproxy", "*", "-sS", "--max-time", "60"};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult Curl(const std::vector<std::string>& args) {
  absl::StatusOr<CommandResult> result = RunCommand(CurlArgv(args));
  EXPECT_TRUE(result.ok()) << result.status();
  return result.ok() ? *std::move(result) : CommandResult{-1, "", ""};
}

// Sends bytes on a new connection, half-closes it and returns everything the server sends back
// until it closes. The half-close ends any request the bytes leave incomplete.
std::string RawExchange(int port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ADD_FAILURE() << "socket: " << std::strerror(errno);
    return "";
  }
  absl::Cleanup closer = [fd] { close(fd); };
  // Only so that a server bug fails the test instead of hanging it.
  const timeval limit = {60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    ADD_FAILURE() << "connect: " << std::strerror(errno);
    return "";
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;  // the server may refuse early and close; what it answered is still readable
    }
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string received;
  char chunk[4096];
  for (;;) {
    const ssize_t n = recv(fd, chunk, sizeof(chunk), 0);
    if (n > 0) {
      received.append(chunk, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      EXPECT_TRUE(n == 0 || errno == ECONNRESET) << "recv: " << std::strerror(errno);
      return received;
    }
  }
}

// A fresh folder under the test's temporary directory, removed with the object.
class TempFolder final {
 public:
  TempFolder() {
    std::string pattern = ::testing::TempDir() + "kyso-http-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
    } else {
      ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
    }
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::string& path() const { return path_; }
  void Write(const std::string& name, const std::string& contents) const {
    std::ofstream(path_ + "/" + name, std::ios::binary) << contents;
  }

 private:
  std::string path_;
};

TEST(TestHttpServer, UrlNamesTheLoopbackPort) {
  std::unique_ptr<TestHttpServer> server = StartOrDie(Echo);
  ASSERT_NE(server, nullptr);
  ASSERT_GT(server->port(), 0);
  const std::string base = absl::StrCat("http://127.0.0.1:", server->port());
  EXPECT_EQ(server->url(), base + "/");
  EXPECT_EQ(server->url("/ca.crl"), base + "/ca.crl");
  EXPECT_EQ(server->url("ca.crl"), base + "/ca.crl");
  EXPECT_EQ(server->request_count(), 0);
  EXPECT_THAT(server->requests(), IsEmpty());
}

TEST(TestHttpServer, RefusesAnEmptyHandler) {
  EXPECT_EQ(TestHttpServer::Start(nullptr).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(TestHttpServer, AnswersGet) {
  std::unique_ptr<TestHttpServer> server = StartOrDie(Echo);
  ASSERT_NE(server, nullptr);
  const CommandResult result =
      Curl({"-H", "X-Kyso-Test:  padded value ", server->url("/ocsp/MEowSDBG?x=1")});
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
  EXPECT_EQ(result.stdout_text, "GET /ocsp/MEowSDBG?x=1\n");

  ASSERT_EQ(server->request_count(), 1);
  const HttpRequest request = server->requests()[0];
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.target, "/ocsp/MEowSDBG?x=1");
  EXPECT_EQ(request.body, "");
  EXPECT_EQ(request.headers.at("host"), absl::StrCat("127.0.0.1:", server->port()));
  EXPECT_THAT(request.headers.at("user-agent"), StartsWith("curl/"));
  EXPECT_EQ(request.headers.at("x-kyso-test"), "padded value");
}

TEST(TestHttpServer, AnswersPostWithBody) {
  std::unique_ptr<TestHttpServer> server = StartOrDie(Echo);
  ASSERT_NE(server, nullptr);
  const CommandResult result =
      Curl({"-H", "Content-Type: application/ocsp-request", "--data-binary", "request bytes", "-D",
            "-", server->url("/ocsp")});
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
  EXPECT_THAT(result.stdout_text, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(result.stdout_text, HasSubstr("Content-Type: text/plain\r\n"));
  EXPECT_THAT(result.stdout_text, HasSubstr("Connection: close\r\n"));
  EXPECT_THAT(result.stdout_text, HasSubstr("\r\n\r\nPOST /ocsp\nrequest bytes"));

  ASSERT_EQ(server->request_count(), 1);
  const HttpRequest request = server->requests()[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.body, "request bytes");
  EXPECT_EQ(request.headers.at("content-type"), "application/ocsp-request");
  EXPECT_EQ(request.headers.at("content-length"), "13");
}

TEST(TestHttpServer, CountsRequestsInArrivalOrder) {
  std::unique_ptr<TestHttpServer> server = StartOrDie(Echo);
  ASSERT_NE(server, nullptr);
  for (const char* path : {"/a", "/b", "/c"}) {
    const CommandResult result = Curl({server->url(path)});
    EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
  }
  EXPECT_EQ(server->request_count(), 3);
  std::vector<std::string> targets;
  for (const HttpRequest& request : server->requests()) {
    targets.push_back(request.target);
  }
  EXPECT_THAT(targets, ElementsAre("/a", "/b", "/c"));
}

TEST(TestHttpServer, ServesFolder) {
  TempFolder folder;
  ASSERT_FALSE(folder.path().empty());
  const std::string crl = Bytes("\x30\x82\x01\x00\x00\xff binary CRL bytes");
  folder.Write("ca-public.crl", crl);
  std::filesystem::create_directory(folder.path() + "/sub");
  std::unique_ptr<TestHttpServer> server = StartOrDie(TestHttpServer::ServeFolder(folder.path()));
  ASSERT_NE(server, nullptr);

  const std::string downloaded = folder.path() + "/downloaded";
  const CommandResult found = Curl({"-o", downloaded, "-w", "%{http_code} %{content_type}",
                                    server->url("/ca-public.crl?fresh=1")});
  EXPECT_EQ(found.exit_code, 0) << found.stderr_text;
  EXPECT_EQ(found.stdout_text, "200 application/pkix-crl");
  EXPECT_EQ(ReadFileOrDie(downloaded), crl);

  for (const char* path :
       {"/absent.crl", "/", "/sub", "/../ca-public.crl", "/sub/../ca-public.crl"}) {
    const CommandResult missing =
        Curl({"--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", server->url(path)});
    EXPECT_EQ(missing.exit_code, 0) << missing.stderr_text;
    EXPECT_EQ(missing.stdout_text, "404") << path;
  }

  const CommandResult post = Curl({"--data-binary", "x", "-o", "/dev/null", "-w", "%{http_code}",
                                   server->url("/ca-public.crl")});
  EXPECT_EQ(post.exit_code, 0) << post.stderr_text;
  EXPECT_EQ(post.stdout_text, "405");
}

TEST(TestHttpServer, RedirectIsNotFollowedWithoutL) {
  HttpReply redirect;
  redirect.status = 302;
  redirect.body = "moved";
  redirect.extra_headers = {{"Location", "http://127.0.0.1:9/elsewhere.crl"}};
  std::unique_ptr<TestHttpServer> server = StartOrDie(Always(redirect));
  ASSERT_NE(server, nullptr);
  const CommandResult result = Curl({"-D", "-", "-o", "/dev/null", server->url("/ca.crl")});
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
  EXPECT_THAT(result.stdout_text, StartsWith("HTTP/1.1 302 Found\r\n"));
  EXPECT_THAT(result.stdout_text, HasSubstr("Location: http://127.0.0.1:9/elsewhere.crl\r\n"));
  EXPECT_EQ(server->request_count(), 1);
}

TEST(TestHttpServer, HangMakesTheClientTimeOut) {
  HttpReply hang;
  hang.fault = HttpReply::Fault::kHang;
  std::unique_ptr<TestHttpServer> server = StartOrDie(Always(hang));
  ASSERT_NE(server, nullptr);
  const CommandResult result = Curl({"--max-time", "1", server->url()});
  EXPECT_EQ(result.exit_code, 28) << result.stderr_text;  // CURLE_OPERATION_TIMEDOUT
}

TEST(TestHttpServer, CloseWithoutReplyIsAnEmptyReply) {
  HttpReply close_reply;
  close_reply.body = "never sent";
  close_reply.fault = HttpReply::Fault::kCloseWithoutReply;
  std::unique_ptr<TestHttpServer> server = StartOrDie(Always(close_reply));
  ASSERT_NE(server, nullptr);
  const CommandResult result = Curl({server->url()});
  EXPECT_EQ(result.exit_code, 52) << result.stderr_text;  // CURLE_GOT_NOTHING
  EXPECT_THAT(result.stdout_text, IsEmpty());
  EXPECT_EQ(server->request_count(), 1);
}

TEST(TestHttpServer, TruncatedBodyIsAPartialFile) {
  HttpReply truncated;
  truncated.body = std::string(1000, 'c');
  truncated.fault = HttpReply::Fault::kTruncateBody;
  std::unique_ptr<TestHttpServer> server = StartOrDie(Always(truncated));
  ASSERT_NE(server, nullptr);
  const CommandResult result = Curl({server->url()});
  EXPECT_EQ(result.exit_code, 18) << result.stderr_text;  // CURLE_PARTIAL_FILE
  EXPECT_EQ(result.stdout_text, std::string(500, 'c'));
}

TEST(TestHttpServer, SlowBodyArrivesWhole) {
  HttpReply slow;
  slow.body = "slow";
  slow.fault = HttpReply::Fault::kSlowBody;
  std::unique_ptr<TestHttpServer> server = StartOrDie(Always(slow));
  ASSERT_NE(server, nullptr);
  const CommandResult result = Curl({server->url()});
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
  EXPECT_EQ(result.stdout_text, "slow");
}

TEST(TestHttpServer, DestroyWakesAHangInProgress) {
  absl::Notification hanging;
  std::unique_ptr<TestHttpServer> server = StartOrDie([&hanging](const HttpRequest&) {
    hanging.Notify();
    HttpReply reply;
    reply.fault = HttpReply::Fault::kHang;
    return reply;
  });
  ASSERT_NE(server, nullptr);
  const int dev_null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(dev_null, 0);
  absl::StatusOr<pid_t> curl = SpawnProcess(CurlArgv({server->url()}), dev_null);
  close(dev_null);
  ASSERT_TRUE(curl.ok()) << curl.status();
  int wait_status = 0;
  absl::Cleanup reap = [&] {
    kill(*curl, SIGKILL);
    waitpid(*curl, &wait_status, 0);
  };
  // Only a guard against a server that never calls the handler; nothing is measured.
  ASSERT_TRUE(hanging.WaitForNotificationWithTimeout(absl::Seconds(60)));

  server.reset();  // returns although the reply is still hanging: that is the test

  std::move(reap).Cancel();
  ASSERT_EQ(waitpid(*curl, &wait_status, 0), *curl);
  ASSERT_TRUE(WIFEXITED(wait_status));
  EXPECT_EQ(WEXITSTATUS(wait_status), 52);  // the connection closed with nothing sent
}

TEST(TestHttpServer, RefusesMalformedRequests) {
  std::unique_ptr<TestHttpServer> server = StartOrDie(Echo);
  ASSERT_NE(server, nullptr);
  const int port = server->port();
  std::string many_fields = "GET / HTTP/1.1\r\n";
  for (int i = 0; i <= TestHttpServer::kMaxHeaderCount; ++i) {
    absl::StrAppend(&many_fields, "X-Field-", i, ": v\r\n");
  }
  many_fields += "\r\n";
  const std::pair<std::string, std::string> cases[] = {
      {Bytes("\x00\x01\xff garbage\r\n\r\n"), "HTTP/1.1 400 "},
      {"GET /\r\n\r\n", "HTTP/1.1 400 "},
      {"GET / HTTP/1.1 extra\r\n\r\n", "HTTP/1.1 400 "},
      {"G(T / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 "},
      {"GET /a\x01 HTTP/1.1\r\n\r\n", "HTTP/1.1 400 "},
      {"GET / HTTP/2.0\r\n\r\n", "HTTP/1.1 505 "},
      {"GET / HTTP/1.1\r\nNo-Colon\r\n\r\n", "HTTP/1.1 400 "},
      {"GET / HTTP/1.1\r\nName : value\r\n\r\n", "HTTP/1.1 400 "},
      {"GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", "HTTP/1.1 400 "},
      {"GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n", "HTTP/1.1 400 "},
      {many_fields, "HTTP/1.1 431 "},
      {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "HTTP/1.1 400 "},
      {"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", "HTTP/1.1 400 "},
      {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", "HTTP/1.1 400 "},
      {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "HTTP/1.1 400 "},
      {"POST / HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", "HTTP/1.1 413 "},
      {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.1 501 "},
      {std::string(TestHttpServer::kMaxRequestBytes + 100, 'a'), "HTTP/1.1 431 "},
      {"GET / HTTP/1.1\r\nX: " + std::string(TestHttpServer::kMaxRequestBytes, 'v') + "\r\n\r\n",
       "HTTP/1.1 431 "},
      {"POST / HTTP/1.1\r\nContent-Length: " +
           std::to_string(TestHttpServer::kMaxRequestBytes - 10) + "\r\n\r\n" +
           std::string(TestHttpServer::kMaxRequestBytes - 10, 'b'),
       "HTTP/1.1 413 "},
  };
  for (const auto& [request, expected] : cases) {
    EXPECT_THAT(RawExchange(port, request), StartsWith(expected))
        << absl::CEscape(request.substr(0, 80));
  }
  // Cut short: nobody is left to answer.
  EXPECT_EQ(RawExchange(port, ""), "");
  EXPECT_EQ(RawExchange(port, "GET / HTTP/1.1\r\nHost: x"), "");
  EXPECT_EQ(RawExchange(port, "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"), "");
  EXPECT_EQ(server->request_count(), 0);

  // And the server still works.
  const CommandResult result = Curl({server->url("/after")});
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
  EXPECT_EQ(result.stdout_text, "GET /after\n");
  EXPECT_EQ(server->request_count(), 1);
}

TEST(TestHttpServer, AcceptsOddButValidRequests) {
  std::unique_ptr<TestHttpServer> server = StartOrDie(Echo);
  ASSERT_NE(server, nullptr);
  // Bare LF line ends (RFC 9112, section 2.2 lets a recipient accept them).
  EXPECT_THAT(RawExchange(server->port(), "GET /lf HTTP/1.0\nHost: x\n\n"),
              AllOf(StartsWith("HTTP/1.1 200 OK\r\n"), HasSubstr("\r\n\r\nGET /lf\n")));
  // A repeated field, and a repeated identical Content-Length.
  EXPECT_THAT(RawExchange(server->port(),
                          "POST /twice HTTP/1.1\r\nA: 1\r\na: 2\r\nContent-Length: 3\r\n"
                          "Content-Length: 3\r\n\r\nxyz"),
              HasSubstr("\r\n\r\nPOST /twice\nxyz"));
  // HEAD: the head only.
  const std::string head = RawExchange(server->port(), "HEAD /h HTTP/1.1\r\n\r\n");
  EXPECT_THAT(head, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_THAT(head, HasSubstr("Content-Length: 8\r\n"));
  EXPECT_THAT(head, EndsWith("\r\n\r\n"));

  const std::vector<HttpRequest> requests = server->requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[1].headers.at("a"), "1, 2");
  EXPECT_EQ(requests[1].body, "xyz");
}

TEST(TestHttpServer, AnswersExpectContinue) {
  std::unique_ptr<TestHttpServer> server = StartOrDie(Echo);
  ASSERT_NE(server, nullptr);
  const CommandResult result = Curl({"-H", "Expect: 100-continue", "--data-binary", "body",
                                     "--expect100-timeout", "60", server->url("/continue")});
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
  EXPECT_EQ(result.stdout_text, "POST /continue\nbody");
}

TEST(TestHttpServer, SurvivesRandomBytes) {
  std::unique_ptr<TestHttpServer> server = StartOrDie(Echo);
  ASSERT_NE(server, nullptr);
  std::mt19937 random(20240601);
  const std::string pieces[] = {
      "GET ", "POST ",    "/",         " HTTP/1.1", "\r\n", "\n", ": ", "Content-Length: ",
      "5",    "\r\n\r\n", Bytes("\0"), "\xff",      " ",    ","};
  for (int i = 0; i < 300; ++i) {
    std::string request;
    const int count = static_cast<int>(random() % 20);
    for (int j = 0; j < count; ++j) {
      if (random() % 4 == 0) {
        request.push_back(static_cast<char>(random() % 256));
      } else {
        request += pieces[random() % std::size(pieces)];
      }
    }
    const std::string answer = RawExchange(server->port(), request);
    EXPECT_TRUE(answer.empty() || absl::StartsWith(answer, "HTTP/1.1 ")) << absl::CEscape(request);
  }
  const CommandResult result = Curl({server->url("/after")});
  EXPECT_EQ(result.exit_code, 0) << result.stderr_text;
}

TEST(TestHttpServer, StartsAndStopsManyTimes) {
  for (int i = 0; i < 50; ++i) {
    std::unique_ptr<TestHttpServer> first = StartOrDie(Echo);
    std::unique_ptr<TestHttpServer> second = StartOrDie(Echo);
    ASSERT_NE(first, nullptr);
    ASSERT_NE(second, nullptr);
    EXPECT_NE(first->port(), second->port());
    if (i % 10 == 0) {
      EXPECT_THAT(RawExchange(first->port(), "GET /x HTTP/1.1\r\n\r\n"),
                  StartsWith("HTTP/1.1 200"));
    }
    // A connection that is still open when the server stops.
    const int idle = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address = {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(second->port()));
    EXPECT_EQ(connect(idle, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
    second.reset();
    close(idle);
  }
}

}  // namespace
}  // namespace kyso::testing
