#pragma once

#include <chrono>
#include <string>

namespace tavern::game {

// gameserver --nats URL --node NAME: join a cluster. An empty natsUrl: one process, no cluster.
struct ClusterOptions {
    std::string natsUrl;
    std::string node;  // unique in the cluster; letters, digits, '-' and '_'
    std::chrono::milliseconds requestTimeout{2000};  // a request to another node, at most
    // How long a room's owner holds it without renewing (--lease): a killed owner's rooms
    // move to a live node within it. Every node of a cluster must use the same.
    std::chrono::milliseconds lease{3000};
};

}  // namespace tavern::game
