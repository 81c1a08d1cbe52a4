#pragma once

#include <cstddef>
#include <memory>
#include <span>

#include "core/SendBuffer.h"

namespace tavern {

class Session;

// A framing layer between a session's socket and its byte path, chosen per service (per
// listener): WebSocket (core/ws) is one; raw TCP has none, and costs nothing for it. The session
// above it is the same either way: what it receives is the packet stream, what it sends are
// whole packets; the transport adds and removes its own framing around them.
//
//   socket bytes --Received--> [handshake, frames] --Session::TransportDeliver--> packets
//   Session::Send(packets) --Encode (any thread)--> the send queue, in wire form
//
// Every method but Encode runs on the session's home worker.
class Transport {
public:
    virtual ~Transport() = default;

    // Home worker: the socket is up (accepted, or connected). A client sends its request here.
    virtual void Started(Session& session) = 0;
    // Home worker: bytes arrived. Whole messages go on with session.TransportDeliver; the
    // transport keeps what is unfinished itself.
    virtual void Received(Session& session, std::span<const std::byte> bytes) = 0;
    // Home worker: the peer closed its side.
    virtual void PeerClosed(Session& session) = 0;
    // On the session's job queue: the session is closing gracefully (the service stops); what
    // is queued now goes out before the close. Say goodbye in the transport's terms here.
    virtual void Stopping(Session& /*session*/) {}

    // Any thread, from Session::Send: `buffer` (whole packets) in the transport's wire form,
    // which is what gets queued and sent, or nullptr to drop it (the transport has closed its
    // sending side). A broadcast's buffer is framed once for all the transport's recipients
    // (SendBuffer::Twin), never copied per recipient.
    virtual SendBufferRef Encode(SendBufferRef buffer) = 0;
};

// Makes the transport of each new session of a service. Shared by the service's sessions;
// safe to call from any thread.
class TransportFactory {
public:
    virtual ~TransportFactory() = default;
    virtual std::unique_ptr<Transport> Make() const = 0;
};

}  // namespace tavern
