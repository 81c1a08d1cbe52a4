#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

namespace tavern::test {

// A throwaway nats-server with JetStream for the tests: Debian's nats-server started as a child
// process on a free loopback port, `-js -sd <temporary folder>`, waited for until it accepts and
// says it is ready. Killed, and its folder removed, by the destructor. Never the system service
// on 4222: every test gets its own server.
// TAVERN_NATS_SERVER overrides the program (default: nats-server from /usr/sbin or /usr/bin).
class NatsServer {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // A new running server, or nullptr when nats-server is not installed or would not start
    // (`why` says why).
    static std::unique_ptr<NatsServer> Start(std::string& why);
    // Whether a bus test must fail rather than skip when there is no server
    // (TAVERN_REQUIRE_NATS=1: CI sets it).
    static bool Required();

    explicit NatsServer(PrivateTag) {}
    ~NatsServer();
    NatsServer(const NatsServer&) = delete;
    NatsServer& operator=(const NatsServer&) = delete;

    // nats://127.0.0.1:<port>
    std::string Url() const;
    int Port() const { return _port; }
    // Kills the server with `signal` (SIGTERM: a clean stop; SIGKILL: a crash) and waits for it.
    void Stop(int signal);
    // Starts it again on the same port and folder (its JetStream data kept). Throws
    // std::runtime_error if it does not come up.
    void Restart();

private:
    // Spawns the server and waits until it is ready; throws std::runtime_error.
    void Launch();

    std::string _program;
    std::string _folder;  // the temporary folder: js/ (JetStream), server.log
    int _port = 0;
    pid_t _pid = -1;
};

}  // namespace tavern::test
