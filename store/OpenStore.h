#pragma once

#include <string_view>

#include "store/Store.h"

namespace tavern::store {

// Opens the store a URL names and applies the missing migrations:
//   sqlite:PATH                 a SQLite file (created if missing), e.g. sqlite:tavern.db
//   postgresql://... or postgres://...   a PostgreSQL server (libpq's URI syntax)
// Throws StoreError with a one-line message naming the URL (without its password) when the URL
// is malformed, the database cannot be opened or reached, or its schema is newer than this
// program knows. Blocking; safe from any thread.
StoreRef OpenStore(std::string_view url, const StoreOptions& options = {});

// The URL with any password replaced by "***", for messages and logs.
std::string RedactUrl(std::string_view url);

}  // namespace tavern::store
