#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "bus/Bus.h"
#include "bus/KvEntry.h"
#include "bus/KvOptions.h"
#include "bus/KvWatch.h"
#include "bus/NatsFwd.h"
#include "jobs/Ask.h"

namespace tavern::bus {

class KvBucket;
using KvBucketRef = std::shared_ptr<KvBucket>;

// A JetStream key-value bucket (nats.c's kvStore) with compare-and-set writes.
//
// Every call comes in two forms. The blocking one waits for the server (up to
// KvOptions::requestTimeout) and throws BusError when it cannot get an answer: for threads that
// may block (a tool, a test, the bus's executor), never an I/O worker. The asking one, with an
// actor first, runs the blocking call on the bus's executor and answers as a job on the actor
// (jobs/Ask.h): AskResult<...> holding the value, or Failed with the BusError's message,
// Timeout, Rejected (executor full).
class KvBucket : public std::enable_shared_from_this<KvBucket> {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    // Blocking: binds to the bucket, creating it when absent. Throws BusError, also when the
    // bucket exists with another TTL (a lease bucket must expire what it was made to).
    static KvBucketRef Open(BusRef bus, const KvOptions& options);
    KvBucket(PrivateTag, BusRef bus, const KvOptions& options);
    ~KvBucket();
    KvBucket(const KvBucket&) = delete;
    KvBucket& operator=(const KvBucket&) = delete;

    // Blocking. The current value, or nullopt when the key is absent, deleted or expired.
    std::optional<KvEntry> Get(const std::string& key);
    // Blocking. Writes whatever the key holds now (last writer wins).
    KvWrite Put(const std::string& key, std::string_view value);
    // Blocking. Writes only if the key is absent (or deleted, or expired): else Conflict.
    KvWrite Create(const std::string& key, std::string_view value);
    // Blocking. Writes only if the key's current revision is `revision`: else Conflict.
    KvWrite Update(const std::string& key, std::string_view value, std::uint64_t revision);
    // Blocking. Deletes (a delete marker: watchers see it); with a `revision`, only if that is
    // still the key's current one (else Conflict), so a holder cannot delete its successor's.
    KvWrite Delete(const std::string& key, std::uint64_t revision = 0);

    // Only on a job of `asker`: the same, answered as a job on `asker`.
    template <class Then>
    void Get(JobQueue& asker, std::string key, Clock::duration timeout, Then&& then) {
        Ask(
            asker, _bus->Executor(), [self = shared_from_this(), key] { return self->Get(key); },
            timeout, std::forward<Then>(then));
    }
    template <class Then>
    void Put(JobQueue& asker, std::string key, std::string value, Clock::duration timeout,
             Then&& then) {
        Ask(
            asker, _bus->Executor(),
            [self = shared_from_this(), key, value] { return self->Put(key, value); }, timeout,
            std::forward<Then>(then));
    }
    template <class Then>
    void Create(JobQueue& asker, std::string key, std::string value, Clock::duration timeout,
                Then&& then) {
        Ask(
            asker, _bus->Executor(),
            [self = shared_from_this(), key, value] { return self->Create(key, value); }, timeout,
            std::forward<Then>(then));
    }
    template <class Then>
    void Update(JobQueue& asker, std::string key, std::string value, std::uint64_t revision,
                Clock::duration timeout, Then&& then) {
        Ask(
            asker, _bus->Executor(),
            [self = shared_from_this(), key, value, revision] {
                return self->Update(key, value, revision);
            },
            timeout, std::forward<Then>(then));
    }
    template <class Then>
    void Delete(JobQueue& asker, std::string key, std::uint64_t revision, Clock::duration timeout,
                Then&& then) {
        Ask(
            asker, _bus->Executor(),
            [self = shared_from_this(), key, revision] { return self->Delete(key, revision); },
            timeout, std::forward<Then>(then));
    }

    // Blocking (a round trip to set up). The current value of each key matching `pattern` (NATS
    // wildcards: "rooms.*", ">"), then every later change to them (puts and delete markers; a
    // value that expires by the bucket's TTL goes without a marker), run `handler` as jobs on
    // `actor`, in revision order. With one revision kept per key (KvOptions::history), a value
    // overwritten before the watch has read it is skipped: a watch sees states, not every write.
    KvWatchRef Watch(const std::string& pattern, std::weak_ptr<JobQueue> actor,
                     KvWatchHandler handler);

    // Safe to call from any thread.
    const std::string& Name() const { return _options.bucket; }
    const KvOptions& Options() const { return _options; }
    const BusRef& GetBus() const { return _bus; }

private:
    void Bind();
    // Blocking: publishes a value or a delete marker on the key's subject with the expectation
    // `expectRevision` (0: none); Conflict when the server finds another revision.
    KvWrite Write(const std::string& key, std::string_view value, std::uint64_t expectRevision,
                  bool deleteMarker);

    BusRef _bus;
    const KvOptions _options;
    jsCtx* _js = nullptr;
    kvStore* _kv = nullptr;
};

}  // namespace tavern::bus
