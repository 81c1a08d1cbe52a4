#pragma once

#include <chrono>
#include <string>

namespace tavern::game {

// gameserver --nats URL --node NAME: join a cluster. An empty natsUrl: one process, no cluster.
struct ClusterOptions {
    std::string natsUrl;
    std::string node;  // unique in the cluster; letters, digits, '-' and '_'
    std::chrono::milliseconds requestTimeout{2000};  // a request to another node, at most
};

}  // namespace tavern::game
