#include "jobs/OrderedLane.h"

#include <exception>
#include <memory>
#include <new>

#include <spdlog/spdlog.h>

namespace tavern {

struct OrderedLane::Node : Link {
    explicit Node(Job j) noexcept : job(std::move(j)) {}
    Job job;
};

OrderedLane::OrderedLane() noexcept = default;

OrderedLane::~OrderedLane() {
    // Only the consumer (or nobody) is left: free what was never taken, and the last node taken.
    Link* link = _head.load(std::memory_order_relaxed);
    while (link != nullptr) {
        Link* next = link->next.load(std::memory_order_relaxed);
        if (link != &_stub) std::unique_ptr<Node>(static_cast<Node*>(link)).reset();
        link = next;
    }
}

void OrderedLane::Push(Job job) {
    Node* node = nullptr;
    try {
        node = std::make_unique<Node>(std::move(job)).release();
    } catch (const std::bad_alloc&) {
        spdlog::critical("OrderedLane {}: out of memory in Push", static_cast<void*>(this));
        std::terminate();
    }
    // The exchange orders this push before every later one (acq_rel: the node's contents are
    // published with it, and the previous tail's are acquired before writing its link).
    Link* previous = _tail.exchange(node, std::memory_order_acq_rel);
    _pushed.fetch_add(1, std::memory_order_relaxed);
    previous->next.store(node, std::memory_order_release);
}

std::size_t OrderedLane::Pop(Job* out, std::size_t max) noexcept {
    std::size_t n = 0;
    Link* head = _head.load(std::memory_order_relaxed);
    while (n < max) {
        Link* next = head->next.load(std::memory_order_acquire);
        if (next == nullptr) break;  // empty, or a push between its two steps
        Node* node = static_cast<Node*>(next);
        out[n++] = std::move(node->job);
        // `node` is the new head (a husk without a job); the old head is done with.
        if (head != &_stub) std::unique_ptr<Node>(static_cast<Node*>(head)).reset();
        head = node;
    }
    _head.store(head, std::memory_order_relaxed);
    if (n != 0) _popped.store(_popped.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    return n;
}

std::size_t OrderedLane::SizeApprox() const noexcept {
    const std::uint64_t pushed = _pushed.load(std::memory_order_relaxed);
    const std::uint64_t popped = _popped.load(std::memory_order_relaxed);
    return pushed > popped ? static_cast<std::size_t>(pushed - popped) : 0;
}

}  // namespace tavern
