#pragma once

#include <stdexcept>
#include <string>

namespace tavern::store {

// Why a store call failed. Expected answers (a name taken, an unknown name) are return values,
// not errors; a StoreError means the call could not be carried out.
enum class StoreErrorKind {
    Unavailable,  // the database cannot be reached or opened: retry later
    Schema,       // the database's schema is newer than this program knows, or a migration failed
    Invalid,      // the caller passed something the store refuses (a value over the size limit)
    Failed,       // the database answered with an error
};

// The one exception the store throws (besides std::bad_alloc). what() is one line, fit for a
// log or for a program's exit message.
class StoreError : public std::runtime_error {
public:
    StoreError(StoreErrorKind kind, const std::string& message)
        : std::runtime_error(message), _kind(kind) {}

    StoreErrorKind Kind() const noexcept { return _kind; }

private:
    StoreErrorKind _kind;
};

}  // namespace tavern::store
