#pragma once

#include <stdexcept>
#include <string>

namespace tavern::bus {

// A bus call that could not be made or answered: no connection, the server refused, a timeout.
// Thrown only by the blocking calls (Bus::Connect, KvBucket's blocking methods); an ask turns it
// into AskError::Failed with this message.
class BusError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Any thread: libnats' text for `status` plus this thread's last error detail, for messages.
std::string NatsErrorText(int status);

}  // namespace tavern::bus
