#pragma once

#include <cstdint>

namespace tavern::soak {

// What this process holds right now, read from the C library and /proc. Safe from any thread.
struct ProcessSample {
    std::int64_t descriptors = -1;    // open file descriptors (/proc/self/fd), -1 if unknown
    std::uint64_t heapInUse = 0;      // bytes the program has allocated and not freed
    std::uint64_t residentBytes = 0;  // VmRSS
};

ProcessSample SampleProcess();
std::int64_t OpenDescriptors();

// Where heapInUse comes from: glibc's mallinfo2() (uordblks, the bytes in use in every arena,
// plus hblkhd, the blocks malloc mapped on their own), or, in a sanitizer build whose allocator
// replaces malloc, that allocator's own count of bytes allocated and not yet freed (memory in
// ASan's quarantine counts as freed, so it does not mask a leak or fake one).
const char* HeapSource();

}  // namespace tavern::soak
