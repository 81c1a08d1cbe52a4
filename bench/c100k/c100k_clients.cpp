// The C100K load: N TCP clients on loopback, spread over several 127.0.0.x source addresses (one
// address has only ~28,000 ephemeral ports), each logs in to the gameserver and then sends a
// C_PING every --ping-interval seconds, the pings of all clients spread evenly over that
// interval. One thread and one epoll set, so the load costs one core.
//   c100k_clients --port 7777 --count 100000 --sources 5 --ping-interval 10 --hold 60
// Several processes can share the load (--first numbers their names apart), since one process
// may hold only as many descriptors as its hard limit allows.
// Prints progress, then one line: connected=N logged_in=N pings=... p50_us=... p99_us=...
// Exit status 0 only when every client connected, logged in and got every pong it waited for.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/common/RawPacket.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    int port = 7777;
    int count = 100000;
    int sources = 5;
    double pingInterval = 10;
    double hold = 60;
    int inFlight = 2000;  // connects and logins outstanding at once
    int first = 0;        // names c<first> ... c<first + count - 1>: several processes share a server
    std::string password; // empty: name-only login (a server without accounts)
    std::string rttFile;  // every round trip in microseconds, one a line, for a merged percentile
};

enum class State : std::uint8_t { Connecting, LoggingIn, Pinging, Dead };

struct Client {
    int fd = -1;
    State state = State::Connecting;
    std::uint64_t pingSentNs = 0;  // 0: no ping outstanding
    std::string tail;              // a packet split across reads (rare)
};

std::uint64_t NowNs() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count());
}

Options Parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        const char* v = argv[i + 1];
        if (flag == "--port") o.port = std::atoi(v);
        else if (flag == "--count") o.count = std::atoi(v);
        else if (flag == "--sources") o.sources = std::max(1, std::atoi(v));
        else if (flag == "--ping-interval") o.pingInterval = std::atof(v);
        else if (flag == "--hold") o.hold = std::atof(v);
        else if (flag == "--in-flight") o.inFlight = std::max(1, std::atoi(v));
        else if (flag == "--first") o.first = std::atoi(v);
        else if (flag == "--rtt-file") o.rttFile = v;
        else if (flag == "--password") o.password = v;
        else {
            std::fprintf(stderr, "c100k_clients: unknown option %s\n", flag.c_str());
            std::exit(2);
        }
    }
    return o;
}

using tavern::bench::SendPacket;

class Load {
public:
    explicit Load(const Options& o) : _o(o), _clients(static_cast<std::size_t>(o.count)) {
        _epoll = ::epoll_create1(0);
        _rtts.reserve(1 << 20);
    }

    int Run() {
        const auto start = Clock::now();
        while (_loggedIn + _dead < _o.count) {
            OpenMore();
            Poll(10);
            if (Clock::now() - start > std::chrono::minutes(5)) break;
        }
        const double rampSeconds = std::chrono::duration<double>(Clock::now() - start).count();
        std::printf("c100k_clients: %d logged in in %.1f s (%d failed)\n", _loggedIn, rampSeconds, _dead);
        std::fflush(stdout);

        // Steady state: ping clients in turn so that each pings once per interval.
        const auto holdStart = Clock::now();
        const auto holdEnd = holdStart + std::chrono::duration<double>(_o.hold);
        std::uint64_t cursor = 0;
        while (Clock::now() < holdEnd) {
            const double elapsed = std::chrono::duration<double>(Clock::now() - holdStart).count();
            const auto due = static_cast<std::uint64_t>(elapsed * _o.count / _o.pingInterval);
            for (; _pingsSent < due; ++cursor) {
                Client& c = _clients[cursor % _clients.size()];
                ++_pingsSent;
                if (c.state != State::Pinging || c.pingSentNs != 0) {
                    ++_pingsSkipped;  // dead, or its last pong is a whole interval late
                    continue;
                }
                c.pingSentNs = NowNs();
                Protocol::C_PING ping;
                ping.set_client_time(c.pingSentNs);
                if (!SendPacket(c.fd, Protocol::PacketId::C_PING, ping)) Kill(c);
            }
            Poll(5);
        }
        const auto drainEnd = Clock::now() + std::chrono::seconds(2);
        while (Clock::now() < drainEnd && Outstanding() > 0) Poll(10);
        return Report(rampSeconds);
    }

private:
    void OpenMore() {
        while (_opened < _o.count && _opened - _loggedIn - _dead < _o.inFlight) {
            const int i = _opened++;
            Client& c = _clients[static_cast<std::size_t>(i)];
            c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
            sockaddr_in local{};
            local.sin_family = AF_INET;
            local.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 1 + static_cast<std::uint32_t>(i % _o.sources));
            sockaddr_in server{};
            server.sin_family = AF_INET;
            server.sin_port = htons(static_cast<std::uint16_t>(_o.port));
            server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (c.fd < 0 || ::bind(c.fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0 ||
                (::connect(c.fd, reinterpret_cast<sockaddr*>(&server), sizeof(server)) != 0 &&
                 errno != EINPROGRESS)) {
                if (_dead++ == 0) std::fprintf(stderr, "c100k_clients: connect %d: %s\n", i, std::strerror(errno));
                c.state = State::Dead;
                if (c.fd >= 0) ::close(c.fd);
                continue;
            }
            const int one = 1;
            ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            epoll_event event{};
            event.events = EPOLLIN | EPOLLOUT;
            event.data.u32 = static_cast<std::uint32_t>(i);
            ::epoll_ctl(_epoll, EPOLL_CTL_ADD, c.fd, &event);
        }
    }

