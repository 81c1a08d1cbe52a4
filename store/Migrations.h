#pragma once

#include <span>
#include <string_view>

namespace tavern::store {

// One versioned schema change, written once per dialect. Versions start at 1 and have no gaps;
// a migration is never edited once released: a change is a new migration.
struct Migration {
    int version;
    std::string_view description;
    std::string_view sqlite;    // may hold several statements
    std::string_view postgres;  // may hold several statements
};

// Every migration this program knows, in version order. Both implementations apply the missing
// ones at open, inside one transaction that also records them in `schema_migrations`.
std::span<const Migration> AllMigrations();

}  // namespace tavern::store
