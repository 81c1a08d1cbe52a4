#include "core/ws/WebRoot.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include <spdlog/spdlog.h>

namespace tavern::ws {

namespace {
constexpr std::size_t kMaxFiles = 256;
constexpr std::uintmax_t kMaxFileBytes = 16 * 1024 * 1024;

bool EndsWith(std::string_view text, std::string_view end) {
    return text.size() >= end.size() && text.substr(text.size() - end.size()) == end;
}
}  // namespace

std::string_view WebRoot::ContentType(std::string_view name) {
    if (EndsWith(name, ".html")) return "text/html; charset=utf-8";
    if (EndsWith(name, ".js") || EndsWith(name, ".mjs")) return "text/javascript; charset=utf-8";
    if (EndsWith(name, ".css")) return "text/css; charset=utf-8";
    if (EndsWith(name, ".json") || EndsWith(name, ".map")) return "application/json";
    if (EndsWith(name, ".svg")) return "image/svg+xml";
    if (EndsWith(name, ".png")) return "image/png";
    if (EndsWith(name, ".ico")) return "image/x-icon";
    if (EndsWith(name, ".wasm")) return "application/wasm";
    if (EndsWith(name, ".txt") || EndsWith(name, ".proto")) return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

WebRoot::WebRoot(std::filesystem::path folder) : _folder(std::move(folder)) {
    std::error_code error;
    if (!std::filesystem::is_directory(_folder, error)) return;
    // Regular files only, symbolic links not followed: nothing outside the folder is served.
    for (auto it = std::filesystem::recursive_directory_iterator(
             _folder, std::filesystem::directory_options::skip_permission_denied, error);
         !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
        if (it->is_symlink() || !it->is_regular_file()) continue;
        if (_files.size() == kMaxFiles || it->file_size() > kMaxFileBytes) continue;
        const std::string name =
            "/" + std::filesystem::relative(it->path(), _folder).generic_string();
        std::ifstream in(it->path(), std::ios::binary);
        const std::vector<char> body((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
        const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: " +
                                 std::string(ContentType(name)) +
                                 "\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n";
        SendBufferRef response = SendBuffer::Make(head.size() + body.size());
        std::memcpy(response->Data(), head.data(), head.size());
        if (!body.empty()) std::memcpy(response->Data() + head.size(), body.data(), body.size());
        _files.emplace(name, std::move(response));
    }
}

SendBufferRef WebRoot::Find(std::string_view path) const {
    if (path == "/") path = "/index.html";
    // The snapshot has no such names; said here too, so no reader has to prove it.
    if (path.find("..") != std::string_view::npos || path.find('\\') != std::string_view::npos)
        return nullptr;
    const auto it = _files.find(std::string(path));
    return it == _files.end() ? nullptr : it->second;
}

}  // namespace tavern::ws
