#include "store/Accounts.h"

#include <utility>

#include "store/NameRule.h"

namespace tavern::store {

std::string_view ReasonText(LoginStatus status) {
    switch (status) {
        case LoginStatus::LoggedIn:
            return "";
        case LoginStatus::Created:
            return "";
        case LoginStatus::WrongNameOrPassword:
            return "wrong name or password";
        case LoginStatus::NameTaken:
            return "name taken";
        case LoginStatus::InvalidName:
            return "the name has no visible characters";
        case LoginStatus::InvalidPassword:
            return "a password is 1 to 128 bytes";
        case LoginStatus::TooManyAttempts:
            return "too many attempts";
    }
    return "refused";
}

Accounts::Accounts(Store& store, PasswordHasher hasher, LoginLimiter* limiter)
    : _store(store),
      _hasher(hasher),
      _limiter(limiter),
      _decoyHash(_hasher.Hash("decoy password, never a real one")) {}

LoginOutcome Accounts::Login(const LoginRequest& request) {
    std::optional<std::string> canonical = NameRule::Canonicalize(request.name);
    if (!canonical) return LoginOutcome{LoginStatus::InvalidName, {}, {}};
    if (_limiter && !_limiter->Allow(*canonical, request.address))
        return LoginOutcome{LoginStatus::TooManyAttempts, {}, {}};
    if (!PasswordHasher::IsValidPassword(request.password))
        return Fail(LoginStatus::InvalidPassword, *canonical, request);

    if (std::optional<Account> found = _store.FindAccount(request.name)) {
        if (PasswordHasher::Verify(found->passwordHash, request.password))
            return Succeed(LoginStatus::LoggedIn, std::move(*found), *canonical);
        // Another spelling of an existing name, meant as a new account: the name is taken.
        const bool otherSpelling = found->name != request.name;
        return Fail(otherSpelling && request.allowRegister ? LoginStatus::NameTaken
                                                           : LoginStatus::WrongNameOrPassword,
                    *canonical, request);
    }
    if (!request.allowRegister) {
        PasswordHasher::Verify(_decoyHash, request.password);
        return Fail(LoginStatus::WrongNameOrPassword, *canonical, request);
    }
    const std::string hash = _hasher.Hash(request.password);
    CreateAccountResult created = _store.CreateAccount(request.name, hash);
    if (created.status == CreateStatus::Created)
        return Succeed(LoginStatus::Created, std::move(created.account), *canonical);
    // Another login created it between our lookup and our insert: treat it as a login.
    if (std::optional<Account> raced = _store.FindAccount(request.name)) {
        if (PasswordHasher::Verify(raced->passwordHash, request.password))
            return Succeed(LoginStatus::LoggedIn, std::move(*raced), *canonical);
    }
    return Fail(LoginStatus::NameTaken, *canonical, request);
}

LoginOutcome Accounts::Fail(LoginStatus status, const std::string& canonical,
                            const LoginRequest& request) {
    if (_limiter) _limiter->RecordFailure(canonical, request.address);
    return LoginOutcome{status, {}, {}};
}

LoginOutcome Accounts::Succeed(LoginStatus status, Account account, const std::string& canonical) {
    if (_limiter) _limiter->RecordSuccess(canonical);
    LoginOutcome outcome{status, std::move(account), {}};
    outcome.state.playerId = outcome.account.playerId;
    if (status == LoginStatus::LoggedIn) {
        if (std::optional<PlayerState> saved = _store.LoadPlayerState(outcome.account.playerId))
            outcome.state = *saved;
    }
    return outcome;
}

}  // namespace tavern::store
