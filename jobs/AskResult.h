#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tavern {

// Why an ask came back without a value.
enum class AskError : std::uint8_t {
    Timeout,   // no answer within the ask's timeout
    Rejected,  // the executor's queue was full (or it is stopping): the work never started
    Gone,      // the target was closed or destroyed before it ran the request
    Failed,    // the request threw; Message() has its what()
};

std::string_view AskErrorName(AskError error) noexcept;

// The answer to an ask: a value of T, or an AskError with a message. `void` requests answer
// with std::monostate. Move it out with Value() once you have checked Ok().
template <class T>
class AskResult {
public:
    using ValueType = T;

    static AskResult Success(T value) { return AskResult(std::move(value)); }
    static AskResult Failure(AskError error, std::string message = {}) {
        return AskResult(Error{error, std::move(message)});
    }

    bool Ok() const noexcept { return _outcome.index() == 0; }
    explicit operator bool() const noexcept { return Ok(); }

    // Only when Ok().
    T& Value() & {
        assert(Ok());
        return std::get<0>(_outcome);
    }
    T&& Value() && {
        assert(Ok());
        return std::get<0>(std::move(_outcome));
    }
    // Only when !Ok().
    AskError ErrorKind() const {
        assert(!Ok());
        return std::get<1>(_outcome).kind;
    }
    // Empty when Ok(); otherwise the error's name, and for Failed the exception's message.
    std::string Message() const {
        if (Ok()) return {};
        const Error& e = std::get<1>(_outcome);
        return e.message.empty() ? std::string(AskErrorName(e.kind))
                                 : std::string(AskErrorName(e.kind)) + ": " + e.message;
    }

private:
    struct Error {
        AskError kind;
        std::string message;
    };
    explicit AskResult(T value) : _outcome(std::in_place_index<0>, std::move(value)) {}
    explicit AskResult(Error error) : _outcome(std::in_place_index<1>, std::move(error)) {}

    std::variant<T, Error> _outcome;
};

}  // namespace tavern
