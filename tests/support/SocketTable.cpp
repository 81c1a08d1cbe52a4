#include "tests/support/SocketTable.h"

#include <fstream>
#include <iterator>
#include <sstream>

namespace tavern::test {

#if !defined(_WIN32)
namespace {

// The kernel's TCP state numbers (include/net/tcp_states.h).
const char* StateName(unsigned state) {
    static const char* const kNames[] = {"?",         "ESTABLISHED", "SYN_SENT",   "SYN_RECV",
                                         "FIN_WAIT1", "FIN_WAIT2",   "TIME_WAIT",  "CLOSE",
                                         "CLOSE_WAIT", "LAST_ACK",   "LISTEN",     "CLOSING",
                                         "NEW_SYN_RECV"};
    return state < std::size(kNames) ? kNames[state] : "?";
}

// "0100007F:1F90" or a 32-digit IPv6 address and a port, both hexadecimal: the port.
std::uint16_t PortOf(const std::string& address) {
    const auto colon = address.rfind(':');
    if (colon == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::stoul(address.substr(colon + 1), nullptr, 16));
}

// Adds the matching lines of one table; false if it cannot be read.
bool ReadTable(const char* path, std::uint16_t localPort, std::uint16_t remotePort,
               std::vector<TcpSocketEntry>& found) {
    std::ifstream table(path);
    if (!table) return false;
    std::string line;
    std::getline(table, line);  // the column names
    while (std::getline(table, line)) {
        // sl local_address rem_address st tx_queue:rx_queue ...
        std::istringstream fields(line);
        std::string slot, local, remote, state, queues;
        if (!(fields >> slot >> local >> remote >> state >> queues)) continue;
        if (PortOf(local) != localPort || PortOf(remote) != remotePort) continue;
        TcpSocketEntry entry;
        entry.state = StateName(static_cast<unsigned>(std::stoul(state, nullptr, 16)));
        entry.sendQueue = std::stoull(queues.substr(0, queues.find(':')), nullptr, 16);
        found.push_back(entry);
    }
    return true;
}

}  // namespace
#endif

std::optional<std::vector<TcpSocketEntry>> FindTcpSockets(std::uint16_t localPort,
                                                          std::uint16_t remotePort) {
#if defined(_WIN32)
    (void)localPort;
    (void)remotePort;
    return std::nullopt;
#else
    std::vector<TcpSocketEntry> found;
    const bool v4 = ReadTable("/proc/net/tcp", localPort, remotePort, found);
    const bool v6 = ReadTable("/proc/net/tcp6", localPort, remotePort, found);
    if (!v4 && !v6) return std::nullopt;
    return found;
#endif
}

std::string Describe(const std::vector<TcpSocketEntry>& entries) {
    std::string text;
    for (const auto& entry : entries) {
        if (!text.empty()) text += ", ";
        text += entry.state + " with " + std::to_string(entry.sendQueue) + " bytes queued";
    }
    return text.empty() ? "none" : text;
}

}  // namespace tavern::test
