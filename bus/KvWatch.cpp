#include "bus/KvWatch.h"

#include <nats/nats.h>

#include <spdlog/spdlog.h>

#include "bus/BusError.h"

namespace tavern::bus {

KvWatch::KvWatch(kvWatcher* watcher, std::weak_ptr<JobQueue> actor, KvWatchHandler handler)
    : _watcher(watcher),
      _actor(std::move(actor)),
      _handler(std::make_shared<KvWatchHandler>(std::move(handler))),
      _thread([this] { Loop(); }) {}

KvWatch::~KvWatch() {
    _active->store(false, std::memory_order_release);
    kvWatcher_Stop(_watcher);
    _thread.join();
    kvWatcher_Destroy(_watcher);
}

void KvWatch::Loop() {
    while (_active->load(std::memory_order_acquire)) {
        kvEntry* e = nullptr;
        const natsStatus s = kvWatcher_Next(&e, _watcher, 200);
        if (s == NATS_TIMEOUT) continue;
        if (s == NATS_ILLEGAL_STATE) return;  // stopped
        if (s != NATS_OK) {
            spdlog::warn("bus: key-value watch: {}", NatsErrorText(s));
            continue;
        }
        if (e == nullptr) continue;  // "the current values are all delivered"
        KvEntry entry;
        entry.key = kvEntry_Key(e);
        if (const void* value = kvEntry_Value(e)) {
            entry.value.assign(static_cast<const char*>(value),
                               static_cast<std::size_t>(kvEntry_ValueLen(e)));
        }
        entry.revision = kvEntry_Revision(e);
        const kvOperation op = kvEntry_Operation(e);
        entry.op = op == kvOp_Delete ? KvOp::Delete : op == kvOp_Purge ? KvOp::Purge : KvOp::Put;
        kvEntry_Destroy(e);
        if (auto actor = _actor.lock()) {
            actor->DoAsync([fn = _handler, active = _active, entry = std::move(entry)]() mutable {
                if (active->load(std::memory_order_acquire)) (*fn)(entry);
            });
        }
    }
}

}  // namespace tavern::bus
