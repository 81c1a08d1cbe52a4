#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/NetAddress.h"

namespace tavern::client {

// Any thread: "127.0.0.1:7001,127.0.0.1:7002" (numeric hosts; IPv6 in brackets,
// "[::1]:7001"), the nodes of one world a client may connect to, in the order it tries them.
// nullopt, with `error` saying which entry, for an empty list or a malformed entry.
std::optional<std::vector<NetAddress>> ParseServerList(std::string_view text, std::string& error);

// Any thread: `servers` if given, else the one server at `host`:`port`; nullopt (logged) when
// `host` is not a numeric address.
std::optional<std::vector<NetAddress>> ServersOrOne(std::vector<NetAddress> servers,
                                                    const std::string& host, std::uint16_t port);

}  // namespace tavern::client
