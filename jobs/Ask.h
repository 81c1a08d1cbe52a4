#pragma once

#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <variant>

#include "jobs/AskResult.h"
#include "jobs/BlockingExecutor.h"
#include "jobs/Clock.h"
#include "jobs/JobQueue.h"
#include "jobs/ThreadContext.h"
#include "jobs/TimerHandle.h"

namespace tavern {

// Ask and reply. An actor asks another actor, or a blocking executor, for a value; the answer
// comes back as a job on the asking actor, exactly once: the value, or AskError::Timeout,
// Rejected (the executor's queue was full), Gone (the target was closed before it ran the
// request) or Failed (the request threw).
//
//   // on a job of `player`:
//   Ask(player, room, [](Room& r) { return r.MemberCount(); }, 100ms,
//       [&player](AskResult<std::size_t> count) { ... runs as a job on player ... });
//   Ask(player, dbPool, [name] { return LoadAccount(name); }, 2s,
//       [&player](AskResult<Account> account) { ... });
//
// The continuation never runs on a foreign thread, and never after the asker is gone: the ask
// holds the asker weakly, and an answer for a destroyed asker is dropped. Capturing the asker
// by reference (or `this`) in the continuation is therefore safe. A late answer after a timeout
// is dropped too. The request itself runs as a job on the target (it may use the target's
// state freely) or on an executor thread (it must not touch the asker's state).

template <class R>
using AskValueOf = std::conditional_t<std::is_void_v<R>, std::monostate, R>;

namespace detail {

template <class T>
class AskState : public std::enable_shared_from_this<AskState<T>> {
public:
    template <class Then>
    AskState(JobQueue& asker, Then&& then)
        : _asker(asker.weak_from_this()), _then(std::make_unique<Holder<std::decay_t<Then>>>(
                                               std::forward<Then>(then))) {}

    // On the asker's job: starts the timeout clock.
    void ArmTimeout(JobQueue& asker, Clock::duration timeout) {
        _timer = asker.DoTimer(timeout, [self = this->shared_from_this()] {
            if (self->_settled.exchange(true, std::memory_order_acq_rel)) return;
            self->Deliver(AskResult<T>::Failure(AskError::Timeout));
        });
    }

    // Any thread: the first outcome wins; it is delivered as a job on the asker.
    void Settle(AskResult<T> result) {
        if (_settled.exchange(true, std::memory_order_acq_rel)) return;
        const JobQueueRef asker = _asker.lock();
        if (!asker) return;  // the asker is gone: nothing runs
        asker->DoAsync([self = this->shared_from_this(), r = std::move(result)]() mutable {
            self->_timer.Cancel();
            self->Deliver(std::move(r));
        });
    }

private:
    struct Continuation {
        virtual ~Continuation() = default;
        virtual void Call(AskResult<T>&& result) = 0;
    };
    template <class F>
    struct Holder final : Continuation {
        explicit Holder(F f) : fn(std::move(f)) {}
        void Call(AskResult<T>&& result) override { fn(std::move(result)); }
        F fn;
    };

    // On the asker's job, once.
    void Deliver(AskResult<T>&& result) {
        const std::unique_ptr<Continuation> then = std::move(_then);
        if (then) then->Call(std::move(result));
    }

    std::weak_ptr<JobQueue> _asker;
    std::unique_ptr<Continuation> _then;  // the asker's: moved out by the one delivery
    TimerHandle _timer;                   // the asker's
    std::atomic<bool> _settled{false};
};

// Travels with the request. Answers Gone if the request is destroyed without running (its
// target closed, its executor stopped).
template <class T>
class PendingAsk {
public:
    explicit PendingAsk(std::shared_ptr<AskState<T>> state) : _state(std::move(state)) {}
    PendingAsk(PendingAsk&&) noexcept = default;
    PendingAsk& operator=(PendingAsk&&) = delete;
    PendingAsk(const PendingAsk&) = delete;
    PendingAsk& operator=(const PendingAsk&) = delete;
    ~PendingAsk() {
        if (_state) _state->Settle(AskResult<T>::Failure(AskError::Gone));
    }

    template <class F, class... Args>
    void Run(F& fn, Args&... args) {
        const std::shared_ptr<AskState<T>> state = std::move(_state);
        try {
            if constexpr (std::is_same_v<T, std::monostate> &&
                          std::is_void_v<std::invoke_result_t<F&, Args&...>>) {
                std::invoke(fn, args...);
                state->Settle(AskResult<T>::Success({}));
            } else {
                state->Settle(AskResult<T>::Success(std::invoke(fn, args...)));
            }
        } catch (const std::exception& e) {
            state->Settle(AskResult<T>::Failure(AskError::Failed, e.what()));
        } catch (...) {
            state->Settle(AskResult<T>::Failure(AskError::Failed, "a non-standard exception"));
        }
    }

private:
    std::shared_ptr<AskState<T>> _state;
};

}  // namespace detail

// Only on a job of `asker`. Runs `request(*target)` as a job on `target`; `then(AskResult<R>)`
// runs as a job on `asker` with the result, or with an error after `timeout`.
template <class Target, class Request, class Then>
    requires std::derived_from<Target, JobQueue> && std::invocable<Request&, Target&>
void Ask(JobQueue& asker, const std::shared_ptr<Target>& target, Request request,
         Clock::duration timeout, Then&& then) {
    TAVERN_ASSERT_ON_QUEUE(&asker);
    using T = AskValueOf<std::invoke_result_t<Request&, Target&>>;
    auto state = std::make_shared<detail::AskState<T>>(asker, std::forward<Then>(then));
    state->ArmTimeout(asker, timeout);
    // The job runs on `target`, which is alive while it runs its own job.
    target->DoAsync([pending = detail::PendingAsk<T>(state), raw = target.get(),
                     request = std::move(request)]() mutable { pending.Run(request, *raw); });
}

// Only on a job of `asker`. Runs `request()` on one of `executor`'s threads; `then` as above,
// with AskError::Rejected at once (as a job) if the executor's queue is full.
template <class Request, class Then>
    requires std::invocable<Request&>
void Ask(JobQueue& asker, BlockingExecutor& executor, Request request, Clock::duration timeout,
         Then&& then) {
    TAVERN_ASSERT_ON_QUEUE(&asker);
    using T = AskValueOf<std::invoke_result_t<Request&>>;
    auto state = std::make_shared<detail::AskState<T>>(asker, std::forward<Then>(then));
    state->ArmTimeout(asker, timeout);
    Job job([pending = detail::PendingAsk<T>(state), request = std::move(request)]() mutable {
        pending.Run(request);
    });
    if (!executor.TrySubmit(job)) {
        state->Settle(AskResult<T>::Failure(AskError::Rejected));  // before `job` answers Gone
    }
}

}  // namespace tavern
