#include "core/ws/WslayLink.h"

#include <wslay/wslay.h>

#include <cstring>
#include <random>
#include <new>
#include <utility>

namespace tavern::ws {

WslayLink::WslayLink(bool server, std::uint64_t maxMessage, MessageHandler onMessage)
    : _onMessage(std::move(onMessage)) {
    wslay_event_callbacks callbacks{};
    callbacks.recv_callback = &WslayLink::OnRecv;
    callbacks.send_callback = &WslayLink::OnSend;
    callbacks.genmask_callback = &WslayLink::OnGenMask;
    callbacks.on_msg_recv_callback = [](wslay_event_context_ptr ctx,
                                        const wslay_event_on_msg_recv_arg* arg, void* self) {
        OnMessage(ctx, arg, self);
    };
    const int rv = server ? wslay_event_context_server_init(&_ctx, &callbacks, this)
                          : wslay_event_context_client_init(&_ctx, &callbacks, this);
    if (rv != 0) throw std::bad_alloc();
    wslay_event_config_set_max_recv_msg_length(_ctx, maxMessage);
}

WslayLink::~WslayLink() { wslay_event_context_free(_ctx); }

ssize_t WslayLink::OnRecv(wslay_event_context* ctx, std::uint8_t* buf, std::size_t len, int,
                       void* self) {
    auto& link = *static_cast<WslayLink*>(self);
    if (link._input.empty()) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    const std::size_t n = std::min(len, link._input.size());
    std::memcpy(buf, link._input.data(), n);
    link._input = link._input.subspan(n);
    return static_cast<ssize_t>(n);
}

ssize_t WslayLink::OnSend(wslay_event_context*, const std::uint8_t* data, std::size_t len, int,
                       void* self) {
    auto& out = static_cast<WslayLink*>(self)->_outgoing;
    const auto* bytes = reinterpret_cast<const std::byte*>(data);
    out.insert(out.end(), bytes, bytes + len);
    return static_cast<ssize_t>(len);
}

int WslayLink::OnGenMask(wslay_event_context*, std::uint8_t* buf, std::size_t len, void*) {
    thread_local std::mt19937 random{std::random_device{}()};
    for (std::size_t i = 0; i < len; ++i) buf[i] = static_cast<std::uint8_t>(random());
    return 0;
}

void WslayLink::OnMessage(wslay_event_context*, const void* arg, void* self) {
    const auto& message = *static_cast<const wslay_event_on_msg_recv_arg*>(arg);
    auto& link = *static_cast<WslayLink*>(self);
    link._onMessage(message.opcode,
                    {reinterpret_cast<const std::byte*>(message.msg), message.msg_length});
}

bool WslayLink::Feed(std::span<const std::byte> bytes) {
    _input = bytes;
    const int received = wslay_event_want_read(_ctx) ? wslay_event_recv(_ctx) : 0;
    _input = {};
    const int sent = wslay_event_want_write(_ctx) ? wslay_event_send(_ctx) : 0;
    return received == 0 && sent == 0;
}

void WslayLink::Close(std::uint16_t code, std::string_view reason) {
    wslay_event_queue_close(_ctx, code, reinterpret_cast<const std::uint8_t*>(reason.data()),
                            reason.size());
    wslay_event_shutdown_read(_ctx);
    if (wslay_event_want_write(_ctx)) wslay_event_send(_ctx);
}

std::vector<std::byte> WslayLink::TakeOutgoing() { return std::exchange(_outgoing, {}); }

bool WslayLink::CloseSent() const { return wslay_event_get_close_sent(_ctx) != 0; }
bool WslayLink::CloseReceived() const { return wslay_event_get_close_received(_ctx) != 0; }
std::uint16_t WslayLink::CloseCodeSent() const { return wslay_event_get_status_code_sent(_ctx); }

}  // namespace tavern::ws
