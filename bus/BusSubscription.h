#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "bus/NatsFwd.h"

namespace tavern::bus {

// A subscription made by Bus::Subscribe. While it lives, every message on its subject is handed
// to its actor as a job, in the order the server sent them. Destroying it (or Unsubscribe) stops
// the deliveries: a job already queued on the actor finds it stopped and does nothing, so the
// handler never runs after Unsubscribe returns on that actor.
class BusSubscription {
public:
    // For Bus::Subscribe only: takes over `sub`; `active` is shared with the queued jobs.
    BusSubscription(natsSubscription* sub, std::string subject,
                    std::shared_ptr<std::atomic<bool>> active);
    ~BusSubscription();
    BusSubscription(const BusSubscription&) = delete;
    BusSubscription& operator=(const BusSubscription&) = delete;

    // Safe to call from any thread; idempotent.
    void Unsubscribe();
    // Safe to call from any thread.
    const std::string& Subject() const { return _subject; }

private:
    natsSubscription* _sub;
    std::string _subject;
    std::shared_ptr<std::atomic<bool>> _active;
    std::atomic<bool> _done{false};
};

using BusSubscriptionRef = std::unique_ptr<BusSubscription>;

}  // namespace tavern::bus
