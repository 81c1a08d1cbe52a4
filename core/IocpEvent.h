#pragma once

#include <cstdint>

namespace tavern {

class IocpObject;

// One in-flight operation. The completion engine gets a pointer to it back with the completion
// (io_uring user_data, the OVERLAPPED of IOCP) and dispatches on `type` to `owner`.
// Events live inside their owner, which the owner keeps alive while any operation is pending.
enum class EventType : std::uint8_t { Accept, AcceptReady, Connect, Recv, Send, Cancel, Wake };

struct IocpEvent {
    EventType type;
    IocpObject* owner;
};

}  // namespace tavern
