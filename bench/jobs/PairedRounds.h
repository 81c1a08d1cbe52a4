#pragma once

#include <array>
#include <string>
#include <vector>

namespace tavern::bench {

// Runs Google Benchmark cases that come in pairs, "<Case>/<side 0>..." and "<Case>/<side 1>..."
// (PingPong/64 is "PingPong/<side>/64"), in rounds: each round runs every case once, its two
// sides back to back (which one goes first alternates from round to round). The ratio side 0 /
// side 1 is taken within each round, then the median over the rounds is reported, with the
// smallest and largest.
//
// Why rounds: on a shared or virtual machine the speed of two-thread cases moves by 2-3x from
// minute to minute, as the host moves the virtual CPUs. The two sides of one round ran seconds
// apart, on the same placement; medians of the two sides taken separately, over repetitions
// interleaved at random, compare runs that may be a minute apart.
//
// Flags: --rounds=N (default 7), and Google Benchmark's own; --benchmark_filter picks cases by
// their label ("TwoProducers", "PingPong/64").
int RunPairedRounds(int argc, char** argv, const std::vector<std::string>& cases,
                    const std::array<std::string, 2>& sides);

}  // namespace tavern::bench
