#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "bus/KvEntry.h"
#include "bus/NatsFwd.h"
#include "jobs/JobQueue.h"

namespace tavern::bus {

// A watch made by KvBucket::Watch: the current values of the watched keys, then every change
// to them (puts, deletes, purges), each handed to the actor as a job, in revision order. A thread
// of its own waits on libnats' watcher (nats.c 3.4 has no callback form); it only copies entries
// out and pushes. Destroying the watch stops it; jobs already queued find it stopped and do
// nothing.
class KvWatch {
public:
    // For KvBucket::Watch only: takes over `watcher`.
    KvWatch(kvWatcher* watcher, std::weak_ptr<JobQueue> actor, KvWatchHandler handler);
    // Not on the watch's actor's worker if that would block it long: joins the thread (within
    // one poll, 200 ms).
    ~KvWatch();
    KvWatch(const KvWatch&) = delete;
    KvWatch& operator=(const KvWatch&) = delete;

private:
    void Loop();

    kvWatcher* _watcher;
    std::weak_ptr<JobQueue> _actor;
    std::shared_ptr<KvWatchHandler> _handler;
    std::shared_ptr<std::atomic<bool>> _active = std::make_shared<std::atomic<bool>>(true);
    std::thread _thread;
};

using KvWatchRef = std::unique_ptr<KvWatch>;

}  // namespace tavern::bus
