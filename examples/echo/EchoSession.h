#pragma once

#include "core/Session.h"

namespace tavern::examples {

// The course engine's first example: a session that sends back whatever it receives.
// OnRecvBuffer runs on the session's job queue; the received bytes already are an immutable
// SendBuffer, so they go back as they are, without a second copy.
class EchoSession final : public Session {
protected:
    void OnRecvBuffer(SendBufferRef bytes) override { Send(std::move(bytes)); }
};

}  // namespace tavern::examples
