#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bus/KvBucket.h"
#include "bus/LeaseOptions.h"
#include "jobs/Clock.h"
#include "jobs/JobQueue.h"
#include "jobs/TimerHandle.h"

namespace tavern::bus {

class Lease;
using LeaseRef = std::shared_ptr<Lease>;

// Holds one key of a lease bucket for as long as it runs: claims it with Create, renews it with
// Update by revision every lease/3, and reports Acquired / Lost to its owner as jobs.
//
// The lease time is the bucket's TTL (KvOptions::ttl). A holder that stops renewing (killed,
// cut off from NATS) leaves a value that the server itself removes one lease time after the
// last renewal was stored; the next Create then succeeds. The expiry is the server's, on the
// server's clock, not a deadline written in the value and compared on every node's clock: no
// node's clock can make two holders. A holder counts itself the owner only until one lease time
// after it *sent* its last successful renewal, which is never later than the server's expiry.
//
//   claiming --Create ok--> held --Update ok (every lease/3)--> held
//      ^                     |  Update Conflict (taken) or no success for a lease time
//      +------ Lost <--------+
//
// An actor of its own: its state changes run as its jobs, its KV calls as asks on the bus's
// executor. After Lost it goes back to claiming. A refused write finds out first whether the key
// holds a late write of its own (an ask that timed out while the server stored it) and renews
// that one, so a slow answer does not make a holder lose its lease to itself. The holder's
// name must therefore be unique among the claimants (a node's name). Stop() releases the key at
// once (a delete conditional on its revision, so it never deletes a successor's claim).
class Lease : public JobQueue {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // Safe to call from any thread. Starts claiming at once. The bucket must have a TTL.
    static LeaseRef Start(const SchedulerRef& scheduler, KvBucketRef bucket, LeaseOptions options,
                          std::weak_ptr<JobQueue> owner, LeaseHandler onChange);
    Lease(PrivateTag, const SchedulerRef& scheduler, KvBucketRef bucket, LeaseOptions options,
          std::weak_ptr<JobQueue> owner, LeaseHandler onChange);

    // Safe to call from any thread; idempotent. Stops renewing; releases the key if held. No
    // event is delivered after it (one already queued on the owner may still run).
    void Stop();
    // Safe to call from any thread. The lease's own view (may lag its owner's events).
    bool Held() const { return _held.load(std::memory_order_acquire); }
    // Safe to call from any thread.
    Clock::duration Duration() const { return _duration; }
    const std::string& Key() const { return _options.key; }

private:
    // On this lease's jobs.
    void Tick();
    // `mayAdopt`: on a Conflict, look whether the key holds our own write first (Adopt).
    void Claimed(AskResult<KvWrite> result, Clock::time_point sentAt, bool mayAdopt);
    void Renewed(AskResult<KvWrite> result, Clock::time_point sentAt, bool mayAdopt);
    // A write of ours was refused. If the key holds our holder's name, what is there is a write
    // of ours whose answer came too late (its ask timed out, the server stored it anyway): renew
    // it at its revision instead of losing the lease to ourselves.
    void Adopt(bool held);
    void Lose(const char* why);
    void Notify(LeaseEvent event);
    void StopOnQueue();

    const KvBucketRef _bucket;
    const LeaseOptions _options;
    const std::weak_ptr<JobQueue> _owner;
    const std::shared_ptr<LeaseHandler> _onChange;
    const Clock::duration _duration;
    const Clock::duration _period;  // lease / 3
    std::atomic<bool> _held{false};
    // On this lease's jobs only.
    bool _stopped = false;
    bool _inFlight = false;
    std::uint64_t _revision = 0;
    Clock::time_point _validUntil{};
    TimerHandle _timer;
};

}  // namespace tavern::bus
