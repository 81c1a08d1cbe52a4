#include "jobs/OrderedLane.h"

#include "jobs/ThreadContext.h"

#include <exception>
#include <memory>
#include <new>

#include <spdlog/spdlog.h>

namespace tavern {

struct OrderedLane::Node : Link {
    Job job;
};

namespace {

// Nodes a worker freed, kept for its next sends: malloc and free cost about as much as the rest
// of a message (ping-pong between two actors ran at half the rate with a malloc per message). A
// worker both sends and receives, so nodes go round. Plain data, no destructor: WorkerScope
// hands the nodes back when the thread stops being a worker (ReleaseThreadCache), so nothing is
// left for thread exit, whose destructor order differs between glibc and mingw.
struct NodeCache {
    OrderedLane::Link* free = nullptr;
    std::size_t count = 0;
};
constexpr std::size_t kCachedNodes = 4096;  // 320 KiB per worker at most
constinit thread_local NodeCache tNodes;

}  // namespace

void OrderedLane::ReleaseThreadCache() noexcept {
    while (Link* link = tNodes.free) {
        tNodes.free = link->next.load(std::memory_order_relaxed);
        delete static_cast<Node*>(link);  // NOLINT: the cache owns its nodes
    }
    tNodes.count = 0;
}

OrderedLane::Node* OrderedLane::NewNode(Job job) {
    if (Link* link = tNodes.free) {
        tNodes.free = link->next.load(std::memory_order_relaxed);
        --tNodes.count;
        Node* node = static_cast<Node*>(link);
        node->next.store(nullptr, std::memory_order_relaxed);
        node->job = std::move(job);
        return node;
    }
    try {
        Node* node = new Node;  // NOLINT: owned by the lane until popped (see FreeNode)
        node->job = std::move(job);
        return node;
    } catch (const std::bad_alloc&) {
        spdlog::critical("OrderedLane: out of memory in Push");
        std::terminate();
    }
}

void OrderedLane::FreeNode(Link* link) noexcept {
    if (link == &_stub) return;
    Node* node = static_cast<Node*>(link);
    if (ThisThread().worker != nullptr && tNodes.count < kCachedNodes) {
        node->job.Reset();
        node->next.store(tNodes.free, std::memory_order_relaxed);
        tNodes.free = node;
        ++tNodes.count;
        return;
    }
    delete node;  // NOLINT: see NewNode
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
