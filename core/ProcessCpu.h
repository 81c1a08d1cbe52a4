#pragma once

namespace tavern {

// CPU seconds (user + system) process `pid` has used so far, read from /proc/<pid>/stat on
// Linux; -1 where unknown (another platform, or no such process). For benchmarks and tools that
// report a server's CPU over a measured window.
double ProcessCpuSeconds(int pid);

// This process's id on Linux; 0 elsewhere (where ProcessCpuSeconds does not know it anyway).
int CurrentProcessId();

}  // namespace tavern
