#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tavern::ws {

// One HTTP/1.1 request or response head (start line and headers, up to the blank line),
// parsed with Node's http-parser (Debian's libhttp-parser-dev). Header names are kept in lower
// case. The caller cuts the head off the stream and bounds its size first.
struct HttpHead {
    std::string method;   // request: GET, POST, ...
    std::string target;   // request: the path and query as sent
    int status = 0;       // response: the status code
    std::vector<std::pair<std::string, std::string>> headers;

    // Any thread. nullopt when `head` is not one complete, well-formed head.
    static std::optional<HttpHead> ParseRequest(std::string_view head);
    static std::optional<HttpHead> ParseResponse(std::string_view head);

    // The value of header `name` (lower case), or empty; repeated headers joined with ", ".
    std::string Header(std::string_view name) const;
    // Whether header `name` holds `token` in its comma-separated list, ignoring case.
    bool HasToken(std::string_view name, std::string_view token) const;
    // The target's path, without the query or fragment.
    std::string_view Path() const;
};

}  // namespace tavern::ws
