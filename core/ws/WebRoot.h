#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/SendBuffer.h"

namespace tavern::ws {

// The browser page's files, read once when the listener is made (never on an I/O worker) and
// answered from memory: each file's whole HTTP response is one shared SendBuffer, sent to every
// request without a copy. A request names a file by its path under the root; only names found
// in that snapshot exist, so no request reaches the file system and none can leave the root.
// Rebuild the page: restart the server.
class WebRoot {
public:
    // Not on a worker (reads the folder). A missing folder leaves the root empty (NotBuilt).
    explicit WebRoot(std::filesystem::path folder);

    // Any thread. The response for the request path `path` ("/" is /index.html), or nullptr.
    SendBufferRef Find(std::string_view path) const;
    // Any thread: the folder did not exist, or held no index.html.
    bool NotBuilt() const { return _files.find("/index.html") == _files.end(); }
    const std::filesystem::path& Folder() const { return _folder; }
    std::size_t FileCount() const { return _files.size(); }

    // The Content-Type for a file name's extension.
    static std::string_view ContentType(std::string_view name);

private:
    std::filesystem::path _folder;
    std::unordered_map<std::string, SendBufferRef> _files;  // "/app.js" -> the response
};

}  // namespace tavern::ws
