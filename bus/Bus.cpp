#include "bus/Bus.h"

#include <nats/nats.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include <spdlog/spdlog.h>

#include "bus/BusError.h"
#include "jobs/Ask.h"

namespace tavern::bus {

namespace {

// What one subscription's libnats callbacks use. Owned by libnats from Subscribe on: freed by
// the completion callback, which libnats runs after the last message callback has returned.
struct Delivery {
    std::function<void(BusMessage&&)> fn;
};

void OnMessage(natsConnection*, natsSubscription*, natsMsg* msg, void* closure) {
    BusMessage message;
    message.subject = natsMsg_GetSubject(msg);
    if (const char* reply = natsMsg_GetReply(msg)) message.reply = reply;
    if (natsMsg_IsNoResponders(msg)) message.reply = "\x01no-responders";  // see Request
    message.data.assign(natsMsg_GetData(msg), static_cast<std::size_t>(natsMsg_GetDataLength(msg)));
    natsMsg_Destroy(msg);
    static_cast<Delivery*>(closure)->fn(std::move(message));
}

void OnSubscriptionComplete(void* closure) {
    const std::unique_ptr<Delivery> freed(static_cast<Delivery*>(closure));
}

constexpr std::string_view kNoResponders = "\x01no-responders";

}  // namespace

// The connection's callbacks (a libnats thread) hand each event to the events actor. Lives until
// libnats has run the closed callback, which ~Bus waits for.
struct Bus::EventSink {
    std::weak_ptr<JobQueue> actor;
    std::shared_ptr<BusEventHandler> onEvent;
    std::mutex mutex;
    std::condition_variable closedCv;
    bool closed = false;
    std::atomic<bool> closing{false};  // ~Bus: its own close is no loss to report
    std::shared_ptr<BusMetrics> metrics;

    void Post(BusEvent event) {
        if (!onEvent || !*onEvent) return;
        if (auto target = actor.lock()) {
            target->DoAsync([fn = onEvent, event] { (*fn)(event); });
        }
    }
    static void Disconnected(natsConnection*, void* closure) {
        auto* sink = static_cast<EventSink*>(closure);
        if (sink->closing.load(std::memory_order_acquire)) return;
        spdlog::warn("bus: lost the connection to NATS; reconnecting");
        sink->metrics->Disconnected();
        sink->Post(BusEvent::Disconnected);
    }
    static void Reconnected(natsConnection*, void* closure) {
        spdlog::info("bus: reconnected to NATS");
        auto* sink = static_cast<EventSink*>(closure);
        sink->metrics->Reconnected();
        sink->Post(BusEvent::Reconnected);
    }
    static void Closed(natsConnection*, void* closure) {
        auto* sink = static_cast<EventSink*>(closure);
        sink->Post(BusEvent::Closed);
        std::lock_guard lock(sink->mutex);
        sink->closed = true;
        sink->closedCv.notify_all();
    }
    static void Error(natsConnection*, natsSubscription* sub, natsStatus err, void*) {
        spdlog::warn("bus: {} on subscription {}", natsStatus_GetText(err),
                     sub != nullptr ? natsSubscription_GetSubject(sub) : "-");
    }
};

// Requests waiting for their answer, by the token at the end of their reply subject. Weak: the
// ask's own timeout timer keeps a waiting request alive, so a request that timed out disappears
// by itself and its entry is pruned later.
struct Bus::PendingRequests {
    std::mutex mutex;
    std::unordered_map<std::uint64_t, std::weak_ptr<detail::AskState<BusMessage>>> waiting;
    std::uint64_t nextToken = 0;

