#include "tests/soak/MemoryVerdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tavern::soak {

namespace {

std::size_t WarmupWaves(std::size_t waves, const MemoryRule& rule) {
    const auto share =
        static_cast<std::size_t>(std::ceil(rule.warmupFraction * static_cast<double>(waves)));
    return std::max(rule.minWarmupWaves, share);
}

std::string KiB(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.1f KiB", static_cast<double>(bytes) / 1024.0);
    return text;
}

}  // namespace

std::size_t MinimumWaves(const MemoryRule& rule) {
    // Warm-up, then trendWaves waves each compared with the one before.
    std::size_t waves = rule.minWarmupWaves + rule.trendWaves;
    while (waves < WarmupWaves(waves, rule) + rule.trendWaves) ++waves;
    return waves;
}

MemoryVerdict JudgeMemory(const std::vector<std::uint64_t>& heap, const MemoryRule& rule) {
    MemoryVerdict verdict;
    const std::size_t waves = heap.size();
    verdict.warmupWaves = WarmupWaves(waves, rule);
    if (waves < MinimumWaves(rule)) {
        verdict.reason = "too few waves to judge memory: " + std::to_string(waves) + " (needs " +
                         std::to_string(MinimumWaves(rule)) + ")";
        return verdict;
    }
    verdict.afterWarmup = heap[verdict.warmupWaves - 1];
    verdict.atEnd = heap.back();
    verdict.margin = std::max(
        rule.minMargin,
        static_cast<std::uint64_t>(rule.marginFraction * static_cast<double>(verdict.afterWarmup)));
    if (verdict.atEnd > verdict.afterWarmup + verdict.margin) {
        verdict.reason = "heap grew " + KiB(verdict.atEnd - verdict.afterWarmup) +
                         " after the warm-up (margin " + KiB(verdict.margin) + ")";
        return verdict;
    }
    bool climbing = true;
    for (std::size_t i = waves - rule.trendWaves; i < waves; ++i)
        climbing = climbing && heap[i] > heap[i - 1] + rule.noise;
    if (climbing) {
        verdict.reason = "heap rose by more than " + KiB(rule.noise) + " in each of the last " +
                         std::to_string(rule.trendWaves) + " waves";
        return verdict;
    }
    verdict.ok = true;
    verdict.reason = "heap within " + KiB(verdict.margin) + " of the post-warm-up value";
    return verdict;
}

}  // namespace tavern::soak
