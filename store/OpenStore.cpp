#include "store/OpenStore.h"

#include <algorithm>
#include <string>

#include "store/postgres/PostgresStore.h"
#include "store/sqlite/SqliteStore.h"

namespace tavern::store {

StoreRef OpenStore(std::string_view url, const StoreOptions& options) {
    if (url.starts_with("sqlite:")) {
        std::string path(url.substr(7));
        if (path.starts_with("//")) path.erase(0, 2);  // sqlite://PATH is accepted too
        if (path.empty())
            throw StoreError(StoreErrorKind::Invalid, "sqlite: needs a path (sqlite:tavern.db)");
        return SqliteStore::Open(path, options);
    }
    if (url.starts_with("postgresql://") || url.starts_with("postgres://"))
        return PostgresStore::Open(std::string(url), options);
    throw StoreError(StoreErrorKind::Invalid, "unknown database URL '" + RedactUrl(url) +
                                                  "' (expected sqlite:PATH or postgresql://...)");
}

std::string RedactUrl(std::string_view url) {
    // scheme://user:password@host...: hide what lies between the first ':' after "//" and '@'.
    std::string out(url);
    // A password given as a parameter (?password=...&...).
    for (std::size_t p = out.find("password="); p != std::string::npos;
         p = out.find("password=", p + 1)) {
        const std::size_t begin = p + 9;
        const std::size_t end = std::min(out.find('&', begin), out.size());
        out.replace(begin, end - begin, "***");
    }
    const std::size_t start = out.find("://");
    if (start == std::string::npos) return out;
    const std::size_t at = out.find('@', start + 3);
    if (at == std::string::npos) return out;
    const std::size_t colon = out.find(':', start + 3);
    if (colon == std::string::npos || colon > at) return out;
    out.replace(colon + 1, at - colon - 1, "***");
    return out;
}

}  // namespace tavern::store
