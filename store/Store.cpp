#include "store/Store.h"

#include <cmath>
#include <unordered_map>

#include "store/NameRule.h"

namespace tavern::store {

void Store::CheckKeyValue(std::string_view key, std::string_view value) const {
    if (key.empty() || key.size() > _options.maxKeyBytes)
        throw StoreError(StoreErrorKind::Invalid,
                         "a key is 1 to " + std::to_string(_options.maxKeyBytes) + " bytes");
    if (value.size() > _options.maxValueBytes)
        throw StoreError(StoreErrorKind::Invalid,
                         "a value of " + std::to_string(value.size()) + " bytes is over the " +
                             std::to_string(_options.maxValueBytes) + "-byte limit");
}

std::string Store::CanonicalOrThrow(std::string_view name) {
    std::optional<std::string> canonical = NameRule::Canonicalize(name);
    if (!canonical)
        throw StoreError(StoreErrorKind::Invalid,
                         "the name is not valid UTF-8 or has no "
                         "visible characters");
    return std::move(*canonical);
}

std::vector<PlayerState> Store::LastPerPlayer(std::span<const PlayerState> states) {
    std::vector<PlayerState> out;
    out.reserve(states.size());
    std::unordered_map<PlayerId, std::size_t> index;
    index.reserve(states.size());
    for (PlayerState state : states) {
        // A position that is not a number (a hostile client's C_MOVE) is saved as 0: one bad
        // value must not fail the batch it is in.
        if (!std::isfinite(state.x)) state.x = 0;
        if (!std::isfinite(state.y)) state.y = 0;
        auto [it, inserted] = index.try_emplace(state.playerId, out.size());
        if (inserted)
            out.push_back(state);
        else
            out[it->second] = state;
    }
    return out;
}

}  // namespace tavern::store
