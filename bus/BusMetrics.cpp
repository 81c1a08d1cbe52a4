#include "bus/BusMetrics.h"

namespace tavern::bus {

namespace {

// The next token of `text` (up to '.'), removed from it.
std::string_view NextToken(std::string_view& text) {
    const auto dot = text.find('.');
    const std::string_view token = text.substr(0, dot);
    text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    return token;
}

}  // namespace

std::string_view RequestOutcomeName(RequestOutcome outcome) noexcept {
    switch (outcome) {
        case RequestOutcome::Answered:
            return "answered";
        case RequestOutcome::Timeout:
            return "timeout";
        case RequestOutcome::NoResponders:
            return "no_responders";
        case RequestOutcome::Rejected:
            return "rejected";
        case RequestOutcome::Failed:
            break;
    }
    return "failed";
}

BusMetrics::BusMetrics(std::vector<std::string> patterns)
    : _labels(std::move(patterns)), _counters(std::make_unique<Counters[]>(_labels.size() + 1)) {
    _labels.emplace_back("other");
}

bool BusMetrics::Matches(std::string_view pattern, std::string_view subject) {
    while (!pattern.empty()) {
        if (subject.empty()) return false;
        const std::string_view want = NextToken(pattern);
        if (want == ">") return true;  // one token or more: `subject` has at least one
        const std::string_view have = NextToken(subject);
        if (want != "*" && want != have) return false;
    }
    return subject.empty();
}

std::size_t BusMetrics::IndexOf(std::string_view subject) const {
    const std::size_t patterns = _labels.size() - 1;
    for (std::size_t i = 0; i < patterns; ++i)
        if (Matches(_labels[i], subject)) return i;
    return patterns;
}

const std::string& BusMetrics::LabelOf(std::string_view subject) const {
    return _labels[IndexOf(subject)];
}

void BusMetrics::Sent(std::string_view subject) {
    _counters[IndexOf(subject)].sent.fetch_add(1, std::memory_order_relaxed);
}

void BusMetrics::Received(std::string_view subject) {
    _counters[IndexOf(subject)].received.fetch_add(1, std::memory_order_relaxed);
}

void BusMetrics::Replied(std::string_view requestSubject) {
    _counters[IndexOf(requestSubject)].replies.fetch_add(1, std::memory_order_relaxed);
}

void BusMetrics::Requested(std::string_view subject, RequestOutcome outcome) {
    _counters[IndexOf(subject)].requests[static_cast<std::size_t>(outcome)].fetch_add(
        1, std::memory_order_relaxed);
}

std::vector<BusMetrics::Series> BusMetrics::Read() const {
    std::vector<Series> out(_labels.size());
    for (std::size_t i = 0; i < _labels.size(); ++i) {
        const Counters& c = _counters[i];
        out[i].subject = _labels[i];
        out[i].sent = c.sent.load(std::memory_order_relaxed);
        out[i].received = c.received.load(std::memory_order_relaxed);
        out[i].replies = c.replies.load(std::memory_order_relaxed);
        for (std::size_t k = 0; k < kRequestOutcomes; ++k)
            out[i].requests[k] = c.requests[k].load(std::memory_order_relaxed);
    }
    return out;
}

}  // namespace tavern::bus
