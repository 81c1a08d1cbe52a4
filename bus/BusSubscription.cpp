#include "bus/BusSubscription.h"

#include <nats/nats.h>

namespace tavern::bus {

BusSubscription::BusSubscription(natsSubscription* sub, std::string subject,
                                 std::shared_ptr<std::atomic<bool>> active)
    : _sub(sub), _subject(std::move(subject)), _active(std::move(active)) {}

BusSubscription::~BusSubscription() {
    Unsubscribe();
    // The delivery state is freed by libnats' completion callback (Bus.cpp), after the last
    // message callback has returned; destroying the handle only drops our reference.
    natsSubscription_Destroy(_sub);
}

void BusSubscription::Unsubscribe() {
    if (_done.exchange(true)) return;
    _active->store(false, std::memory_order_release);
    // Fails harmlessly when the connection is already closed (the subscription is closed too).
    natsSubscription_Unsubscribe(_sub);
}

}  // namespace tavern::bus
