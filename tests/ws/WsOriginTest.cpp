// The upgrade's Origin check (OriginPolicy): its rules, then over real sockets on each backend
// with the default policy and with a list of allowed pages. A refused page gets 403 and is
// counted; its connection alone closes.
#include "core/ws/OriginPolicy.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/ws/WsGameFixture.h"

namespace tavern::test {
namespace {

using ws::OriginPolicy;

TEST(OriginPolicyTest, NormalizesCaseTheDefaultPortAndATrailingSlash) {
    EXPECT_EQ(OriginPolicy::Normalize("HTTPS://Game.Example.com:443/"), "https://game.example.com");
    EXPECT_EQ(OriginPolicy::Normalize("http://localhost:80"), "http://localhost");
    EXPECT_EQ(OriginPolicy::Normalize("http://localhost:8080"), "http://localhost:8080");
    EXPECT_EQ(OriginPolicy::Normalize("https://[::1]:443"), "https://[::1]");
    EXPECT_EQ(OriginPolicy::Normalize("null"), "null");
    for (const char* bad : {"", "localhost", "://x", "http://", "http://a/b", "http://u@h",
                            "http://a, http://b", "1http://x", "http://:80"})
        EXPECT_EQ(OriginPolicy::Normalize(bad), std::nullopt) << bad;
}

TEST(OriginPolicyTest, ByDefaultAllowsNoOriginAndTheSameHostOnly) {
    const OriginPolicy policy;
    EXPECT_TRUE(policy.Allows("", "127.0.0.1:8080"));
    EXPECT_TRUE(policy.Allows("http://127.0.0.1:8080", "127.0.0.1:8080"));
    EXPECT_TRUE(policy.Allows("http://Example.com", "example.com:80"));
    EXPECT_TRUE(policy.Allows("https://example.com", "example.com"));
    EXPECT_FALSE(policy.Allows("http://127.0.0.1:9090", "127.0.0.1:8080"));  // another port
    EXPECT_FALSE(policy.Allows("http://evil.example", "127.0.0.1:8080"));
    EXPECT_FALSE(policy.Allows("https://example.com", "example.com:80"));  // another scheme's port
    EXPECT_FALSE(policy.Allows("null", "null"));
    EXPECT_FALSE(policy.Allows("file://x", "x"));
    EXPECT_FALSE(policy.Allows("http://example.com", ""));
    EXPECT_FALSE(policy.Allows("not an origin", "127.0.0.1:8080"));
}

TEST(OriginPolicyTest, AllowsListedOriginsBesideTheSameHost) {
    const OriginPolicy policy({"https://game.example.com", "http://localhost:5173", "null"});
    EXPECT_TRUE(policy.Allows("https://GAME.example.com:443", "tavern.internal:8080"));
    EXPECT_TRUE(policy.Allows("http://localhost:5173", "127.0.0.1:8080"));
    EXPECT_TRUE(policy.Allows("null", "127.0.0.1:8080"));
    EXPECT_TRUE(policy.Allows("http://127.0.0.1:8080", "127.0.0.1:8080"));
    EXPECT_FALSE(policy.Allows("http://game.example.com", "tavern.internal:8080"));  // http
    EXPECT_FALSE(policy.Allows("http://localhost:5174", "127.0.0.1:8080"));
}

TEST(OriginPolicyTest, StarAllowsEveryOrigin) {
    const OriginPolicy policy({"*"});
    EXPECT_TRUE(policy.Allows("http://evil.example", "127.0.0.1:8080"));
    EXPECT_TRUE(policy.Allows("null", "127.0.0.1:8080"));
}

TEST(OriginPolicyTest, RefusesAnEntryThatIsNotAnOrigin) {
    EXPECT_THROW(OriginPolicy({"game.example.com"}), std::invalid_argument);
    EXPECT_THROW(OriginPolicy({"https://game.example.com/play"}), std::invalid_argument);
    // Spaces around an entry ("a, b" on a command line) are not part of it.
    EXPECT_TRUE(
        OriginPolicy({" https://game.example.com "}).Allows("https://game.example.com", "x"));
}

// An upgrade request from a page at `origin` (empty: none) to host `host`.
std::string FromPage(const std::string& origin, const std::string& host = "localhost") {
    std::string request = WsTestClient::UpgradeRequest();
    request.replace(request.find("Host: localhost"), 15, "Host: " + host);
    if (!origin.empty()) request.insert(request.size() - 2, "Origin: " + origin + "\r\n");
    return request;
}

class WsOriginTest : public WsGameFixture {
protected:
    void SetUp() override {
        WsGameFixture::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        StartBystanders();
    }

    int Status(const std::string& request) {
        auto client = RawWs();
        const HttpAnswer answer = client->Request(request);
        if (answer.status != 101) {
            EXPECT_TRUE(client->Raw().WaitForClose()) << "a refused connection stayed open";
        }
        return answer.status;
    }

    std::string OwnHost() const { return "127.0.0.1:" + std::to_string(WsAddress().Port()); }
};

TEST_P(WsOriginTest, ByDefaultAPageOfAnotherSiteIs403AndCounted) {
    EXPECT_EQ(Status(FromPage("https://evil.example")), 403);
    EXPECT_EQ(Status(FromPage("http://127.0.0.1:1", OwnHost())), 403);  // same host, not same port
    EXPECT_EQ(Status(FromPage("null", OwnHost())), 403);
    EXPECT_EQ(WsCounts().originRefused.load(), 3u);
    EXPECT_EQ(WsCounts().upgrades.load(), 1u);  // the WebSocket bystander's only
    ExpectBystandersCarryOn();
}

TEST_P(WsOriginTest, ByDefaultTheServersOwnPageAndClientsWithoutOriginGetIn) {
    EXPECT_EQ(Status(FromPage("http://" + OwnHost(), OwnHost())), 101);
    EXPECT_EQ(Status(FromPage("")), 101);
    EXPECT_EQ(WsCounts().originRefused.load(), 0u);
    ExpectBystandersCarryOn();
}

INSTANTIATE_TEST_SUITE_P(Backends, WsOriginTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

class WsOriginListTest : public WsOriginTest {
protected:
    game::GameServerOptions Options() const override {
        auto options = WsOriginTest::Options();
        options.wsOrigins = {"https://game.example.com", "http://localhost:5173"};
        return options;
    }
};

TEST_P(WsOriginListTest, ListedPagesAndTheOwnHostGetInOthersAre403) {
    EXPECT_EQ(Status(FromPage("https://game.example.com")), 101);
    EXPECT_EQ(Status(FromPage("http://localhost:5173")), 101);
    EXPECT_EQ(Status(FromPage("http://" + OwnHost(), OwnHost())), 101);
    EXPECT_EQ(Status(FromPage("http://game.example.com")), 403);
    EXPECT_EQ(Status(FromPage("https://evil.example")), 403);
    EXPECT_EQ(WsCounts().originRefused.load(), 2u);
    ExpectBystandersCarryOn();
}

TEST_P(WsOriginListTest, ARefusedPageStillGetsThePageFiles) {
    // The check guards the upgrade only: GET / is the same for every page.
    auto client = RawWs();
    const HttpAnswer answer = client->Request(
        "GET / HTTP/1.1\r\nHost: localhost\r\nOrigin: https://evil.example\r\n\r\n");
    EXPECT_EQ(answer.status, 200);
    EXPECT_EQ(WsCounts().originRefused.load(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, WsOriginListTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
