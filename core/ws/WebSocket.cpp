#include "core/ws/WebSocket.h"

#include <spdlog/spdlog.h>

#include "core/ws/WsClientTransport.h"
#include "core/ws/WsServerTransport.h"

namespace tavern::ws {

WsServerFactory::WsServerFactory(WsServerOptions options)
    : _options(std::move(options)),
      _root(std::make_shared<WebRoot>(_options.webRoot)),
      _origins(std::make_shared<const OriginPolicy>(_options.allowedOrigins)),
      _counters(std::make_shared<WsCounters>()) {
    spdlog::info("websocket: upgrades allowed from {} (and clients that send no Origin)",
                 _origins->Describe());
    if (_root->NotBuilt())
        spdlog::warn("websocket: the browser page was not built (no index.html in '{}'); GET / "
                     "answers 404",
                     _options.webRoot.string());
    else
        spdlog::info("websocket: serving the browser page from '{}' ({} files)",
                     _options.webRoot.string(), _root->FileCount());
}

std::unique_ptr<Transport> WsServerFactory::Make() const {
    return std::make_unique<WsServerTransport>(_root, _origins, _counters, _options.maxHeadBytes);
}

WsClientFactory::WsClientFactory(std::string host, std::string path)
    : _host(std::move(host)), _path(std::move(path)) {}

std::unique_ptr<Transport> WsClientFactory::Make() const {
    return std::make_unique<WsClientTransport>(_host, _path);
}

}  // namespace tavern::ws
