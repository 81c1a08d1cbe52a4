#pragma once

#include <string>
#include <string_view>

namespace tavern::ws {

// The opening handshake's key arithmetic (RFC 6455 4.2.2), with SHA-1 and base64 from nettle.
// Every function is safe to call from any thread.
class WsHandshake {
public:
    // base64(SHA-1(key + the RFC's GUID)): the server's Sec-WebSocket-Accept for `key`.
    static std::string AcceptKey(std::string_view key);
    // Whether `key` is what a client must send: base64 of 16 bytes.
    static bool ValidKey(std::string_view key);
    // A client's fresh key: 16 random bytes in base64.
    static std::string NewKey();
};

}  // namespace tavern::ws
