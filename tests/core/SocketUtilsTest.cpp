#include "core/SocketUtils.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "tests/support/RawClient.h"

namespace tavern::test {
namespace {

// On Windows every socket call fails (WSANOTINITIALISED) until Winsock is started. The socket
// helpers start it themselves, so sockets work before any engine starts, or with none: this
// runs in a fresh child process (a death test; on Windows always a new process), where no
// engine has ever run, and connects a client to a listener over loopback there.
TEST(SocketUtilsTest, SocketsWorkInAProcessWhereNoEngineEverStarted) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");  // a new process, not a fork
    EXPECT_EXIT(
        {
            std::error_code error;
            const SocketHandle listener =
                socket::CreateListener(NetAddress::Loopback(0), 8, error);
            if (error || listener == kInvalidSocket) {
                std::fprintf(stderr, "listener: %s\n", error.message().c_str());
                std::exit(1);
            }
            RawClient client;  // socket::CreateTcp, then a non-blocking connect
            if (!client.Connect(socket::LocalAddress(listener))) {
                std::fprintf(stderr, "connect failed\n");
                std::exit(2);
            }
            std::fprintf(stderr, "connected\n");
            std::exit(0);
        },
        testing::ExitedWithCode(0), "connected");
}

}  // namespace
}  // namespace tavern::test
