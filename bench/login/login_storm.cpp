// A login storm: C connections at a time, each connects, sends C_LOGIN { name, password }, waits
// for S_LOGIN, closes and makes room for the next. Names are PREFIX<from + k mod count>; with
// --cycle the names repeat (returning accounts) until the time is up, without it each name logs
// in once (new accounts, when the names are fresh). One thread, one epoll set, connections from
// ten 127.0.0.x source addresses (a storm leaves many sockets in TIME_WAIT).
//   login_storm --port 7777 --names r --count 2000 --cycle --seconds 10 --password pw
// --rate caps the logins started per second (a storm of a given size, not the most the server
// takes). Prints one line: logins=N failed=F created=K seconds=S per_s=R p50_ms=... p99_ms=...
// Exit status 0 only when no login failed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/common/RawPacket.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    int port = 7777;
    int concurrency = 64;
    std::string names = "storm";
    long from = 0;
    long count = 1000;
    bool cycle = false;
    double seconds = 10;
    std::string password = "password";
    double rate = 0;  // logins started per second at most (0: as fast as answers come)
};

struct Slot {
    int fd = -1;
    Clock::time_point started;
    std::string tail;
};

Options Parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--cycle") {
            o.cycle = true;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "login_storm: %s needs a value\n", flag.c_str());
            std::exit(2);
        }
        const char* v = argv[++i];
        if (flag == "--port") o.port = std::atoi(v);
        else if (flag == "--concurrency") o.concurrency = std::max(1, std::atoi(v));
        else if (flag == "--names") o.names = v;
        else if (flag == "--from") o.from = std::atol(v);
        else if (flag == "--count") o.count = std::max(1L, std::atol(v));
        else if (flag == "--seconds") o.seconds = std::atof(v);
        else if (flag == "--password") o.password = v;
        else if (flag == "--rate") o.rate = std::atof(v);
        else {
            std::fprintf(stderr, "login_storm: unknown option %s\n", flag.c_str());
            std::exit(2);
        }
    }
    return o;
}

class Storm {
public:
    explicit Storm(const Options& o) : _o(o), _slots(static_cast<std::size_t>(o.concurrency)) {
        _epoll = ::epoll_create1(0);
        _names.resize(_slots.size());
    }