    std::uint64_t Add(std::shared_ptr<detail::AskState<BusMessage>> state) {
        std::lock_guard lock(mutex);
        const std::uint64_t token = ++nextToken;
        if (token % 256 == 0) std::erase_if(waiting, [](auto& e) { return e.second.expired(); });
        waiting.emplace(token, std::move(state));
        return token;
    }
    std::shared_ptr<detail::AskState<BusMessage>> Take(std::uint64_t token) {
        std::lock_guard lock(mutex);
        const auto it = waiting.find(token);
        if (it == waiting.end()) return nullptr;
        auto state = it->second.lock();
        waiting.erase(it);
        return state;
    }
};

BusRef Bus::Connect(const BusOptions& options, std::weak_ptr<JobQueue> eventsTo,
                    BusEventHandler onEvent) {
    auto bus = std::make_shared<Bus>(PrivateTag{}, options);
    bus->Open(std::move(eventsTo), std::move(onEvent));
    return bus;
}

Bus::Bus(PrivateTag, const BusOptions& options)
    : _options(options),
      _pending(std::make_shared<PendingRequests>()),
      _metrics(std::make_shared<BusMetrics>(options.metricSubjects)) {}

void Bus::Open(std::weak_ptr<JobQueue> eventsTo, BusEventHandler onEvent) {
    _events = std::make_unique<EventSink>();
    _events->actor = std::move(eventsTo);
    _events->onEvent = std::make_shared<BusEventHandler>(std::move(onEvent));
    _events->metrics = _metrics;
    const auto check = [](natsStatus s, const char* what) {
        if (s != NATS_OK) throw BusError(std::string(what) + ": " + NatsErrorText(s));
    };
    check(natsOptions_Create(&_natsOptions), "natsOptions_Create");
    natsOptions* o = _natsOptions;
    check(natsOptions_SetURL(o, _options.url.c_str()), "bus URL");
    check(natsOptions_SetName(o, _options.name.c_str()), "bus name");
    check(natsOptions_SetTimeout(o, _options.connectTimeout.count()), "bus timeout");
    check(natsOptions_SetAllowReconnect(o, true), "bus reconnect");
    check(natsOptions_SetMaxReconnect(o, _options.maxReconnect), "bus max reconnect");
    check(natsOptions_SetReconnectWait(o, _options.reconnectWait.count()), "bus reconnect wait");
    check(natsOptions_SetReconnectBufSize(o, _options.reconnectBufferBytes), "bus buffer");
    check(natsOptions_SetPingInterval(o, _options.pingInterval.count()), "bus ping interval");
    check(natsOptions_SetMaxPingsOut(o, 2), "bus pings out");
    EventSink* sink = _events.get();
    check(natsOptions_SetDisconnectedCB(o, &EventSink::Disconnected, sink), "bus callback");
    check(natsOptions_SetReconnectedCB(o, &EventSink::Reconnected, sink), "bus callback");
    check(natsOptions_SetClosedCB(o, &EventSink::Closed, sink), "bus callback");
    check(natsOptions_SetErrorHandler(o, &EventSink::Error, sink), "bus callback");
    const natsStatus s = natsConnection_Connect(&_nc, o);
    if (s != NATS_OK) {
        _nc = nullptr;
        throw BusError("cannot connect to NATS at " + _options.url + ": " + NatsErrorText(s));
    }
    natsInbox* inbox = nullptr;
    check(natsInbox_Create(&inbox), "natsInbox_Create");
    _inbox = inbox;
    natsInbox_Destroy(inbox);
    _inboxSubscription = SubscribeOnNatsThread(
        _inbox + ".*", {}, std::make_shared<std::atomic<bool>>(true),
        [pending = _pending, prefix = _inbox.size() + 1](BusMessage&& reply) {
            std::uint64_t token = 0;
            try {
                token = std::stoull(reply.subject.substr(prefix));
            } catch (const std::exception&) {
                return;  // not one of ours
            }
            auto state = pending->Take(token);
            if (!state) return;  // timed out already
            if (reply.reply == kNoResponders) {
                state->Settle(AskResult<BusMessage>::Failure(AskError::Gone, "no responders"));
            } else {
                state->Settle(AskResult<BusMessage>::Success(std::move(reply)));
            }
        });
    _executor = std::make_shared<BlockingExecutor>(
        ExecutorOptions{"bus", _options.executorThreads, _options.executorQueueLimit});
}

Bus::~Bus() {
    _inboxSubscription.reset();
    if (_nc != nullptr) {
        _events->closing.store(true, std::memory_order_release);
        natsConnection_Close(_nc);
        std::unique_lock lock(_events->mutex);
        const bool closed = _events->closedCv.wait_for(lock, std::chrono::seconds(10),
                                                       [this] { return _events->closed; });
        lock.unlock();
        natsConnection_Destroy(_nc);
        // A closed callback that never came may still come: its sink must outlive it.
        if (!closed) static_cast<void>(_events.release());
    }
    natsOptions_Destroy(_natsOptions);
    if (_executor) {
        if (_executor->RunsOnThisThread()) {
            // The last reference went away inside a job of our own executor (a KvBucket's ask):
            // another thread joins it once this job has returned.
            std::thread([executor = std::move(_executor)] { executor->Stop(); }).detach();
        } else {
            _executor->Stop();
        }
    }
}

bool Bus::Publish(std::string_view subject, std::string_view data) {
    const std::string subj(subject);
    _metrics->Sent(subj);
    return natsConnection_Publish(_nc, subj.c_str(), data.data(), static_cast<int>(data.size())) ==
           NATS_OK;
}

bool Bus::Respond(const BusMessage& request, std::string_view data) {
    if (request.reply.empty() || request.reply == kNoResponders) return false;
    _metrics->Replied(request.subject);  // counted by what was asked, not the reply's inbox
    return natsConnection_Publish(_nc, request.reply.c_str(), data.data(),
                                  static_cast<int>(data.size())) == NATS_OK;
}

BusSubscriptionRef Bus::Subscribe(const std::string& subject, std::weak_ptr<JobQueue> actor,
                                  BusMessageHandler handler, const std::string& queueGroup) {
    auto active = std::make_shared<std::atomic<bool>>(true);
    auto fn = std::make_shared<BusMessageHandler>(std::move(handler));
    return SubscribeOnNatsThread(
        subject, queueGroup, active,
        [actor = std::move(actor), fn, active, metrics = _metrics](BusMessage&& message) {
            metrics->Received(message.subject);
            auto target = actor.lock();
            if (!target) return;
            target->DoAsync([fn, active, m = std::move(message)]() mutable {
                if (active->load(std::memory_order_acquire)) (*fn)(m);
            });
        });
}

BusSubscriptionRef Bus::SubscribeOnNatsThread(const std::string& subject,
                                              const std::string& queueGroup,
                                              std::shared_ptr<std::atomic<bool>> active,
                                              std::function<void(BusMessage&&)> onDelivery) {
    auto delivery = std::make_unique<Delivery>();
    delivery->fn = std::move(onDelivery);
    natsSubscription* sub = nullptr;
    const natsStatus s =
        queueGroup.empty()
            ? natsConnection_Subscribe(&sub, _nc, subject.c_str(), &OnMessage, delivery.get())
            : natsConnection_QueueSubscribe(&sub, _nc, subject.c_str(), queueGroup.c_str(),
                                            &OnMessage, delivery.get());
    if (s != NATS_OK) throw BusError("cannot subscribe to " + subject + ": " + NatsErrorText(s));
    if (natsSubscription_SetOnCompleteCB(sub, &OnSubscriptionComplete, delivery.get()) != NATS_OK) {
        // Closed already (the connection closed meanwhile): its delivery thread may still hold
        // `delivery`, so it is left alive rather than freed under it.
        spdlog::warn("bus: subscription to {} closed as it was made", subject);
    }
    static_cast<void>(delivery.release());  // libnats frees it (OnSubscriptionComplete)
    return std::make_unique<BusSubscription>(sub, subject, std::move(active));
}

void Bus::Request(JobQueue& asker, std::string_view subject, std::string_view data,
                  Clock::duration timeout, RequestThen then) {
    TAVERN_ASSERT_ON_QUEUE(&asker);
    const std::string subj(subject);
    _metrics->Sent(subj);
    // Counted as it ends, on the asker, whichever way it ends (the ask's own timeout included).
    auto counted = [metrics = _metrics, subj, then = std::move(then)](AskResult<BusMessage> r) {
        RequestOutcome outcome = RequestOutcome::Answered;
        if (!r.Ok()) {
            switch (r.ErrorKind()) {
                case AskError::Timeout:
                    outcome = RequestOutcome::Timeout;
                    break;
                case AskError::Gone:
                    outcome = RequestOutcome::NoResponders;
                    break;
                case AskError::Rejected:
                    outcome = RequestOutcome::Rejected;
                    break;
                case AskError::Failed:
                    outcome = RequestOutcome::Failed;
                    break;
            }
        }
        metrics->Requested(subj, outcome);
        then(std::move(r));
    };
    auto state = std::make_shared<detail::AskState<BusMessage>>(asker, std::move(counted));
    state->ArmTimeout(asker, timeout);
    const std::uint64_t token = _pending->Add(state);
    const std::string replyTo = _inbox + "." + std::to_string(token);
    const natsStatus s = natsConnection_PublishRequest(_nc, subj.c_str(), replyTo.c_str(),
                                                       data.data(), static_cast<int>(data.size()));
    if (s != NATS_OK) {
        _pending->Take(token);
        state->Settle(AskResult<BusMessage>::Failure(AskError::Rejected, NatsErrorText(s)));
    }
}

bool Bus::ShutdownLibrary(std::chrono::milliseconds timeout) {
    return nats_CloseAndWait(timeout.count()) == NATS_OK;
}

bool Bus::Flush(std::chrono::milliseconds timeout) {
    return natsConnection_FlushTimeout(_nc, timeout.count()) == NATS_OK;
}

bool Bus::Connected() const {
    return natsConnection_Status(_nc) == NATS_CONN_STATUS_CONNECTED;
}

}  // namespace tavern::bus
