// Opens N idle TCP connections to a server on loopback and holds them until stdin closes or
// the time runs out; used to measure a server's memory per idle connection.
//   idle_clients --port 7777 --count 10000 --hold 30
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    int port = 7777;
    int count = 10000;
    int hold = 30;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--port") port = std::atoi(argv[i + 1]);
        if (flag == "--count") count = std::atoi(argv[i + 1]);
        if (flag == "--hold") hold = std::atoi(argv[i + 1]);
    }
    rlimit limit{};
    getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);

    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<unsigned short>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::vector<int> sockets;
    for (int i = 0; i < count; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
            std::fprintf(stderr, "idle_clients: connection %d failed\n", i);
            if (fd >= 0) ::close(fd);
            break;
        }
        sockets.push_back(fd);
    }
    std::printf("idle_clients: %zu connected\n", sockets.size());
    std::fflush(stdout);
    pollfd in{0, POLLIN, 0};
    ::poll(&in, 1, hold * 1000);  // until stdin closes or the hold ends
    for (const int fd : sockets) ::close(fd);
    return sockets.size() == static_cast<std::size_t>(count) ? 0 : 1;
}
