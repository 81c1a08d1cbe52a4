#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/Transport.h"
#include "core/ws/OriginPolicy.h"
#include "core/ws/WebRoot.h"
#include "core/ws/WsCounters.h"

namespace tavern::ws {

struct WsServerOptions {
    // The browser page's folder, served over plain HTTP on the same port (GET / is its
    // index.html). Empty or missing: every GET but /ws answers 404.
    std::filesystem::path webRoot;
    // A request head (start line and headers) longer than this is answered 431.
    std::size_t maxHeadBytes = 8192;
    // Origins whose pages may upgrade, beside the listener's own host (OriginPolicy): each
    // scheme://host[:port], "null", or "*" for any. An upgrade from another is answered 403.
    std::vector<std::string> allowedOrigins;
};

// The transport of a WebSocket listener: give it to ServiceOptions::transport of a
// ServerService, whose sessions then speak RFC 6455 (one packet per binary message) and serve
// the page. Made once per listener, not on a worker (it reads the page's folder). Throws
// std::invalid_argument for an allowed origin that is not one.
class WsServerFactory final : public TransportFactory {
public:
    explicit WsServerFactory(WsServerOptions options);

    std::unique_ptr<Transport> Make() const override;
    // Any thread.
    const WsCounters& Counters() const { return *_counters; }
    const WebRoot& Root() const { return *_root; }

private:
    WsServerOptions _options;
    std::shared_ptr<const WebRoot> _root;
    std::shared_ptr<const OriginPolicy> _origins;
    std::shared_ptr<WsCounters> _counters;
};

// The transport of a WebSocket client: give it to ServiceOptions::transport of a
// ClientService. `host` goes in the Host header; `path` is the server's WebSocket path.
class WsClientFactory final : public TransportFactory {
public:
    explicit WsClientFactory(std::string host, std::string path = "/ws");
    std::unique_ptr<Transport> Make() const override;

private:
    std::string _host;
    std::string _path;
};

}  // namespace tavern::ws
