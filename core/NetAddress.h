#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/Platform.h"

namespace tavern {

// An IPv4 or IPv6 socket address. A plain value: copy it freely.
class NetAddress {
public:
    NetAddress() = default;
    // Parses a numeric address ("127.0.0.1", "::1"); nullopt when it is not one.
    static std::optional<NetAddress> Parse(std::string_view ip, std::uint16_t port);
    static NetAddress Loopback(std::uint16_t port);   // 127.0.0.1
    static NetAddress LoopbackV6(std::uint16_t port); // ::1
    static NetAddress Any(std::uint16_t port);        // 0.0.0.0
    // Wraps what accept() or getsockname() returned.
    static NetAddress FromSockAddr(const sockaddr* addr, socklen_t length);

    int Family() const { return _storage.ss_family; }
    std::uint16_t Port() const;
    std::string Ip() const;
    std::string ToString() const;  // "127.0.0.1:7777", "[::1]:7777"

    const sockaddr* SockAddr() const { return reinterpret_cast<const sockaddr*>(&_storage); }
    socklen_t Length() const { return _length; }

private:
    sockaddr_storage _storage{};
    socklen_t _length = 0;
};

}  // namespace tavern
