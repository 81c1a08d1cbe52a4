#pragma once

#include <memory>
#include <string_view>

#include <spdlog/formatter.h>

namespace tavern::admin {

// One JSON object per log line, for log shippers: the fields of the text lines
// ("[2026-11-30 23:20:01.123] [info] text"), escaped:
//   {"time":"2026-11-30T23:20:01.123+00:00","level":"info","msg":"text"}
// plus "logger" when the logger has a name. Time is UTC, ISO 8601, milliseconds.
class JsonLogFormatter final : public spdlog::formatter {
public:
    // Called by spdlog under its sink's lock.
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;

    // Any thread: `text` as the inside of a JSON string (quotes, backslashes, control bytes).
    static void AppendEscaped(std::string_view text, spdlog::memory_buf_t& dest);
};

// Not from a worker, before logging starts: "text" (spdlog's default) or "json" on every sink of
// the default logger. False for any other name.
bool SetLogFormat(std::string_view format);

}  // namespace tavern::admin
