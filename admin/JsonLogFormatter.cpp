#include "admin/JsonLogFormatter.h"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <spdlog/spdlog.h>

namespace tavern::admin {

namespace {

void Append(std::string_view text, spdlog::memory_buf_t& dest) {
    dest.append(text.data(), text.data() + text.size());
}

}  // namespace

void JsonLogFormatter::AppendEscaped(std::string_view text, spdlog::memory_buf_t& dest) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (const char c : text) {
        switch (c) {
            case '"': Append("\\\"", dest); break;
            case '\\': Append("\\\\", dest); break;
            case '\n': Append("\\n", dest); break;
            case '\r': Append("\\r", dest); break;
            case '\t': Append("\\t", dest); break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    const auto byte = static_cast<unsigned char>(c);
                    const char escaped[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 15]};
                    dest.append(escaped, escaped + sizeof(escaped));
                } else {
                    dest.push_back(c);  // UTF-8 passes through as it is
                }
        }
    }
}

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
    using namespace std::chrono;
    const auto since = msg.time.time_since_epoch();
    const std::time_t seconds = duration_cast<std::chrono::seconds>(since).count();
    const auto millis = duration_cast<milliseconds>(since).count() % 1000;
    std::tm utc{};
#if defined(_WIN32)
    if (const std::tm* now = std::gmtime(&seconds)) utc = *now;  // per thread in the Windows CRT
#else
    gmtime_r(&seconds, &utc);
#endif
    char time[40];
    const std::size_t length = std::strftime(time, sizeof(time), "%Y-%m-%dT%H:%M:%S", &utc);
    Append(R"({"time":")", dest);
    Append(std::string_view(time, length), dest);
    char fraction[16];
    std::snprintf(fraction, sizeof(fraction), ".%03d+00:00", static_cast<int>(millis));
    Append(fraction, dest);
    Append(R"(","level":")", dest);
    const auto level = spdlog::level::to_string_view(msg.level);
    Append(std::string_view(level.data(), level.size()), dest);
    if (msg.logger_name.size() > 0) {
        Append(R"(","logger":")", dest);
        AppendEscaped(std::string_view(msg.logger_name.data(), msg.logger_name.size()), dest);
    }
    Append(R"(","msg":")", dest);
    AppendEscaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
    Append("\"}\n", dest);
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
    return std::make_unique<JsonLogFormatter>();
}

bool SetLogFormat(std::string_view format) {
    if (format == "text") return true;
    if (format != "json") return false;
    spdlog::set_formatter(std::make_unique<JsonLogFormatter>());
    return true;
}

}  // namespace tavern::admin
