#pragma once
// The IOCP backend's per-object bookkeeping. Internal to core/iocp.
//
//   ObjectState (one per Session or Listener that has asked for I/O, owned by the worker's
//   IocpBackend, keyed by the object's address)
//   +-------------------------------------------------------------+
//   | recv    | Operation: OVERLAPPED | kind | owner               |  zero-byte WSARecv
//   | send    | Operation                                         |  WSASend (gather)
//   | connect | Operation                                         |  ConnectEx
//   | cancel  | Operation                                         |  posted by Close
//   | reuse   | Operation                                         |  DisconnectEx(TF_REUSE_SOCKET)
//   | accepts | AcceptSlot x 16: Operation + socket + addresses  |  AcceptEx (listeners)
//   +-------------------------------------------------------------+
//
// The OVERLAPPED is an Operation's first member, so the LPOVERLAPPED that
// GetQueuedCompletionStatusEx returns is the Operation's address. The owner keeps itself alive
// while any operation is pending (IocpObject::OperationStarted), and the state lives until the
// owner is closed, so neither is freed while the kernel may still write into an OVERLAPPED.

#include "core/Platform.h"

#include <array>
#include <cstdint>
#include <vector>

namespace tavern {
class IocpObject;
}

namespace tavern::iocp {

enum class OpKind : std::uint8_t { Accept, Connect, Recv, Send, Cancel, Reuse };

struct Operation {
    OVERLAPPED overlapped{};  // first: the pointer the port hands back is this operation's
    OpKind kind;
    std::uint16_t slot = 0;   // which AcceptSlot (accepts only)
    bool inKernel = false;    // the kernel holds the OVERLAPPED (posted, not yet completed)
    IocpObject* owner;

    Operation(OpKind k, IocpObject* o) : kind(k), owner(o) {}
    // Clears the OVERLAPPED for the next request.
    OVERLAPPED* Start() {
        overlapped = OVERLAPPED{};
        inKernel = true;
        return &overlapped;
    }
};

// AcceptEx wants room for both addresses, each 16 bytes longer than the largest address.
inline constexpr DWORD kAcceptAddressLength = sizeof(sockaddr_storage) + 16;

// One pre-posted AcceptEx: its own pre-created socket and address buffer.
struct AcceptSlot {
    Operation op;
    SocketHandle socket = kInvalidSocket;
    bool retired = false;  // could not be posted; Poll retries it later
    std::array<char, 2 * kAcceptAddressLength> addresses{};

    AcceptSlot(IocpObject* owner, std::uint16_t index) : op(OpKind::Accept, owner) {
        op.slot = index;
    }
};

struct ObjectState {
    explicit ObjectState(IocpObject* owner)
        : recv(OpKind::Recv, owner),
          send(OpKind::Send, owner),
          connect(OpKind::Connect, owner),
          cancel(OpKind::Cancel, owner),
          reuse(OpKind::Reuse, owner) {}

    // Operations whose OVERLAPPED the kernel holds right now.
    bool AnyInKernel() const {
        if (recv.inKernel || send.inKernel || connect.inKernel || cancel.inKernel ||
            reuse.inKernel)
            return true;
        for (const AcceptSlot& slot : accepts)
            if (slot.op.inKernel) return true;
        return false;
    }

    Operation recv;
    Operation send;
    Operation connect;
    Operation cancel;
    Operation reuse;
    std::vector<AcceptSlot> accepts;  // listeners only
    bool associated = false;          // the socket is on this worker's completion port
    bool connecting = false;          // ConnectEx pending
    bool sendWaitsForConnect = false; // Send() came while connecting: issued once connected
    bool outbound = false;            // connected by ConnectEx (not from AcceptEx: never reused)
    bool reuseTried = false;          // DisconnectEx(TF_REUSE_SOCKET) was asked for
};

}  // namespace tavern::iocp
