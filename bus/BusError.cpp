#include "bus/BusError.h"

#include <nats/nats.h>

namespace tavern::bus {

std::string NatsErrorText(int status) {
    const auto s = static_cast<natsStatus>(status);
    std::string text = natsStatus_GetText(s);
    natsStatus last = NATS_OK;
    const char* detail = nats_GetLastError(&last);
    if (detail != nullptr && *detail != 0 && last == s && text != detail)
        text += ": " + std::string(detail);
    return text;
}

}  // namespace tavern::bus
