#include "tests/soak/ProcessProbe.h"

#include <dirent.h>
#include <malloc.h>

#include <cstddef>
#include <fstream>
#include <string>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TAVERN_SOAK_SANITIZER_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TAVERN_SOAK_SANITIZER_HEAP 1
#endif
#endif

#if defined(TAVERN_SOAK_SANITIZER_HEAP)
#if __has_include(<sanitizer/allocator_interface.h>)
#include <sanitizer/allocator_interface.h>
#else
// GCC ships the sanitizer runtimes with this function but not clang's header that declares it.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#endif
#endif

namespace tavern::soak {

std::int64_t OpenDescriptors() {
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) return -1;
    std::int64_t count = 0;
    while (const dirent* entry = readdir(dir)) {
        if (entry->d_name[0] != '.') ++count;
    }
    closedir(dir);
    return count - 1;  // the directory stream's own descriptor
}

namespace {

std::uint64_t HeapInUse() {
#if defined(TAVERN_SOAK_SANITIZER_HEAP)
    return __sanitizer_get_current_allocated_bytes();
#else
    const struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
#endif
}

std::uint64_t ResidentBytes() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // kB
    }
    return 0;
}

}  // namespace

ProcessSample SampleProcess() {
    ProcessSample sample;
    sample.descriptors = OpenDescriptors();
    sample.heapInUse = HeapInUse();
    sample.residentBytes = ResidentBytes();
    return sample;
}

const char* HeapSource() {
#if defined(TAVERN_SOAK_SANITIZER_HEAP)
    return "sanitizer allocator (__sanitizer_get_current_allocated_bytes)";
#else
    return "glibc mallinfo2 (uordblks + hblkhd)";
#endif
}

}  // namespace tavern::soak
