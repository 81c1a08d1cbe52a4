#include "core/BackendSelector.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>

#if defined(_WIN32)
#include "core/iocp/IocpBackend.h"
#else
#include "core/epoll/EpollBackend.h"
#include "core/uring/UringBackend.h"
#endif

namespace tavern {

namespace {
std::atomic<std::uint64_t> g_receivesOutOfBuffers{0};
}  // namespace

std::uint64_t ReceivesOutOfBuffers() {
    return g_receivesOutOfBuffers.load(std::memory_order_relaxed);
}

void CountReceiveOutOfBuffers() {
    g_receivesOutOfBuffers.fetch_add(1, std::memory_order_relaxed);
}

std::string_view ToString(BackendKind kind) {
    switch (kind) {
        case BackendKind::Auto: return "auto";
        case BackendKind::Uring: return "io_uring";
        case BackendKind::Epoll: return "epoll";
        case BackendKind::Iocp: return "iocp";
    }
    return "unknown";
}

std::optional<BackendKind> ParseBackendKind(std::string_view name) {
    if (name == "auto") return BackendKind::Auto;
    if (name == "uring" || name == "io_uring") return BackendKind::Uring;
    if (name == "epoll") return BackendKind::Epoll;
    if (name == "iocp") return BackendKind::Iocp;
    return std::nullopt;
}

const std::vector<std::string>& BackendNames() {
    static const std::vector<std::string> names{"auto", "uring", "epoll", "iocp"};
    return names;
}

const std::string& BackendHelp() {
    static const std::string help = "auto, uring, epoll or iocp";
    return help;
}

BackendKind SelectBackend(BackendKind requested, std::error_code& error) {
    error.clear();
    if (requested == BackendKind::Auto) {
        if (const char* env = std::getenv("TAVERN_BACKEND"); env != nullptr && *env != '\0') {
            if (auto kind = ParseBackendKind(env)) {
                requested = *kind;
            } else {
                spdlog::warn("tavern: ignoring TAVERN_BACKEND={} (want auto, uring, epoll, iocp)",
                             env);
            }
        }
    }
#if defined(_WIN32)
    if (requested == BackendKind::Auto || requested == BackendKind::Iocp) return BackendKind::Iocp;
    error = std::make_error_code(std::errc::not_supported);
    spdlog::error("tavern: the {} backend is Linux only; this Windows build has iocp",
                  ToString(requested));
    return requested;
#else
    if (requested == BackendKind::Iocp) {
        error = std::make_error_code(std::errc::not_supported);
        spdlog::error("tavern: the iocp backend is Windows only; this build has io_uring and "
                      "epoll (--backend auto, uring or epoll)");
        return requested;
    }
    if (requested == BackendKind::Epoll) return BackendKind::Epoll;
    const std::error_code probe = UringBackend::Probe();
    if (!probe) return BackendKind::Uring;
    if (requested == BackendKind::Uring) {
        error = probe;
        spdlog::error("tavern: io_uring was requested but is unavailable: {}", probe.message());
        return requested;
    }
    spdlog::warn("tavern: io_uring unavailable ({}), falling back to epoll", probe.message());
    return BackendKind::Epoll;
#endif
}

std::unique_ptr<Backend> CreateBackend(BackendKind kind, const BackendOptions& options,
                                       std::error_code& error) {
#if defined(_WIN32)
    (void)kind;
    return IocpBackend::Create(options, error);
#else
    if (kind == BackendKind::Uring) return UringBackend::Create(options, error);
    if (kind == BackendKind::Epoll) return EpollBackend::Create(options, error);
    error = std::make_error_code(std::errc::not_supported);
    return nullptr;
#endif
}

}  // namespace tavern
