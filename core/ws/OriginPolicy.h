#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tavern::ws {

// Which pages' scripts may open a WebSocket to a listener: the upgrade's Origin header
// (RFC 6455 10.2). A browser always sends Origin with a WebSocket upgrade, and a page's script
// cannot change it; other clients send none (or anything they like, so Origin protects
// browsers' users, not the server). The rules:
//   - no Origin: allowed (test_client, bots, other servers);
//   - an http(s) Origin naming the request's Host (same host and port): allowed, the page this
//     listener served (or one served through a proxy that keeps Host);
//   - an Origin on the list, compared as scheme://host[:port] in lower case without the
//     scheme's default port: allowed; "*" on the list allows every Origin;
//   - anything else, "null" (a file: page, a sandboxed frame) included unless listed: refused.
// Immutable after construction; every method is safe from any thread.
class OriginPolicy {
public:
    // `allowed`: origins ("https://game.example.com", "http://localhost:8080"), "null" or "*".
    // Throws std::invalid_argument naming an entry that is none of these.
    explicit OriginPolicy(const std::vector<std::string>& allowed = {});

    bool Allows(std::string_view origin, std::string_view host) const;
    // What the policy lets in beyond the same host, for a log line.
    std::string Describe() const;

    // `origin` as scheme://host[:port] in lower case, without the scheme's default port or a
    // trailing slash; "null" stays "null"; nullopt when it is not an origin.
    static std::optional<std::string> Normalize(std::string_view origin);

private:
    bool _any = false;
    std::vector<std::string> _allowed;  // normalized
};

}  // namespace tavern::ws
