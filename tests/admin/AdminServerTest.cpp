#include "admin/AdminServer.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "admin/MetricFamilies.h"

namespace tavern::admin {
namespace {

// One HTTP/1.1 request over a real loopback socket; the whole answer (the server closes).
std::string Request(std::uint16_t port, const std::string& method, const std::string& path) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        ::close(fd);
        return "connect failed";
    }
    const std::string request = method + " " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
    (void)::send(fd, request.data(), request.size(), 0);
    std::string answer;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        answer.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return answer;
}

std::string StatusLine(const std::string& answer) {
    return answer.substr(0, answer.find("\r\n"));
}

TEST(AdminServerTest, ServesTheCollectorsFamiliesInTheTextFormatOnAFreeLoopbackPort) {
    AdminServer server({});
    int scrapes = 0;
    server.AddCollector([&scrapes](std::vector<prometheus::MetricFamily>& out) {
        ++scrapes;
        auto family = CounterFamily("tavern_test_events_total", "Events.");
        AddValue(family, 3, {{"kind", "a\"b"}});
        out.push_back(std::move(family));
    });
    ASSERT_FALSE(server.Start());
    ASSERT_NE(server.Port(), 0);
    const std::string answer = Request(server.Port(), "GET", "/metrics");
    EXPECT_EQ(StatusLine(answer), "HTTP/1.1 200 OK");
    EXPECT_NE(answer.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << answer;
    EXPECT_NE(answer.find("# TYPE tavern_test_events_total counter"), std::string::npos) << answer;
    EXPECT_NE(answer.find(R"(tavern_test_events_total{kind="a\"b"} 3)"), std::string::npos)
        << answer;
    EXPECT_EQ(scrapes, 1);
}

TEST(AdminServerTest, ReadyzFollowsSetReadyWhileHealthzStaysOk) {
    AdminServer server({});
    ASSERT_FALSE(server.Start());
    EXPECT_EQ(StatusLine(Request(server.Port(), "GET", "/readyz")),
              "HTTP/1.1 503 Service Unavailable");
    server.SetReady(true);
    EXPECT_EQ(StatusLine(Request(server.Port(), "GET", "/readyz")), "HTTP/1.1 200 OK");
    server.SetReady(false);
    EXPECT_EQ(StatusLine(Request(server.Port(), "GET", "/readyz")),
              "HTTP/1.1 503 Service Unavailable");
    EXPECT_EQ(StatusLine(Request(server.Port(), "GET", "/healthz")), "HTTP/1.1 200 OK");
}

TEST(AdminServerTest, AnswersUnknownPathsWith404AndOtherMethodsWith405) {
    AdminServer server({});
    ASSERT_FALSE(server.Start());
    EXPECT_EQ(StatusLine(Request(server.Port(), "GET", "/nothing")), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(StatusLine(Request(server.Port(), "POST", "/metrics")),
              "HTTP/1.1 405 Method Not Allowed");
    EXPECT_EQ(StatusLine(Request(server.Port(), "GET", "/")).substr(0, 15), "HTTP/1.1 200 OK");
}

TEST(AdminServerTest, RefusesAPortAlreadyTaken) {
    AdminServer first({});
    ASSERT_FALSE(first.Start());
    AdminServer second({.host = "127.0.0.1", .port = first.Port()});
    EXPECT_TRUE(second.Start());
}

}  // namespace
}  // namespace tavern::admin
