#include "admin/AdminServer.h"

#include "admin/DashboardPage.h"

#include <sstream>
#include <string_view>

#include <civetweb.h>
#include <prometheus/text_serializer.h>
#include <spdlog/spdlog.h>

namespace tavern::admin {

namespace {

int Reply(mg_connection* connection, int status, std::string_view reason,
          std::string_view contentType, std::string_view body) {
    mg_printf(connection,
              "HTTP/1.1 %d %.*s\r\nContent-Type: %.*s\r\nContent-Length: %zu\r\n"
              "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
              status, static_cast<int>(reason.size()), reason.data(),
              static_cast<int>(contentType.size()), contentType.data(), body.size());
    if (!body.empty()) mg_write(connection, body.data(), body.size());
    return status;
}

// civetweb's process-wide state: made before the first server, freed at exit (LeakSanitizer).
struct LibraryInit {
    LibraryInit() { mg_init_library(0); }
    ~LibraryInit() { mg_exit_library(); }
    LibraryInit(const LibraryInit&) = delete;
    LibraryInit& operator=(const LibraryInit&) = delete;
};

}  // namespace

AdminServer::AdminServer(AdminOptions options) : _options(std::move(options)) {}

AdminServer::~AdminServer() {
    Stop();
}

void AdminServer::AddCollector(MetricsCollector collector) {
    _collectors.push_back(std::move(collector));
}

std::error_code AdminServer::Start() {
    static LibraryInit init;
    const bool v6 = _options.host.find(':') != std::string::npos;
    const std::string listen = (v6 ? "[" + _options.host + "]" : _options.host) + ":" +
                               std::to_string(_options.port);
    const std::string threads = std::to_string(_options.threads);
    const char* config[] = {"listening_ports", listen.c_str(), "num_threads", threads.c_str(),
                            "enable_keep_alive", "no", nullptr};
    mg_callbacks callbacks{};
    _context = mg_start(&callbacks, this, config);
    if (_context == nullptr) {
        spdlog::error("admin: cannot listen on {}", listen);
        return std::make_error_code(std::errc::address_not_available);
    }
    mg_server_port ports[4]{};
    if (mg_get_server_ports(_context, 4, ports) > 0) _port = static_cast<std::uint16_t>(ports[0].port);
    mg_set_request_handler(_context, "/", &AdminServer::HandleRequest, this);
    spdlog::info("admin: serving /metrics, /healthz and /readyz on {}:{}", _options.host, _port);
    return {};
}

void AdminServer::Stop() {
    if (_context == nullptr) return;
    mg_stop(_context);
    _context = nullptr;
}

std::string AdminServer::RenderMetrics() {
    std::vector<prometheus::MetricFamily> families;
    {
        std::lock_guard guard(_scrapeLock);
        for (auto& collector : _collectors) collector(families);
    }
    std::ostringstream text;
    prometheus::TextSerializer().Serialize(text, families);
    return text.str();
}

int AdminServer::HandleRequest(mg_connection* connection, void* self) {
    return static_cast<AdminServer*>(self)->Handle(connection);
}

int AdminServer::Handle(mg_connection* connection) {
    const mg_request_info* request = mg_get_request_info(connection);
    const std::string_view uri = request->local_uri != nullptr ? request->local_uri : "";
    const std::string_view method = request->request_method != nullptr ? request->request_method : "";
    if (method != "GET")
        return Reply(connection, 405, "Method Not Allowed", "text/plain", "GET only\n");
    if (uri == "/healthz") return Reply(connection, 200, "OK", "text/plain", "ok\n");
    if (uri == "/readyz") {
        if (Ready()) return Reply(connection, 200, "OK", "text/plain", "ready\n");
        return Reply(connection, 503, "Service Unavailable", "text/plain", "not ready\n");
    }
    if (uri == "/metrics") {
        const std::string body = RenderMetrics();
        return Reply(connection, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body);
    }
    if (uri == "/")
        return Reply(connection, 200, "OK", "text/html; charset=utf-8", DashboardPage());
    return Reply(connection, 404, "Not Found", "text/plain", "not found\n");
}

}  // namespace tavern::admin
