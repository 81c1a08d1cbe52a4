#include "bus/Lease.h"

#include <spdlog/spdlog.h>

#include "bus/BusError.h"

namespace tavern::bus {

std::string_view LeaseEventName(LeaseEvent event) noexcept {
    return event == LeaseEvent::Acquired ? "acquired" : "lost";
}

LeaseRef Lease::Start(const SchedulerRef& scheduler, KvBucketRef bucket, LeaseOptions options,
                      std::weak_ptr<JobQueue> owner, LeaseHandler onChange) {
    if (bucket->Options().ttl.count() <= 0) {
        throw BusError("lease bucket " + bucket->Name() +
                       " has no TTL: its leases would never expire");
    }
    auto lease = std::make_shared<Lease>(PrivateTag{}, scheduler, std::move(bucket),
                                         std::move(options), std::move(owner), std::move(onChange));
    lease->DoAsync(&Lease::Tick);
    return lease;
}

Lease::Lease(PrivateTag, const SchedulerRef& scheduler, KvBucketRef bucket, LeaseOptions options,
             std::weak_ptr<JobQueue> owner, LeaseHandler onChange)
    : JobQueue(scheduler),
      _bucket(std::move(bucket)),
      _options(std::move(options)),
      _owner(std::move(owner)),
      _onChange(std::make_shared<LeaseHandler>(std::move(onChange))),
      _duration(std::chrono::duration_cast<Clock::duration>(_bucket->Options().ttl)),
      _period(_duration / 3) {}

void Lease::Stop() {
    DoAsync(&Lease::StopOnQueue);
}

void Lease::StopOnQueue() {
    if (_stopped) return;
    _stopped = true;
    _timer.Cancel();
    if (!_held.exchange(false, std::memory_order_acq_rel)) return;
    // Hand the key over now rather than one lease time later; only our own revision goes.
    _bucket->Delete(*this, _options.key, _revision, _period, [](AskResult<KvWrite>) {});
}

void Lease::Tick() {
    if (_stopped) return;
    _timer = DoTimer(_period, &Lease::Tick);
    const Clock::time_point now = Clock::now();
    if (_held.load(std::memory_order_relaxed) && now >= _validUntil) {
        Lose("no renewal succeeded within the lease time");
    }
    if (_inFlight) return;  // the previous call has not answered yet (its ask times out)
    _inFlight = true;
    auto self = SharedAs<Lease>();
    if (_held.load(std::memory_order_relaxed)) {
        _bucket->Update(
            *this, _options.key, _options.holder, _revision, _period,
            [self, now](AskResult<KvWrite> r) { self->Renewed(std::move(r), now, true); });
    } else {
        _bucket->Create(
            *this, _options.key, _options.holder, _period,
            [self, now](AskResult<KvWrite> r) { self->Claimed(std::move(r), now, true); });
    }
}

void Lease::Adopt(bool held) {
    auto self = SharedAs<Lease>();
    _bucket->Get(
        *this, _options.key, _period, [self, held](AskResult<std::optional<KvEntry>> found) {
            const auto refused = [&self, held](AskResult<KvWrite> r) {
                const Clock::time_point now = Clock::now();
                held ? self->Renewed(std::move(r), now, false)
                     : self->Claimed(std::move(r), now, false);
            };
            if (!found.Ok())
                return refused(AskResult<KvWrite>::Failure(found.ErrorKind(), found.Message()));
            if (!found.Value() || found.Value()->value != self->_options.holder) {
                return refused(AskResult<KvWrite>::Success({KvWrite::Status::Conflict, 0}));
            }
            const Clock::time_point sentAt = Clock::now();
            self->_bucket->Update(*self, self->_options.key, self->_options.holder,
                                  found.Value()->revision, self->_period,
                                  [self, held, sentAt](AskResult<KvWrite> r) {
                                      held ? self->Renewed(std::move(r), sentAt, false)
                                           : self->Claimed(std::move(r), sentAt, false);
                                  });
        });
}

void Lease::Claimed(AskResult<KvWrite> result, Clock::time_point sentAt, bool mayAdopt) {
    if (mayAdopt && !_stopped && result.Ok() && result.Value().Conflict()) return Adopt(false);
    _inFlight = false;
    if (!result.Ok() || !result.Value().Ok()) return;  // taken, or no answer: try next tick
    if (_stopped) {
        // Stopped while the claim was on its way: give it back.
        _bucket->Delete(*this, _options.key, result.Value().revision, _period,
                        [](AskResult<KvWrite>) {});
        return;
    }
    _revision = result.Value().revision;
    _validUntil = sentAt + _duration;
    _held.store(true, std::memory_order_release);
    Notify(LeaseEvent::Acquired);
}

void Lease::Renewed(AskResult<KvWrite> result, Clock::time_point sentAt, bool mayAdopt) {
    if (mayAdopt && !_stopped && _held.load(std::memory_order_relaxed) && result.Ok() &&
        result.Value().Conflict()) {
        return Adopt(true);
    }
    _inFlight = false;
    if (_stopped || !_held.load(std::memory_order_relaxed)) return;
    if (!result.Ok()) {
        if (Clock::now() >= _validUntil) Lose("no renewal succeeded within the lease time");
        return;  // not answered: the next tick tries again while the lease is still valid
    }
    if (result.Value().Conflict()) {
        Lose("the key was taken (it expired, and another holder claimed it)");
        return;
    }
    _revision = result.Value().revision;
    _validUntil = sentAt + _duration;
}

void Lease::Lose(const char* why) {
    _held.store(false, std::memory_order_release);
    _revision = 0;
    spdlog::warn("bus: lease {} lost: {}", _options.key, why);
    Notify(LeaseEvent::Lost);
}

void Lease::Notify(LeaseEvent event) {
    if (auto owner = _owner.lock()) {
        owner->DoAsync([fn = _onChange, event] {
            if (*fn) (*fn)(event);
        });
    }
}

}  // namespace tavern::bus
