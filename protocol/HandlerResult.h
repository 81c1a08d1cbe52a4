#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace tavern {

// What a packet handler says about the packet it was given:
//   Handled()           the request got its answer; a refusal (success = false, an S_ERROR) is
//                       an answer too, and the session carries on;
//   Violation(reason)   the client broke the protocol: the session is cut, the reason logged and
//                       counted as ProtocolError::HandlerRejected.
class [[nodiscard]] HandlerResult {
public:
    static HandlerResult Handled() noexcept { return HandlerResult(); }
    static HandlerResult Violation(std::string reason) {
        return HandlerResult(std::move(reason), true);
    }

    bool IsViolation() const noexcept { return _violation; }
    const std::string& Reason() const noexcept { return _reason; }

private:
    HandlerResult() noexcept = default;
    HandlerResult(std::string reason, bool violation) noexcept
        : _reason(std::move(reason)), _violation(violation) {}

    std::string _reason;
    bool _violation = false;
};

}  // namespace tavern
