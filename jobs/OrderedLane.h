#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "jobs/Job.h"

namespace tavern {

// The mailbox lane for jobs that actors push to other actors: a multi-producer, single-consumer
// queue that is FIFO in the order the pushes happened (Vyukov's intrusive MPSC queue). One
// exchange on the tail per push; the consumer touches only its own head.
//
// Why a lane of its own: the main mailbox (moodycamel) is FIFO per pushing *thread*. An actor's
// jobs run on whichever worker takes it, so two messages one actor sends to another could leave
// from two threads and be handed out in either order. Here a push is ordered by its exchange on
// `_tail`, and an actor's second send happens after its first (its jobs never overlap), so
// messages from one sender arrive in send order, whichever workers ran it.
//
//   _head (consumer)                                   _tail (producers: exchange)
//     v                                                  v
//   [stub or last taken] -> [job 1] -> [job 2] -> ... -> [job n] -> null
//
// A push links its node in two steps (exchange the tail, then set the old tail's `next`); in
// between, the consumer sees the lane as not empty but cannot take the job yet (Pop returns
// 0): the caller retries, as it does for moodycamel's own in-flight enqueues.
//
// A node holds one job (Push) or a block of up to kBlockJobs (a Chain: a job's burst of sends
// to one busy actor), each job on a cache line of its own: a burst costs one node and one
// pointer chase per block, not per job, and the consumer reads the block's lines in order.
class OrderedLane {
public:
    OrderedLane() noexcept;
    ~OrderedLane();
    OrderedLane(const OrderedLane&) = delete;
    OrderedLane& operator=(const OrderedLane&) = delete;

    struct Link {
        std::atomic<Link*> next{nullptr};
    };
    struct Node;
    // Jobs in one chain node.
    static constexpr std::uint32_t kBlockJobs = 16;

    // Jobs linked by one thread, not yet in any lane; published whole by PushChain. Trivially
    // destructible (it lives in ThreadContext): it must be published before it goes away, as
    // the runtime does after every job.
    class Chain {
    public:
        constexpr Chain() noexcept = default;
        Chain(const Chain&) = delete;
        Chain& operator=(const Chain&) = delete;
        // Only on the thread that owns the chain.
        void Append(Job job);
        bool Empty() const noexcept { return _first == nullptr; }

    private:
        friend class OrderedLane;
        Link* _first = nullptr;
        Node* _last = nullptr;
        std::size_t _count = 0;
    };

    // Only on this thread: frees the nodes this thread keeps for reuse (WorkerScope calls it when
    // a thread stops being a worker).
    static void ReleaseThreadCache() noexcept;

    // Safe to call from any thread. Allocates one node (terminates on allocation failure).
    void Push(Job job);
    // Safe to call from any thread: appends every job of `chain`, in order, with one exchange
    // on the tail; leaves `chain` empty.
    void PushChain(Chain& chain) noexcept;
    // Only by the consumer. Moves up to `max` jobs into `out`, oldest first; returns how many.
    std::size_t Pop(Job* out, std::size_t max) noexcept;
    // Any thread; exact for the consumer (a push in progress counts as a job). The owner of a
    // JobQueue asks again just after letting go of it, when another thread may be popping.
    bool Empty() const noexcept {
        return _tail.load(std::memory_order_acquire) == _head.load(std::memory_order_relaxed);
    }
    // Safe to call from any thread. Approximate.
    std::size_t SizeApprox() const noexcept;

private:
    // Any thread: a node for one job or for a block, from this thread's cache of freed nodes,
    // or a new one; empty.
    static Node* NewNode(bool block);
    // The consumer: destroys what jobs are left in it and gives it back to this thread's cache
    // (or frees it). Not the stub, which it leaves alone.
    void FreeNode(Link* link) noexcept;

    Link _stub;
    std::atomic<Link*> _head{&_stub};       // written by the consumer only
    std::uint32_t _taken = 0;               // jobs taken from _head->next (consumer only)
    std::atomic<std::uint64_t> _popped{0};  // written by the consumer only
    // Not aligned to a line of its own: the owning JobQueue places the lane beside its state,
    // which every push reads anyway (40 bytes instead of 128 for an idle actor).
    std::atomic<Link*> _tail{&_stub};
    std::atomic<std::uint64_t> _pushed{0};  // next to the tail: pushers own the line already
};

}  // namespace tavern
