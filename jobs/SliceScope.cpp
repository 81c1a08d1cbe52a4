#include "jobs/SliceScope.h"

namespace tavern {

namespace {
thread_local std::optional<SliceScope::Slice> tSlice;
}  // namespace

SliceScope::SliceScope(Clock::time_point start, Clock::time_point end) noexcept
    : _previous(tSlice) {
    tSlice = Slice{start, end};
}

SliceScope::~SliceScope() {
    tSlice = _previous;
}

std::optional<SliceScope::Slice> SliceScope::Current() noexcept {
    return tSlice;
}

}  // namespace tavern
