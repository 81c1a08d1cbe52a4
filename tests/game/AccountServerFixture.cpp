#include "tests/game/AccountServerFixture.h"

#include <atomic>
#include <chrono>

#include <unistd.h>

namespace tavern::test {

AccountServerFixture::AccountServerFixture() {
    static std::atomic<int> counter{0};
    _dir = std::filesystem::temp_directory_path() /
           ("tavern-accounts-" + std::to_string(::getpid()) + "-" +
            std::to_string(counter.fetch_add(1)));
    std::filesystem::create_directories(_dir);
}

AccountServerFixture::~AccountServerFixture() {
    std::error_code ignored;
    std::filesystem::remove_all(_dir, ignored);
}

game::GameServerOptions AccountServerFixture::Options() const {
    auto options = GameServerFixture::Options();
    options.persistence.dbUrl = DbUrl();
    options.persistence.passwordCost = "min";
    options.persistence.allowRegister = allowRegister;
    options.persistence.saveInterval = kSaveInterval;
    options.persistence.loginFailuresPerAddress = kAddressFailures;
    return options;
}

void AccountServerFixture::Restart() {
    server->Stop();
    server = std::make_unique<game::GameServer>(Options(), core);
    ASSERT_FALSE(server->Start());
}

}  // namespace tavern::test
