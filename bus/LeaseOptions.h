#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace tavern::bus {

enum class LeaseEvent : std::uint8_t {
    Acquired,  // this holder owns the key now
    Lost,      // it does not any more: a renewal found the key taken, or none succeeded in time
};

std::string_view LeaseEventName(LeaseEvent event) noexcept;

// Runs as a job on the lease's owner actor.
using LeaseHandler = std::function<void(LeaseEvent)>;

struct LeaseOptions {
    std::string key;     // the key claimed in the lease bucket
    std::string holder;  // stored as the key's value: who holds it (a node's name)
};

}  // namespace tavern::bus
