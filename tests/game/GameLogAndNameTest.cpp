#include "gameserver/NameValidator.h"

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <sstream>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "client/TerminalText.h"
#include "tests/game/GameServerFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

// Replaces the default logger with one that writes into a string, for one test.
class CapturedLog {
public:
    CapturedLog() : _previous(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(_text);
        sink->set_pattern("%v");
        auto logger = std::make_shared<spdlog::logger>("captured", sink);
        logger->set_level(spdlog::level::info);
        spdlog::set_default_logger(logger);
    }
    ~CapturedLog() { spdlog::set_default_logger(_previous); }
    std::string Text() {
        spdlog::default_logger()->flush();
        return _text.str();
    }

private:
    std::shared_ptr<spdlog::logger> _previous;  // kept alive: other threads may still use it
    std::ostringstream _text;
};

std::size_t CountLines(const std::string& text, const std::string& needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++count;
    return count;
}

class GameLogFloodTest : public GameServerFixture {};

// 200 connections each break the wire format at once. Before the fix each wrote its own
// protocol-error line (200 lines, about 140 bytes each, in the test's log; the report counted
// about 400 bytes per hostile connection with the rest of its lines); now the log gets one
// line a second per kind of error, the next one counting those left out, and every one of the
// 200 is still cut and counted.
TEST_P(GameLogFloodTest, TheLogStaysQuietUnderAFloodOfBadClients) {
    CapturedLog log;
    constexpr int kHostile = 200;
    std::vector<std::unique_ptr<GameTestClient>> hostile;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kHostile; ++i) {
        hostile.push_back(Connect());
        hostile.back()->SendRaw(Frame(0, {}, 0));  // a header of size 0
    }
    for (auto& client : hostile) EXPECT_TRUE(client->WaitForClose());
    const auto& errors = server->Service().Counters().protocolErrors;
    EXPECT_TRUE(WaitUntil([&] {
        return errors[static_cast<std::size_t>(ProtocolError::HeaderTooSmall)].load() == kHostile;
    }));
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string text = log.Text();
    const std::size_t lines = CountLines(text, "protocol error");
    EXPECT_GE(lines, 1u);
    EXPECT_LE(lines, static_cast<std::size_t>(seconds) + 2) << text.substr(0, 2000);
    EXPECT_LT(text.size(), 600 * (static_cast<std::size_t>(seconds) + 2)) << text.substr(0, 2000);
}

class GameNameTest : public GameServerFixture {};

// Before the fix each of these names was accepted and shown to every other player as it was.
TEST_P(GameNameTest, NamesWithControlOrDirectionCharactersAreRefused) {
    const std::vector<std::string> bad = {
        "red\x1b[31mname",          // an ANSI escape sequence
        "two\nlines",               // a newline
        "bell\x07",                 // a control character
        "abc\xe2\x80\xae" "cba",    // U+202E RIGHT-TO-LEFT OVERRIDE
        "iso\xe2\x81\xa6late",      // U+2066 LEFT-TO-RIGHT ISOLATE
        "c1\xc2\x9b" "31m",         // U+009B, the C1 control sequence introducer
    };  // (a name that is not UTF-8 does not parse: proto3 strings must be UTF-8)
    for (const std::string& name : bad) {
        auto client = Connect();
        Protocol::C_LOGIN login;
        login.set_name(name);
        ASSERT_TRUE(client->Send(PacketId::C_LOGIN, login));
        const auto answer = client->Expect<Protocol::S_LOGIN>(PacketId::S_LOGIN);
        ASSERT_TRUE(answer);
        EXPECT_FALSE(answer->success()) << client::EscapeForTerminal(name);
    }
    auto fine = Connect();
    EXPECT_NE(fine->Login("Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0"), 0u);  // "Zoë 山田"
}

INSTANTIATE_TEST_SUITE_P(Backends, GameLogFloodTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);
INSTANTIATE_TEST_SUITE_P(Backends, GameNameTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

TEST(TerminalTextTest, WhatOthersSentCannotDriveTheTerminal) {
    using client::EscapeForTerminal;
    EXPECT_EQ(EscapeForTerminal("plain Zo\xc3\xab"), "plain Zo\xc3\xab");
    EXPECT_EQ(EscapeForTerminal("red\x1b[31m"), "red\\x1B[31m");
    EXPECT_EQ(EscapeForTerminal("a\nb\r"), "a\\x0Ab\\x0D");
    EXPECT_EQ(EscapeForTerminal("abc\xe2\x80\xae" "cba"), "abc\\u{202E}cba");
    EXPECT_EQ(EscapeForTerminal("\xc2\x9b"), "\\u{009B}");
    EXPECT_EQ(EscapeForTerminal("bad\xff"), "bad\\xFF");
}

}  // namespace
}  // namespace tavern::test
