#include "bus/BusEvent.h"

namespace tavern::bus {

std::string_view BusEventName(BusEvent event) noexcept {
    switch (event) {
        case BusEvent::Disconnected:
            return "disconnected";
        case BusEvent::Reconnected:
            return "reconnected";
        case BusEvent::Closed:
            return "closed";
    }
    return "unknown";
}

}  // namespace tavern::bus
