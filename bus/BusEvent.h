#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace tavern::bus {

// What happened to a Bus's connection. Delivered as jobs on the actor given to Bus::Connect,
// in the order libnats reported them.
enum class BusEvent : std::uint8_t {
    Disconnected,  // the server went away; libnats is reconnecting (publishes are buffered)
    Reconnected,   // back, with every subscription resumed
    Closed,        // for good: reconnecting gave up, or the Bus is being destroyed
};

std::string_view BusEventName(BusEvent event) noexcept;

// Runs as a job on the events actor.
using BusEventHandler = std::function<void(BusEvent)>;

}  // namespace tavern::bus
