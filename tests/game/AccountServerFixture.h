#pragma once

#include <filesystem>
#include <string>

#include "tests/game/GameServerFixture.h"

namespace tavern::test {

// A GameServer with accounts on a SQLite file in a fresh temporary folder (removed after the
// test), passwords at `min` cost, a short save interval and a low per-address failure limit.
class AccountServerFixture : public GameServerFixture {
protected:
    static constexpr std::size_t kAddressFailures = 3;
    static constexpr std::chrono::milliseconds kSaveInterval{200};

    AccountServerFixture();
    ~AccountServerFixture() override;

    game::GameServerOptions Options() const override;
    // Stops the server (which writes the pending saves) and starts a new one on the same file.
    void Restart();

    // The server's database: dbUrl when a suite sets it (before SetUp), else the SQLite file.
    std::string DbUrl() const {
        return dbUrl.empty() ? "sqlite:" + (_dir / "tavern.db").string() : dbUrl;
    }

    std::string dbUrl;
    bool allowRegister = true;

private:
    std::filesystem::path _dir;
};

}  // namespace tavern::test
