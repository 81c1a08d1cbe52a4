#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tavern::store {

// Argon2id cost levels (libsodium's crypto_pwhash presets). Interactive: 2 passes over 64 MiB;
// moderate: 3 over 256 MiB; min: libsodium's minimum (1 pass over 8 KiB), for bots and
// benchmarks only: it protects nothing.
enum class PasswordCost { Interactive, Moderate, Min };

// "interactive" | "moderate" | "min"; nullopt for anything else.
std::optional<PasswordCost> ParsePasswordCost(std::string_view text);
std::string_view ToString(PasswordCost cost);

// Hashes passwords with Argon2id (libsodium's crypto_pwhash_str_alg) into the self-describing
// string format ($argon2id$v=19$m=...,t=...,p=1$salt$hash), so a hash made at one cost verifies
// after the cost changes. CPU- and memory-heavy at real costs: call on a blocking executor.
// Safe from any thread, concurrently.
class PasswordHasher {
public:
    static constexpr std::size_t kMinPasswordBytes = 1;
    static constexpr std::size_t kMaxPasswordBytes = 128;

    explicit PasswordHasher(PasswordCost cost = PasswordCost::Interactive);

    PasswordCost Cost() const { return _cost; }
    // 1 to 128 bytes (any bytes: the password is not a name and is never shown).
    static bool IsValidPassword(std::string_view password);
    // A new salted hash. Throws std::invalid_argument for an invalid password, std::bad_alloc
    // if the memory for the cost cannot be had.
    std::string Hash(std::string_view password) const;
    // Whether `password` matches `hash` (a string Hash made, at any cost). False for a
    // malformed hash or an invalid password.
    static bool Verify(std::string_view hash, std::string_view password);
    // Whether `hash` was made at another cost than this hasher's (rehash at the next login).
    bool NeedsRehash(std::string_view hash) const;

private:
    PasswordCost _cost;
    unsigned long long _opsLimit;
    std::size_t _memLimit;
};

}  // namespace tavern::store
