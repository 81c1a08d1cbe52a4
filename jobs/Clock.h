#pragma once

#include <chrono>

namespace tavern {

// The one clock of the actor runtime: slices, timers and deadlines are all measured with it.
using Clock = std::chrono::steady_clock;

}  // namespace tavern
