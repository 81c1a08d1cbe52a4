#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tavern::test {

// One TCP socket of this machine's socket table.
struct TcpSocketEntry {
    std::string state;            // ESTABLISHED, FIN_WAIT1, TIME_WAIT, ...
    std::uint64_t sendQueue = 0;  // bytes queued and not yet acknowledged by the peer
};

// The TCP sockets whose local port is `localPort` and whose remote port is `remotePort`, from
// /proc/net/tcp and /proc/net/tcp6. On loopback, (server port, client port) names the server's
// side of one client's connection, in any state (an orphan in FIN-WAIT-1, TIME-WAIT) and owned by
// any process or by none. nullopt where the kernel offers no such table (Windows).
std::optional<std::vector<TcpSocketEntry>> FindTcpSockets(std::uint16_t localPort,
                                                          std::uint16_t remotePort);

// "FIN_WAIT1 with 3800000 bytes queued, ..." for a test's failure message.
std::string Describe(const std::vector<TcpSocketEntry>& entries);

}  // namespace tavern::test
