#include "client/ServerList.h"

#include <charconv>

#include <spdlog/spdlog.h>

namespace tavern::client {

namespace {

std::optional<NetAddress> ParseEntry(std::string_view entry) {
    const auto colon = entry.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == entry.size()) return std::nullopt;
    std::string_view host = entry.substr(0, colon);
    const std::string_view portText = entry.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    unsigned port = 0;
    const auto [end, ec] =
        std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc{} || end != portText.data() + portText.size() || port == 0 || port > 65535)
        return std::nullopt;
    return NetAddress::Parse(host, static_cast<std::uint16_t>(port));
}

}  // namespace

std::optional<std::vector<NetAddress>> ParseServerList(std::string_view text, std::string& error) {
    std::vector<NetAddress> servers;
    if (text.empty()) {
        error = "no server given";
        return std::nullopt;
    }
    for (;;) {
        const auto comma = text.find(',');
        const std::string_view entry = text.substr(0, comma);
        const auto address = ParseEntry(entry);
        if (!address) {
            error = "not a numeric host:port: '" + std::string(entry) + "'";
            return std::nullopt;
        }
        servers.push_back(*address);
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return servers;
}

std::optional<std::vector<NetAddress>> ServersOrOne(std::vector<NetAddress> servers,
                                                    const std::string& host, std::uint16_t port) {
    if (!servers.empty()) return servers;
    const auto address = NetAddress::Parse(host, port);
    if (!address) {
        spdlog::error("not a numeric address: {}", host);
        return std::nullopt;
    }
    return std::vector<NetAddress>{*address};
}

}  // namespace tavern::client
