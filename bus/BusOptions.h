#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace tavern::bus {

// How a Bus connects. The reconnect settings are libnats' own (natsOptions_SetReconnectWait and
// friends): the library reconnects by itself and resubscribes every subscription.
struct BusOptions {
    std::string url = "nats://127.0.0.1:4222";  // one URL, or several separated by commas
    std::string name = "tavern";                // the connection's name (server monitoring)
    std::chrono::milliseconds connectTimeout{2000};
    std::chrono::milliseconds reconnectWait{250};
    int maxReconnect = -1;                         // attempts in a row; -1: for ever
    int reconnectBufferBytes = 8 * 1024 * 1024;    // publishes kept while disconnected
    std::chrono::milliseconds pingInterval{2000};  // how soon a dead server is noticed
    // The executor that runs blocking JetStream calls for actors (KvBucket's asks).
    std::size_t executorThreads = 2;
    std::size_t executorQueueLimit = 1024;
    // The subject patterns traffic is counted under (BusMetrics), first match wins; the rest
    // is counted as "other".
    std::vector<std::string> metricSubjects;
};

}  // namespace tavern::bus
