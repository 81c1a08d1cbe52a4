#include "store/PasswordHasher.h"

#include <sodium.h>

#include <mutex>
#include <new>
#include <stdexcept>

namespace tavern::store {

namespace {

void InitSodium() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
    });
}

}  // namespace

std::optional<PasswordCost> ParsePasswordCost(std::string_view text) {
    if (text == "interactive") return PasswordCost::Interactive;
    if (text == "moderate") return PasswordCost::Moderate;
    if (text == "min") return PasswordCost::Min;
    return std::nullopt;
}

std::string_view ToString(PasswordCost cost) {
    switch (cost) {
        case PasswordCost::Interactive:
            return "interactive";
        case PasswordCost::Moderate:
            return "moderate";
        case PasswordCost::Min:
            return "min";
    }
    return "unknown";
}

PasswordHasher::PasswordHasher(PasswordCost cost) : _cost(cost) {
    InitSodium();
    switch (cost) {
        case PasswordCost::Interactive:
            _opsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
            _memLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
            break;
        case PasswordCost::Moderate:
            _opsLimit = crypto_pwhash_OPSLIMIT_MODERATE;
            _memLimit = crypto_pwhash_MEMLIMIT_MODERATE;
            break;
        case PasswordCost::Min:
            _opsLimit = crypto_pwhash_OPSLIMIT_MIN;
            _memLimit = crypto_pwhash_MEMLIMIT_MIN;
            break;
    }
}

bool PasswordHasher::IsValidPassword(std::string_view password) {
    return password.size() >= kMinPasswordBytes && password.size() <= kMaxPasswordBytes;
}

std::string PasswordHasher::Hash(std::string_view password) const {
    if (!IsValidPassword(password)) throw std::invalid_argument("a password is 1 to 128 bytes");
    char out[crypto_pwhash_STRBYTES];
    // Fails only when the memory for the cost cannot be allocated.
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), _opsLimit, _memLimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::bad_alloc();
    return std::string(out);
}

bool PasswordHasher::Verify(std::string_view hash, std::string_view password) {
    InitSodium();
    if (!IsValidPassword(password) || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES)
        return false;
    char str[crypto_pwhash_STRBYTES] = {};
    hash.copy(str, hash.size());
    return crypto_pwhash_str_verify(str, password.data(), password.size()) == 0;
}

bool PasswordHasher::NeedsRehash(std::string_view hash) const {
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return true;
    char str[crypto_pwhash_STRBYTES] = {};
    hash.copy(str, hash.size());
    return crypto_pwhash_str_needs_rehash(str, _opsLimit, _memLimit) != 0;
}

}  // namespace tavern::store
