#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "bus/BusEvent.h"
#include "bus/BusMessage.h"
#include "bus/BusMetrics.h"
#include "bus/BusOptions.h"
#include "bus/BusSubscription.h"
#include "bus/NatsFwd.h"
#include "jobs/AskResult.h"
#include "jobs/BlockingExecutor.h"
#include "jobs/Clock.h"
#include "jobs/JobQueue.h"

namespace tavern::bus {

class Bus;
using BusRef = std::shared_ptr<Bus>;

// One connection to NATS (libnats), shaped for actors: nothing of the caller's runs on a libnats
// thread. Every received message, every answer to a request and every connection event is
// handed to an actor as a job; libnats' threads only copy the message out and push.
//
//   libnats threads                         actors (workers)
//   --------------------------------------  ------------------------------------------
//   subscription delivery  --DoAsync-->      handler(BusMessage&) on the subscriber
//   reply inbox delivery   --Settle-->       then(AskResult<BusMessage>) on the asker
//   connection callbacks   --DoAsync-->      onEvent(BusEvent) on the events actor
//   executor threads (blocking JetStream calls of KvBucket) answer as asks do (jobs/Ask.h)
//
// Publishing is safe from any thread and never blocks on the network: while the connection is
// down, libnats keeps publishes in its reconnect buffer (BusOptions::reconnectBufferBytes).
class Bus : public std::enable_shared_from_this<Bus> {
    struct PrivateTag {
        explicit PrivateTag() = default;
    };

public:
    using RequestThen = std::function<void(AskResult<BusMessage>)>;

    // Blocking (not on a worker): connects, or throws BusError. Connection events go to
    // `eventsTo` as jobs running `onEvent` (both optional).
    static BusRef Connect(const BusOptions& options, std::weak_ptr<JobQueue> eventsTo = {},
                          BusEventHandler onEvent = {});
    Bus(PrivateTag, const BusOptions& options);
    // Closes the connection (pending publishes are flushed by libnats' close), waits for
    // libnats' closed callback, then stops the executor. Not from a libnats callback.
    ~Bus();
    Bus(const Bus&) = delete;
    Bus& operator=(const Bus&) = delete;

    // Safe to call from any thread. False if the connection is closed or the subject invalid.
    bool Publish(std::string_view subject, std::string_view data);
    // Safe to call from any thread. Answers a request received through a subscription.
    bool Respond(const BusMessage& request, std::string_view data);

    // Safe to call from any thread. Messages on `subject` (NATS wildcards allowed) run
    // `handler` as jobs on `actor`, in arrival order; with a `queueGroup`, each message goes to
    // one member of the group. Resumed by libnats after a reconnect. Throws BusError.
    BusSubscriptionRef Subscribe(const std::string& subject, std::weak_ptr<JobQueue> actor,
                                 BusMessageHandler handler, const std::string& queueGroup = {});

    // Only on a job of `asker`. Publishes `data` on `subject` with a reply address; `then` runs as
    // a job on `asker` with the first answer, or AskError::Timeout after `timeout`, Gone when no
    // one subscribes to `subject` (the server's "no responders"), Rejected when the publish is
    // refused (connection closed).
    void Request(JobQueue& asker, std::string_view subject, std::string_view data,
                 Clock::duration timeout, RequestThen then);

    // Blocking (not on a worker): waits until the server has processed everything published so
    // far. False on timeout or when disconnected.
    bool Flush(std::chrono::milliseconds timeout);
    // Safe to call from any thread.
    bool Connected() const;
    // Safe to call from any thread: the executor for blocking JetStream calls (KvBucket).
    BlockingExecutor& Executor() { return *_executor; }
    // Safe to call from any thread: the libnats connection, for the bus's own classes.
    natsConnection* Native() const { return _nc; }
    const BusOptions& Options() const { return _options; }
    // Safe to call from any thread: messages, requests and connection losses by subject
    // pattern (BusOptions::metricSubjects), for /metrics.
    const BusMetrics& Metrics() const { return *_metrics; }

    // Only at the end of a program, once every Bus, KvBucket and subscription is gone: waits (up
    // to `timeout`) for libnats' own threads to end, so that none is still running while the
    // process exits. False on timeout. Not from a libnats callback.
    static bool ShutdownLibrary(std::chrono::milliseconds timeout);

private:
    struct EventSink;
    struct PendingRequests;

    // Any thread. `onDelivery` runs on libnats' delivery thread of this subscription.
    BusSubscriptionRef SubscribeOnNatsThread(const std::string& subject,
                                             const std::string& queueGroup,
                                             std::shared_ptr<std::atomic<bool>> active,
                                             std::function<void(BusMessage&&)> onDelivery);
    void Open(std::weak_ptr<JobQueue> eventsTo, BusEventHandler onEvent);

    const BusOptions _options;
    natsOptions* _natsOptions = nullptr;
    natsConnection* _nc = nullptr;
    std::unique_ptr<EventSink> _events;
    std::shared_ptr<PendingRequests> _pending;
    std::string _inbox;  // reply subjects are _inbox + "." + token
    BusSubscriptionRef _inboxSubscription;
    std::shared_ptr<BlockingExecutor> _executor;
    std::shared_ptr<BusMetrics> _metrics;  // shared with the libnats callbacks
};

}  // namespace tavern::bus