    void Poll(int timeoutMs) {
        epoll_event events[512];
        const int n = ::epoll_wait(_epoll, events, 512, timeoutMs);
        for (int k = 0; k < n; ++k) {
            Client& c = _clients[events[k].data.u32];
            if (c.state == State::Dead) continue;
            if ((events[k].events & (EPOLLERR | EPOLLHUP)) != 0) {
                Kill(c);
                continue;
            }
            if (c.state == State::Connecting && (events[k].events & EPOLLOUT) != 0) {
                epoll_event in{};
                in.events = EPOLLIN;
                in.data.u32 = events[k].data.u32;
                ::epoll_ctl(_epoll, EPOLL_CTL_MOD, c.fd, &in);
                Protocol::C_LOGIN login;
                login.set_name("c" + std::to_string(static_cast<int>(events[k].data.u32) + _o.first));
                if (!_o.password.empty()) login.set_password(_o.password);
                c.state = State::LoggingIn;
                if (!SendPacket(c.fd, Protocol::PacketId::C_LOGIN, login)) Kill(c);
            }
            if ((events[k].events & EPOLLIN) != 0) Read(c);
        }
    }

    void Read(Client& c) {
        char buffer[4096];
        for (;;) {
            const ssize_t got = ::recv(c.fd, buffer, sizeof(buffer), 0);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) return Kill(c);
            if (got < 0) return;
            const bool ok = tavern::bench::SplitPackets(
                c.tail, buffer, static_cast<std::size_t>(got),
                [&](Protocol::PacketId id, const char* payload, std::size_t size) {
                    OnPacket(c, id, payload, size);
                    return c.state != State::Dead;
                });
            if (c.state == State::Dead) return;
            if (!ok) return Kill(c);
        }
    }

    void OnPacket(Client& c, Protocol::PacketId id, const char* payload, std::size_t size) {
        if (id == Protocol::PacketId::S_LOGIN && c.state == State::LoggingIn) {
            Protocol::S_LOGIN answer;
            if (!answer.ParseFromArray(payload, static_cast<int>(size)) || !answer.success()) {
                if (_refusals++ == 0) std::fprintf(stderr, "c100k_clients: login refused: %s\n", answer.reason().c_str());
                return Kill(c);
            }
            c.state = State::Pinging;
            if (++_loggedIn % 10000 == 0) {
                std::printf("c100k_clients: %d logged in\n", _loggedIn);
                std::fflush(stdout);
            }
        } else if (id == Protocol::PacketId::S_PONG && c.pingSentNs != 0) {
            _rtts.push_back(static_cast<std::uint32_t>((NowNs() - c.pingSentNs) / 1000));
            c.pingSentNs = 0;
        }
    }

    void Kill(Client& c) {
        if (c.state == State::Dead) return;
        if (c.state == State::Pinging) --_loggedIn;
        c.state = State::Dead;
        ++_dead;
        ::close(c.fd);
    }

    int Outstanding() const {
        return static_cast<int>(std::count_if(_clients.begin(), _clients.end(), [](const Client& c) {
            return c.state == State::Pinging && c.pingSentNs != 0;
        }));
    }

    int Report(double rampSeconds) {
        std::sort(_rtts.begin(), _rtts.end());
        const auto at = [this](double q) {
            return _rtts.empty() ? 0u : _rtts[std::min(_rtts.size() - 1, static_cast<std::size_t>(q * static_cast<double>(_rtts.size())))];
        };
        const int lost = Outstanding();
        if (!_o.rttFile.empty()) {
            if (FILE* file = std::fopen(_o.rttFile.c_str(), "w")) {
                for (const std::uint32_t rtt : _rtts) std::fprintf(file, "%u\n", rtt);
                std::fclose(file);
            }
        }
        std::printf("c100k_clients: connected=%d logged_in=%d dead=%d ramp_s=%.1f pings=%llu pongs=%zu "
                    "skipped=%llu lost=%d p50_us=%u p99_us=%u max_us=%u\n",
                    _opened - _dead, _loggedIn, _dead, rampSeconds,
                    static_cast<unsigned long long>(_pingsSent), _rtts.size(),
                    static_cast<unsigned long long>(_pingsSkipped), lost, at(0.5), at(0.99),
                    _rtts.empty() ? 0u : _rtts.back());
        std::fflush(stdout);
        return _loggedIn == _o.count && lost == 0 && _pingsSkipped == 0 ? 0 : 1;
    }

    Options _o;
    std::vector<Client> _clients;
    int _epoll = -1;
    int _opened = 0;
    int _loggedIn = 0;
    int _dead = 0;
    int _refusals = 0;
    std::uint64_t _pingsSent = 0;
    std::uint64_t _pingsSkipped = 0;
    std::vector<std::uint32_t> _rtts;
};

}  // namespace

int main(int argc, char** argv) {
    const Options options = Parse(argc, argv);
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < static_cast<rlim_t>(options.count) + 64) {
        std::fprintf(stderr, "c100k_clients: the descriptor limit is %llu, below %d connections "
                     "(raise the hard limit, or run several processes)\n",
                     static_cast<unsigned long long>(limit.rlim_cur), options.count);
        return 2;
    }
    return Load(options).Run();
}
