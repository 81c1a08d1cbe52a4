#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "core/NetAddress.h"

namespace tavern::test {

// One `gameserver --nats URL --node NAME --db URL` as a child process (Linux), for the cluster
// tests: its game port (and admin port, with --admin-port 0) from its stdout, a kill with any
// signal, and SIGTERM plus a wait when destroyed.
class ClusterNodeProcess {
public:
    // `extra`: more arguments (e.g. {"--admin-port", "0"}, {"--save-interval", "1"}).
    ClusterNodeProcess(const std::string& natsUrl, const std::string& node,
                       const std::string& dbUrl, std::vector<std::string> extra = {});
    ~ClusterNodeProcess();
    ClusterNodeProcess(const ClusterNodeProcess&) = delete;
    ClusterNodeProcess& operator=(const ClusterNodeProcess&) = delete;

    // 0 if the node did not start within 30 s.
    std::uint16_t Port() const { return _port; }
    std::uint16_t AdminPort() const { return _adminPort; }
    NetAddress Address() const;
    // Sends `signal` and waits for the process to end.
    void Kill(int signal);
    // Sends `signal` (SIGSTOP, SIGCONT) without waiting.
    void Signal(int signal) const;

private:
    void ReadPorts(bool admin);

    pid_t _pid = -1;
    int _out = -1;
    std::uint16_t _port = 0;
    std::uint16_t _adminPort = 0;
};

}  // namespace tavern::test
