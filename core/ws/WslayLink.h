#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include <sys/types.h>

struct wslay_event_context;

namespace tavern::ws {

// One wslay event context (Debian's libwslay-dev) over a completion engine: bytes the socket
// delivered are fed in (wslay's receive callback reads them from here, then says "would
// block"); complete messages come out through a callback, fragments assembled; ping is
// answered with pong, a close with a close, an unmasked client frame or bad reserved bits with
// close 1002, a message over the limit with 1009. The control frames wslay writes are
// collected here for the owner to queue. Only on the session's home worker.
class WslayLink {
public:
    enum Opcode : std::uint8_t { kText = 0x1, kBinary = 0x2, kClose = 0x8 };
    using MessageHandler = std::function<void(std::uint8_t opcode, std::span<const std::byte>)>;

    WslayLink(bool server, std::uint64_t maxMessage, MessageHandler onMessage);
    ~WslayLink();
    WslayLink(const WslayLink&) = delete;
    WslayLink& operator=(const WslayLink&) = delete;

    // Parses `bytes`; calls the handler for every message completed. False on a fatal error.
    bool Feed(std::span<const std::byte> bytes);
    // Queues a close frame (the owner fails the connection: 1003, say) and stops reading.
    void Close(std::uint16_t code, std::string_view reason);
    // The control frames written since the last call, as wire bytes (empty if none).
    std::vector<std::byte> TakeOutgoing();

    bool CloseSent() const;
    bool CloseReceived() const;
    std::uint16_t CloseCodeSent() const;

private:
    static ssize_t OnRecv(wslay_event_context* ctx, std::uint8_t* buf, std::size_t len, int flags,
                       void* self);
    static ssize_t OnSend(wslay_event_context* ctx, const std::uint8_t* data, std::size_t len,
                       int flags, void* self);
    static int OnGenMask(wslay_event_context* ctx, std::uint8_t* buf, std::size_t len, void* self);
    static void OnMessage(wslay_event_context* ctx, const void* arg, void* self);

    wslay_event_context* _ctx = nullptr;
    MessageHandler _onMessage;
    std::span<const std::byte> _input;
    std::vector<std::byte> _outgoing;
};

}  // namespace tavern::ws
