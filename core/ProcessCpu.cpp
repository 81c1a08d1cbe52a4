#include "core/ProcessCpu.h"

#if defined(__linux__)
#include <unistd.h>

#include <fstream>
#include <string>
#endif

namespace tavern {

double ProcessCpuSeconds(int pid) {
#if defined(__linux__)
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    // Fields 14 and 15 are utime and stime, in clock ticks. Field 2, the command name in
    // parentheses, may itself contain spaces: read on to its closing parenthesis.
    std::string field;
    for (int i = 1; i <= 13 && stat >> field; ++i) {
        if (i == 2)
            while (field.back() != ')' && stat >> field) {
            }
    }
    unsigned long long user = 0, system = 0;
    if (!(stat >> user >> system)) return -1;
    return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
#else
    (void)pid;
    return -1;
#endif
}

int CurrentProcessId() {
#if defined(__linux__)
    return static_cast<int>(getpid());
#else
    return 0;
#endif
}

}  // namespace tavern
