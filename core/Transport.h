#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "core/Platform.h"
#include "core/SendBuffer.h"

namespace tavern {

class Session;

// A framing layer between a session's socket and its byte path, chosen per service (per
// listener): WebSocket (core/ws) is one; raw TCP has none, and costs nothing for it. The session
// above it is the same either way: what it receives is the packet stream, what it sends are
// whole packets; the transport adds and removes its own framing around them.
//
//   socket bytes --Received--> [handshake, frames] --Session::TransportDeliver--> packets
//   Session::Send(packets) --Encode (any thread)--> queue --AppendSlices (home)--> gather write
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

    // Any thread, from Session::Send: the buffer to queue for `buffer` (a client's masked copy,
    // say), or nullptr to drop it (the transport has closed its sending side). The default
    // queues it as it is and frames it at send time (AppendSlices).
    virtual SendBufferRef Encode(SendBufferRef buffer) { return buffer; }
    // Home worker, while the slices of one gather write are prepared: appends to `slices` (at
    // most up to kMaxIoSlices) the slices of `buffer`'s wire form from byte `offset` on, and
    // returns the size of that whole wire form. Storage the slices point to stays valid until
    // the next BeginSlices.
    virtual std::size_t AppendSlices(const SendBuffer& buffer, std::size_t offset,
                                     std::vector<IoSlice>& slices) = 0;
    // Home worker: a new gather write is being prepared (the last one completed).
    virtual void BeginSlices() {}
    // Home worker: `buffer` went out whole.
    virtual void Sent(const SendBuffer& /*buffer*/) {}
};

// Makes the transport of each new session of a service. Shared by the service's sessions;
// safe to call from any thread.
class TransportFactory {
public:
    virtual ~TransportFactory() = default;
    virtual std::unique_ptr<Transport> Make() const = 0;
};

}  // namespace tavern
