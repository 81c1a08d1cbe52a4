#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tavern::bus {

// How a request on the bus ended, for the counts.
enum class RequestOutcome : std::uint8_t {
    Answered,      // a reply came
    Timeout,       // none within the request's timeout
    NoResponders,  // nobody subscribes to the subject (a node that is gone)
    Rejected,      // the publish was refused (connection closed)
    Failed,        // anything else
};
inline constexpr std::size_t kRequestOutcomes = 5;
std::string_view RequestOutcomeName(RequestOutcome outcome) noexcept;

// Counts of one Bus's traffic by subject PATTERN, not by subject: subjects name nodes (and
// rooms), and a series per node name would grow with the cluster. Each subject is counted under
// the first of the configured NATS patterns it matches ("tavern.node.*.whisper"; `*` one token,
// `>` the rest), or under "other". The patterns are fixed when the Bus is made, so the counters
// are a fixed array of atomics: counting takes no lock, and a scrape reads them as they are.
class BusMetrics {
public:
    explicit BusMetrics(std::vector<std::string> patterns);

    // Safe from any thread.
    void Sent(std::string_view subject);
    void Received(std::string_view subject);
    // A reply to a request that came on `requestSubject`.
    void Replied(std::string_view requestSubject);
    void Requested(std::string_view subject, RequestOutcome outcome);
    void Disconnected() { _disconnects.fetch_add(1, std::memory_order_relaxed); }
    void Reconnected() { _reconnects.fetch_add(1, std::memory_order_relaxed); }

    // Safe from any thread: the label of `subject` (a pattern, or "other").
    const std::string& LabelOf(std::string_view subject) const;
    // Safe from any thread: whether `subject` matches the NATS `pattern`.
    static bool Matches(std::string_view pattern, std::string_view subject);

    // Safe from any thread: a snapshot, one entry per label (every pattern, then "other").
    struct Series {
        std::string subject;
        std::uint64_t sent = 0;
        std::uint64_t received = 0;
        std::uint64_t replies = 0;
        std::array<std::uint64_t, kRequestOutcomes> requests{};
    };
    std::vector<Series> Read() const;
    std::uint64_t Disconnects() const { return _disconnects.load(std::memory_order_relaxed); }
    std::uint64_t Reconnects() const { return _reconnects.load(std::memory_order_relaxed); }

private:
    struct Counters {
        std::atomic<std::uint64_t> sent{0};
        std::atomic<std::uint64_t> received{0};
        std::atomic<std::uint64_t> replies{0};
        std::array<std::atomic<std::uint64_t>, kRequestOutcomes> requests{};
    };
    std::size_t IndexOf(std::string_view subject) const;

    std::vector<std::string> _labels;  // the patterns, then "other"
    std::unique_ptr<Counters[]> _counters;
    std::atomic<std::uint64_t> _disconnects{0};
    std::atomic<std::uint64_t> _reconnects{0};
};

}  // namespace tavern::bus
