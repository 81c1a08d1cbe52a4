#pragma once

#include <optional>

#include "jobs/Clock.h"

namespace tavern {

// The time slice of the thread that is running queues now. A queue whose run passes the slice's
// end is handed back to the GlobalQueue. The slice is thread_local state: it belongs to the
// thread, not to any queue. Scopes nest; the outer one is restored on exit.
class SliceScope {
public:
    struct Slice {
        Clock::time_point start;
        Clock::time_point end;
    };

    // Only on the thread that is about to run queues.
    SliceScope(Clock::time_point start, Clock::time_point end) noexcept;
    ~SliceScope();
    SliceScope(const SliceScope&) = delete;
    SliceScope& operator=(const SliceScope&) = delete;

    // Only on this thread: the slice this thread is in, or nullopt outside any.
    static std::optional<Slice> Current() noexcept;

private:
    std::optional<Slice> _previous;
};

}  // namespace tavern
