#pragma once

#include <string>
#include <string_view>

#include "store/LoginLimiter.h"
#include "store/PasswordHasher.h"
#include "store/Store.h"

namespace tavern::store {

enum class LoginStatus {
    LoggedIn,             // an existing account, the password matched
    Created,              // no account had the name: created (durable) with this password
    WrongNameOrPassword,  // a wrong password, or an unknown name when registration is off
    NameTaken,            // registering a name whose canonical form another account has
    InvalidName,          // not valid UTF-8, or nothing visible in it
    InvalidPassword,      // not 1 to 128 bytes
    TooManyAttempts,      // the LoginLimiter refused it; the password was not looked at
};

// The reason text a client sees ("wrong name or password" for both an unknown name and a wrong
// password, so a refusal does not tell which).
std::string_view ReasonText(LoginStatus status);

struct LoginRequest {
    std::string_view name;
    std::string_view password;
    std::string_view address;   // the client's address, for the limiter ("127.0.0.1")
    bool allowRegister = true;  // false: --no-register
};

struct LoginOutcome {
    LoginStatus status = LoginStatus::WrongNameOrPassword;
    Account account;    // the account logged into or created (success only)
    PlayerState state;  // its saved state; room 0 at (0, 0) if never saved (success only)

    bool Succeeded() const {
        return status == LoginStatus::LoggedIn || status == LoginStatus::Created;
    }
};

// A login as one blocking call, for a login handler to run on a blocking executor: the limiter,
// the name rule, the account lookup, the password hash or check, the account creation and the
// saved state. An account is entered with any spelling of its name that has the same canonical
// form and the right password; a new name whose canonical form is taken is refused (NameTaken).
// Safe from any thread, concurrently. StoreError from the store passes through (map it to
// "service unavailable"); failures it records count for the limiter, errors do not.
class Accounts {
public:
    // `limiter` may be null (no limit). Both must outlive this object.
    Accounts(Store& store, PasswordHasher hasher, LoginLimiter* limiter = nullptr);

    // Any thread, concurrently; blocks (hashing and database calls): a blocking executor's.
    LoginOutcome Login(const LoginRequest& request);

private:
    LoginOutcome Fail(LoginStatus status, const std::string& canonical,
                      const LoginRequest& request);
    LoginOutcome Succeed(LoginStatus status, Account account, const std::string& canonical);

    Store& _store;
    const PasswordHasher _hasher;
    LoginLimiter* const _limiter;
    // Verified against for an unknown name, so that a refusal takes as long either way.
    const std::string _decoyHash;
};

}  // namespace tavern::store
