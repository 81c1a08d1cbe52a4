#include "admin/JsonLogFormatter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <spdlog/details/log_msg.h>

namespace tavern::admin {
namespace {

std::string Format(std::string_view logger, spdlog::level::level_enum level, std::string_view text,
                   spdlog::log_clock::time_point time) {
    spdlog::details::log_msg msg(time, spdlog::source_loc{}, logger, level, text);
    spdlog::memory_buf_t out;
    JsonLogFormatter().format(msg, out);
    return std::string(out.data(), out.size());
}

const auto kTime = spdlog::log_clock::time_point(std::chrono::milliseconds(1'796'081'201'123));

TEST(JsonLogFormatterTest, WritesTimeLevelAndMessageAsOneObjectPerLine) {
    EXPECT_EQ(Format("", spdlog::level::info, "gameserver: signal 15, stopping", kTime),
              R"({"time":"2026-11-30T23:26:41.123+00:00","level":"info",)"
              R"("msg":"gameserver: signal 15, stopping"})"
              "\n");
}

TEST(JsonLogFormatterTest, EscapesQuotesBackslashesAndControlBytes) {
    const std::string line =
        Format("", spdlog::level::warn, "name \"a\\b\"\n\ttab\x01 caf\xc3\xa9", kTime);
    EXPECT_NE(line.find(R"("msg":"name \"a\\b\"\n\ttab\u0001 caf)" "\xc3\xa9" R"("})"),
              std::string::npos)
        << line;
    EXPECT_NE(line.find(R"("level":"warning")"), std::string::npos) << line;
}

TEST(JsonLogFormatterTest, NamesTheLoggerWhenItHasOne) {
    const std::string line = Format("store", spdlog::level::err, "x", kTime);
    EXPECT_NE(line.find(R"("level":"error","logger":"store","msg":"x"})"), std::string::npos)
        << line;
}

TEST(JsonLogFormatterTest, SetLogFormatAcceptsTextAndJsonOnly) {
    EXPECT_TRUE(SetLogFormat("text"));
    EXPECT_FALSE(SetLogFormat("xml"));
}

}  // namespace
}  // namespace tavern::admin
