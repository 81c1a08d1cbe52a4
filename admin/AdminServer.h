#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <system_error>
#include <vector>

#include <prometheus/metric_family.h>

struct mg_context;
struct mg_connection;

namespace tavern::admin {

struct AdminOptions {
    std::string host = "127.0.0.1";  // loopback unless widened (numeric; IPv6 without brackets)
    std::uint16_t port = 0;          // 0: any free port (Port() says which)
    int threads = 2;                 // HTTP threads: a probe never waits behind a scrape
};

// Appends the families it reads now. Runs on an HTTP thread, one scrape at a time.
using MetricsCollector = std::function<void(std::vector<prometheus::MetricFamily>& out)>;

// The operations endpoint, on threads of its own (civetweb), never on the engine's workers:
//   GET /          the dashboard (DashboardPage.h): plots /metrics, read every second
//   GET /metrics   every collector's families in the Prometheus text format (0.0.4)
//   GET /healthz   200 while the process serves HTTP at all
//   GET /readyz    200 while ready (SetReady), else 503: a graceful stop turns it off first
// Knows nothing of games or engines: what it reports comes from the collectors it is given.
class AdminServer {
public:
    explicit AdminServer(AdminOptions options);
    ~AdminServer();
    AdminServer(const AdminServer&) = delete;
    AdminServer& operator=(const AdminServer&) = delete;

    // Before Start, from the thread that owns the server.
    void AddCollector(MetricsCollector collector);
    // Binds and starts serving; an error (address in use, bad host) is returned and logged.
    std::error_code Start();
    // Idempotent; waits for requests in progress. From the owning thread.
    void Stop();

    // Safe from any thread.
    std::uint16_t Port() const { return _port; }
    void SetReady(bool ready) { _ready.store(ready, std::memory_order_release); }
    bool Ready() const { return _ready.load(std::memory_order_acquire); }
    // Safe from any thread: what GET /metrics answers now.
    std::string RenderMetrics();

private:
    static int HandleRequest(mg_connection* connection, void* self);
    int Handle(mg_connection* connection);

    AdminOptions _options;
    std::vector<MetricsCollector> _collectors;
    std::mutex _scrapeLock;  // one scrape at a time: collectors keep state between scrapes
    mg_context* _context = nullptr;
    std::uint16_t _port = 0;
    std::atomic<bool> _ready{false};
};

}  // namespace tavern::admin
