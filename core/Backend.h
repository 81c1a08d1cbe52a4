#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "core/NetAddress.h"

namespace tavern {

class Session;
class Listener;

enum class BackendKind : std::uint8_t { Auto, Uring, Epoll, Iocp };
std::string_view ToString(BackendKind kind);

// Any thread; process-wide: receives that found the worker's shared receive buffers used up
// (io_uring: a multishot receive ended with -ENOBUFS and was armed again). A diagnostic for the
// buffer sizing; 0 on backends whose receive buffers are not shared.
std::uint64_t ReceivesOutOfBuffers();
// The backends count one.
void CountReceiveOutOfBuffers();

struct BackendOptions {
    std::uint32_t ringEntries = 4096;        // io_uring submission queue size
    std::uint32_t recvBufferSize = 16 * 1024; // one provided receive buffer (epoll: the read buffer)
    std::uint32_t recvBufferCount = 256;      // provided buffers per worker (a power of two)
};

// A worker's completion engine. One per worker thread; never shared between threads.
// Operations are asked for here and completed later by calling the owner back (Session::Io*,
// Listener::Io*) from Poll(), on the same thread, never from inside the call that asked.
// Every method is only for the owning worker's thread, except Wake().
//
// io_uring completes operations natively; epoll is a reactor that performs each operation when
// its socket is ready and then completes it the same way; IOCP completes natively too.
class Backend {
public:
    virtual ~Backend() = default;
    virtual BackendKind Kind() const = 0;

    // Submits what was asked for, waits up to `timeout` for completions (0: do not wait), and
    // delivers them. Returns how many completions were delivered.
    virtual int Poll(std::chrono::milliseconds timeout) = 0;
    // Safe to call from any thread: makes a Poll that is waiting (or the next one) return soon.
    virtual void Wake() = 0;

    // Accepts continuously until CloseListener: each connection -> listener.IoAccepted.
    virtual void Accept(Listener& listener) = 0;
    // Stops accepting and closes the listening socket, then listener.IoClosed.
    virtual void CloseListener(Listener& listener) = 0;

    // Connects the session's socket -> session.IoConnected(error).
    virtual void Connect(Session& session, const NetAddress& peer) = 0;
    // Receives continuously until the peer closes, an error, or Close:
    // data -> session.IoReceived(bytes); the end -> session.IoRecvEnded(error or {} for EOF).
    virtual void Receive(Session& session) = 0;
    // Sends session.SendSlices() (one send in flight per session) -> session.IoSent(error, bytes).
    // A partial send completes with the bytes sent; the session resumes from there.
    virtual void Send(Session& session) = 0;
    // Cancels the session's pending operations, waits for their completions, closes the socket,
    // then session.IoClosed(). Pending operations complete with operation_canceled or not at all.
    virtual void Close(Session& session) = 0;
};

}  // namespace tavern
