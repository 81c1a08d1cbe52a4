#include "jobs/TimerHandle.h"

#include "jobs/TimerNode.h"

namespace tavern {

void TimerHandle::Cancel() {
    if (_node) _node->Discard();
}

bool TimerHandle::Pending() const {
    return _node && _node->state.load(std::memory_order_acquire) == TimerNode::kPending;
}

}  // namespace tavern
