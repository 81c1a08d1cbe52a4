#pragma once

#include "core/Session.h"

namespace tavern::examples {

// The course engine's first example: a session that sends back whatever it receives.
// OnRecv runs on the session's job queue; the copy becomes one SendBuffer.
class EchoSession final : public Session {
protected:
    void OnRecv(std::span<const std::byte> bytes) override { Send(SendBuffer::Copy(bytes)); }
};

}  // namespace tavern::examples