    int Run() {
        const auto start = Clock::now();
        _start = start;
        const auto end = start + std::chrono::duration<double>(_o.seconds);
        for (std::size_t i = 0; i < _slots.size(); ++i) Open(i);
        while (Busy() > 0 || (!_waiting.empty() && !_stopping)) {
            epoll_event events[256];
            const int n = ::epoll_wait(_epoll, events, 256, _waiting.empty() ? 10 : 1);
            for (int k = 0; k < n; ++k) Handle(events[k].data.u32, events[k].events);
            _stopping = Clock::now() >= end;
            std::vector<std::size_t> waiting;
            waiting.swap(_waiting);
            for (const std::size_t i : waiting) Open(i);
            if (Clock::now() > end + std::chrono::seconds(10)) break;  // answers that never come
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        std::sort(_latencies.begin(), _latencies.end());
        const auto at = [this](double q) {
            return _latencies.empty() ? 0.0
                                      : _latencies[std::min(_latencies.size() - 1,
                                                            static_cast<std::size_t>(q * static_cast<double>(_latencies.size())))];
        };
        std::printf("login_storm: logins=%ld failed=%ld created=%ld unanswered=%d seconds=%.2f "
                    "per_s=%.0f p50_ms=%.2f p99_ms=%.2f\n",
                    _ok, _failed, _created, Busy(), seconds, static_cast<double>(_ok) / seconds, at(0.5),
                    at(0.99));
        std::fflush(stdout);
        return _failed == 0 && Busy() == 0 ? 0 : 1;
    }

private:
    int Busy() const {
        return static_cast<int>(std::count_if(_slots.begin(), _slots.end(), [](const Slot& s) { return s.fd >= 0; }));
    }

    void Open(std::size_t i) {
        if (_stopping || (!_o.cycle && _next >= _o.count)) return;
        const double elapsed = std::chrono::duration<double>(Clock::now() - _start).count();
        if (_o.rate > 0 && static_cast<double>(_next) >= _o.rate * elapsed) {
            _waiting.push_back(i);  // over the rate: this slot starts its next login later
            return;
        }
        Slot& s = _slots[i];
        s.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(INADDR_LOOPBACK + 9 + static_cast<std::uint32_t>(_next % 10));
        sockaddr_in server{};
        server.sin_family = AF_INET;
        server.sin_port = htons(static_cast<std::uint16_t>(_o.port));
        server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s.started = Clock::now();
        s.tail.clear();
        if (s.fd < 0 || ::bind(s.fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0 ||
            (::connect(s.fd, reinterpret_cast<sockaddr*>(&server), sizeof(server)) != 0 && errno != EINPROGRESS)) {
            std::perror("login_storm: connect");
            std::exit(1);
        }
        const int one = 1;
        ::setsockopt(s.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        epoll_event event{};
        event.events = EPOLLOUT;
        event.data.u32 = static_cast<std::uint32_t>(i);
        ::epoll_ctl(_epoll, EPOLL_CTL_ADD, s.fd, &event);
        _names[i] = _o.names + std::to_string(_o.from + _next % _o.count);
        ++_next;
    }

    void Handle(std::uint32_t i, std::uint32_t events) {
        Slot& s = _slots[i];
        if (s.fd < 0) return;
        if ((events & (EPOLLERR | EPOLLHUP)) != 0) return Finish(i, false, "connection lost");
        if ((events & EPOLLOUT) != 0) {
            epoll_event in{};
            in.events = EPOLLIN;
            in.data.u32 = i;
            ::epoll_ctl(_epoll, EPOLL_CTL_MOD, s.fd, &in);
            Protocol::C_LOGIN login;
            login.set_name(_names[i]);
            login.set_password(_o.password);
            if (!tavern::bench::SendPacket(s.fd, Protocol::PacketId::C_LOGIN, login))
                return Finish(i, false, "send failed");
        }
        if ((events & EPOLLIN) == 0) return;
        char buffer[2048];
        const ssize_t got = ::recv(s.fd, buffer, sizeof(buffer), 0);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) return;
        if (got <= 0) return Finish(i, false, "closed before S_LOGIN");
        tavern::bench::SplitPackets(s.tail, buffer, static_cast<std::size_t>(got),
                                    [&](Protocol::PacketId id, const char* payload, std::size_t size) {
                                        if (id != Protocol::PacketId::S_LOGIN) return true;
                                        Protocol::S_LOGIN answer;
                                        const bool ok = answer.ParseFromArray(payload, static_cast<int>(size)) &&
                                                        answer.success();
                                        if (ok && answer.created()) ++_created;
                                        Finish(i, ok, answer.reason());
                                        return false;
                                    });
    }

    void Finish(std::uint32_t i, bool ok, const std::string& why) {
        Slot& s = _slots[i];
        ::close(s.fd);
        s.fd = -1;
        if (ok) {
            ++_ok;
            _latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - s.started).count());
        } else if (_failed++ < 3) {
            std::fprintf(stderr, "login_storm: %s: %s\n", _names[i].c_str(), why.c_str());
        }
        Open(i);
    }

    Options _o;
    std::vector<Slot> _slots;
    std::vector<std::string> _names;
    std::vector<std::size_t> _waiting;  // idle slots held back by --rate
    Clock::time_point _start;
    int _epoll = -1;
    long _next = 0;
    long _ok = 0;
    long _failed = 0;
    long _created = 0;
    bool _stopping = false;
    std::vector<double> _latencies;
};

}  // namespace

int main(int argc, char** argv) {
    return Storm(Parse(argc, argv)).Run();
}
