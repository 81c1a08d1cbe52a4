// The peer in the echo benchmark: a plain Asio echo server, written the usual way (one
// io_context run by N threads, async_read_some into a per-connection buffer, async_write back).
//   asio_echo_server --port 7778 --threads 1
#include <asio.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using asio::ip::tcp;

class Connection : public std::enable_shared_from_this<Connection> {
public:
    explicit Connection(tcp::socket socket) : _socket(std::move(socket)) {}
    void Start() { Read(); }

private:
    void Read() {
        auto self = shared_from_this();
        _socket.async_read_some(asio::buffer(_buffer), [this, self](std::error_code ec, std::size_t n) {
            if (!ec) Write(n);
        });
    }
    void Write(std::size_t n) {
        auto self = shared_from_this();
        asio::async_write(_socket, asio::buffer(_buffer, n), [this, self](std::error_code ec, std::size_t) {
            if (!ec) Read();
        });
    }

    tcp::socket _socket;
    std::array<char, 16384> _buffer;
};

void Accept(tcp::acceptor& acceptor) {
    acceptor.async_accept([&acceptor](std::error_code ec, tcp::socket socket) {
        if (!ec) {
            socket.set_option(tcp::no_delay(true));
            std::make_shared<Connection>(std::move(socket))->Start();
        }
        Accept(acceptor);
    });
}

}  // namespace

int main(int argc, char** argv) {
    unsigned short port = 7778;
    int threads = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--port") port = static_cast<unsigned short>(std::atoi(argv[i + 1]));
        if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    }
    asio::io_context context(threads);
    tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::any(), port));
    acceptor.listen(4096);
    Accept(acceptor);
    std::printf("asio_echo_server listening on port %u\n", static_cast<unsigned>(port));
    std::fflush(stdout);
    asio::signal_set signals(context, SIGINT, SIGTERM);
    signals.async_wait([&](std::error_code, int) { context.stop(); });
    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&] { context.run(); });
    context.run();
    for (auto& t : pool) t.join();
    return 0;
}
