#include "core/NetAddress.h"

#include <cstring>

#if !defined(_WIN32)
#include <arpa/inet.h>
#include <netinet/in.h>
#endif

namespace tavern {

std::optional<NetAddress> NetAddress::Parse(std::string_view ip, std::uint16_t port) {
    const std::string text(ip);
    NetAddress address;
    sockaddr_in v4{};
    if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
        v4.sin_family = AF_INET;
        v4.sin_port = htons(port);
        std::memcpy(&address._storage, &v4, sizeof(v4));
        address._length = sizeof(v4);
        return address;
    }
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET6, text.c_str(), &v6.sin6_addr) == 1) {
        v6.sin6_family = AF_INET6;
        v6.sin6_port = htons(port);
        std::memcpy(&address._storage, &v6, sizeof(v6));
        address._length = sizeof(v6);
        return address;
    }
    return std::nullopt;
}

NetAddress NetAddress::Loopback(std::uint16_t port) { return *Parse("127.0.0.1", port); }
NetAddress NetAddress::LoopbackV6(std::uint16_t port) { return *Parse("::1", port); }
NetAddress NetAddress::Any(std::uint16_t port) { return *Parse("0.0.0.0", port); }

NetAddress NetAddress::FromSockAddr(const sockaddr* addr, socklen_t length) {
    NetAddress address;
    const auto size = std::min<std::size_t>(static_cast<std::size_t>(length), sizeof(address._storage));
    std::memcpy(&address._storage, addr, size);
    address._length = static_cast<socklen_t>(size);
    return address;
}

std::uint16_t NetAddress::Port() const {
    if (Family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&_storage)->sin_port);
    if (Family() == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6*>(&_storage)->sin6_port);
    return 0;
}

std::string NetAddress::Ip() const {
    char text[INET6_ADDRSTRLEN] = {};
    if (Family() == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&_storage)->sin_addr, text,
                  sizeof(text));
    } else if (Family() == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&_storage)->sin6_addr, text,
                  sizeof(text));
    }
    return text;
}

std::string NetAddress::ToString() const {
    if (Family() == AF_INET6) return "[" + Ip() + "]:" + std::to_string(Port());
    return Ip() + ":" + std::to_string(Port());
}

}  // namespace tavern
