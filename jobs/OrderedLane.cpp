#include "jobs/OrderedLane.h"

#include <exception>
#include <memory>
#include <new>

#include <spdlog/spdlog.h>

namespace tavern {

struct OrderedLane::Node : Link {
    Job job;
};

namespace {

// Nodes this thread freed, kept for this thread's next pushes: a worker both pushes (as a
// sender) and pops (as an owner), so nodes go round without malloc, whose per-thread caches
// empty on one side and overflow on the other when one thread allocates and another frees.
class NodeCache {
public:
    using Node = OrderedLane::NodeType;
    static constexpr std::size_t kMax = 4096;  // 320 KiB per thread at most

    ~NodeCache() {
        while (_free != nullptr) delete Take();  // NOLINT: the cache owns these nodes
    }

    Node* Take() noexcept {
        Node* node = _free;
        if (node != nullptr) {
            _free = static_cast<Node*>(node->next.load(std::memory_order_relaxed));
            --_count;
        }
        return node;
    }
    bool Give(Node* node) noexcept {
        if (_count == kMax) return false;
        node->next.store(_free, std::memory_order_relaxed);
        _free = node;
        ++_count;
        return true;
    }

private:
    Node* _free = nullptr;
    std::size_t _count = 0;
};

thread_local NodeCache tNodes;

}  // namespace

OrderedLane::Node* OrderedLane::NewNode(Job job) {
    Node* node = tNodes.Take();
    if (node == nullptr) {
        try {
            node = new Node;  // NOLINT: owned by the lane until popped, then by the cache
        } catch (const std::bad_alloc&) {
            spdlog::critical("OrderedLane: out of memory in Push");
            std::terminate();
        }
    }
    node->next.store(nullptr, std::memory_order_relaxed);
    node->job = std::move(job);
    return node;
}

void OrderedLane::FreeNode(Link* link) noexcept {
    if (link == &_stub) return;
    Node* node = static_cast<Node*>(link);
    node->job.Reset();
    if (!tNodes.Give(node)) delete node;  // NOLINT: see NewNode
}

OrderedLane::OrderedLane() noexcept = default;

OrderedLane::~OrderedLane() {
    // Only the consumer (or nobody) is left: free what was never taken, and the last node taken.
    Link* link = _head.load(std::memory_order_relaxed);
    while (link != nullptr) {
        Link* next = link->next.load(std::memory_order_relaxed);
        FreeNode(link);
        link = next;
    }
}

void OrderedLane::Push(Job job) {
    Node* node = NewNode(std::move(job));
    // The exchange orders this push before every later one (acq_rel: the node's contents are
    // published with it, and the previous tail's are acquired before writing its link).
    Link* previous = _tail.exchange(node, std::memory_order_acq_rel);
    _pushed.fetch_add(1, std::memory_order_relaxed);
    previous->next.store(node, std::memory_order_release);
}

OrderedLane::Chain::~Chain() {
    // Only a thread that dies with a chain it never published gets here.
    for (Link* link = _first; link != nullptr;) {
        Link* next = link->next.load(std::memory_order_relaxed);
        delete static_cast<Node*>(link);  // NOLINT: the chain owns its unpublished nodes
        link = next;
    }
}

void OrderedLane::Chain::Append(Job job) {
    Node* node = NewNode(std::move(job));
    if (_last == nullptr) {
        _first = node;
    } else {
        _last->next.store(node, std::memory_order_relaxed);  // published by PushChain's release
    }
    _last = node;
    ++_count;
}

void OrderedLane::PushChain(Chain& chain) noexcept {
    if (chain._first == nullptr) return;
    Link* previous = _tail.exchange(chain._last, std::memory_order_acq_rel);
    _pushed.fetch_add(chain._count, std::memory_order_relaxed);
    previous->next.store(chain._first, std::memory_order_release);
    chain._first = chain._last = nullptr;
    chain._count = 0;
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
        FreeNode(head);
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
