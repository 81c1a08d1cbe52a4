#include "jobs/OrderedLane.h"

#include "jobs/ThreadContext.h"

#include <exception>
#include <memory>
#include <new>

#include <spdlog/spdlog.h>

namespace tavern {

struct OrderedLane::Node : Link {
    std::uint32_t count = 0;     // jobs in it, set before the node is published
    std::uint32_t capacity = 0;  // 1 or kBlockJobs
};

namespace {

// One job right after the header (80 bytes, as a node was before blocks); a block's jobs from
// the next cache line on, one line each (a Job is 64 bytes).
struct SingleNode : OrderedLane::Node {
    SingleNode() { capacity = 1; }
    Job jobs[1];
};
struct BlockNode : OrderedLane::Node {
    BlockNode() { capacity = OrderedLane::kBlockJobs; }
    alignas(64) Job jobs[OrderedLane::kBlockJobs];
};

Job* JobsOf(OrderedLane::Node* node) noexcept {
    return node->capacity == 1 ? static_cast<SingleNode*>(node)->jobs
                               : static_cast<BlockNode*>(node)->jobs;
}

void Delete(OrderedLane::Node* node) noexcept {
    if (node->capacity == 1) {
        delete static_cast<SingleNode*>(node);  // NOLINT: the lane or the cache owns its nodes
    } else {
        delete static_cast<BlockNode*>(node);  // NOLINT: as above
    }
}

// Nodes a worker freed, kept for its next sends: malloc and free cost about as much as the rest
// of a message (ping-pong between two actors ran at half the rate with a malloc per message). A
// worker both sends and receives, so nodes go round. Plain data, no destructor: WorkerScope
// hands the nodes back when the thread stops being a worker (ReleaseThreadCache), so nothing is
// left for thread exit, whose destructor order differs between glibc and mingw.
struct FreeList {
    OrderedLane::Link* first = nullptr;
    std::size_t count = 0;
};
struct NodeCache {
    FreeList singles;
    FreeList blocks;
};
constexpr std::size_t kCachedSingles = 4096;  // 320 KiB per worker at most
constexpr std::size_t kCachedBlocks = 128;    // 136 KiB
constinit thread_local NodeCache tNodes;

void Release(FreeList& list) noexcept {
    while (OrderedLane::Link* link = list.first) {
        list.first = link->next.load(std::memory_order_relaxed);
        Delete(static_cast<OrderedLane::Node*>(link));
    }
    list.count = 0;
}

}  // namespace

void OrderedLane::ReleaseThreadCache() noexcept {
    Release(tNodes.singles);
    Release(tNodes.blocks);
}

OrderedLane::Node* OrderedLane::NewNode(bool block) {
    FreeList& list = block ? tNodes.blocks : tNodes.singles;
    if (Link* link = list.first) {
        list.first = link->next.load(std::memory_order_relaxed);
        --list.count;
        link->next.store(nullptr, std::memory_order_relaxed);
        return static_cast<Node*>(link);
    }
    try {
        if (block) return new BlockNode;  // NOLINT: owned by the lane until popped (FreeNode)
        return new SingleNode;            // NOLINT: as above
    } catch (const std::bad_alloc&) {
        spdlog::critical("OrderedLane: out of memory in Push");
        std::terminate();
    }
}

void OrderedLane::FreeNode(Link* link) noexcept {
    if (link == &_stub) return;
    Node* node = static_cast<Node*>(link);
    Job* jobs = JobsOf(node);
    for (std::uint32_t i = 0; i < node->count; ++i) jobs[i].Reset();
    node->count = 0;
    FreeList& list = node->capacity == 1 ? tNodes.singles : tNodes.blocks;
    const std::size_t limit = node->capacity == 1 ? kCachedSingles : kCachedBlocks;
    if (ThisThread().worker != nullptr && list.count < limit) {
        node->next.store(list.first, std::memory_order_relaxed);
        list.first = node;
        ++list.count;
        return;
    }
    Delete(node);
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
    Node* node = NewNode(false);
    JobsOf(node)[0] = std::move(job);
    node->count = 1;
    // The exchange orders this push before every later one (acq_rel: the node's contents are
    // published with it, and the previous tail's are acquired before writing its link).
    Link* previous = _tail.exchange(node, std::memory_order_acq_rel);
    _pushed.fetch_add(1, std::memory_order_relaxed);
    previous->next.store(node, std::memory_order_release);
}

void OrderedLane::Chain::Append(Job job) {
    if (_last == nullptr || _last->count == _last->capacity) {
        Node* node = NewNode(true);
        if (_last == nullptr) {
            _first = node;
        } else {
            _last->next.store(node, std::memory_order_relaxed);  // published by PushChain
        }
        _last = node;
    }
    JobsOf(_last)[_last->count++] = std::move(job);
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
        Job* jobs = JobsOf(node);
        while (_taken < node->count && n < max) out[n++] = std::move(jobs[_taken++]);
        if (_taken < node->count) break;  // `out` is full; the rest of the block next time
        // `node` is the new head (a husk, its jobs taken); the old head is done with.
        _taken = 0;
        FreeNode(head);
        head = node;
    }
    _head.store(head, std::memory_order_relaxed);
    if (n != 0)
        _popped.store(_popped.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    return n;
}

std::size_t OrderedLane::SizeApprox() const noexcept {
    const std::uint64_t pushed = _pushed.load(std::memory_order_relaxed);
    const std::uint64_t popped = _popped.load(std::memory_order_relaxed);
    return pushed > popped ? static_cast<std::size_t>(pushed - popped) : 0;
}

}  // namespace tavern
