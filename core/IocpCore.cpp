#include "core/IocpCore.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "core/BackendSelector.h"
#include "core/Service.h"

namespace tavern {

IocpCoreRef IocpCore::Create(EngineOptions options) {
    return IocpCoreRef(new IocpCore(std::move(options)));  // private constructor
}

IocpCoreRef IocpCore::CreateStarted(EngineOptions options) {
    IocpCoreRef core = Create(std::move(options));
    if (const std::error_code error = core->Start()) {
        spdlog::error("cannot start the engine: {}", error.message());
        return nullptr;
    }
    return core;
}

IocpCore::IocpCore(EngineOptions options) : _options(std::move(options)) {
    if (_options.workers == 0)
        _options.workers = std::max(1u, std::thread::hardware_concurrency());
    _scheduler = Scheduler::Create(_options.scheduler);
}

IocpCore::~IocpCore() { Stop(); }

std::error_code IocpCore::Start() {
    if (_running.load()) return {};
    std::error_code error;
    _kind = SelectBackend(_options.backend, error);
    if (error) return error;
    spdlog::info("tavern: {} workers on {}", _options.workers, ToString(_kind));

    // Actors put in the GlobalQueue and earlier timers wake an idle worker.
    std::weak_ptr<IocpCore> weak = weak_from_this();
    _scheduler->SetWakeHook([weak] {
        if (auto core = weak.lock()) core->WakeIdleWorker();
    });
    // All workers exist before any starts, so a wake-up never sees the list change.
    for (std::size_t i = 0; i < _options.workers; ++i)
        _workers.push_back(std::make_unique<Worker>(*this, i));
    for (auto& worker : _workers) {
        if ((error = worker->Start(_kind, _options.backendOptions))) {
            spdlog::error("tavern: worker {} could not start {}: {}", worker->Index(),
                          ToString(_kind), error.message());
            Stop();
            return error;
        }
    }
    _running.store(true, std::memory_order_release);
    return {};
}

void IocpCore::TrackService(std::weak_ptr<Service> service) {
    std::lock_guard guard(_servicesLock);
    std::erase_if(_services, [](const std::weak_ptr<Service>& s) { return s.expired(); });
    _services.push_back(std::move(service));
}

void IocpCore::Stop() {
    // Services first, while the workers still run: their sessions' operations complete and each
    // session is released. (Stopped with the workers gone, a session with a receive pending was
    // never released: its operation, which holds it, never completed.)
    std::vector<std::weak_ptr<Service>> services;
    {
        std::lock_guard guard(_servicesLock);
        services.swap(_services);
    }
    for (const auto& weak : services) {
        if (auto service = weak.lock()) service->Stop();
    }
    _running.store(false, std::memory_order_release);
    for (auto& worker : _workers) worker->RequestStop();
    for (auto& worker : _workers) worker->Join();
    _scheduler->Stop();
}

Worker& IocpCore::PickWorker() {
    const std::size_t index = _nextWorker.fetch_add(1, std::memory_order_relaxed);
    return *_workers[index % _workers.size()];
}

void IocpCore::WakeIdleWorker() {
    for (auto& worker : _workers)
        if (worker->WakeIfIdle()) return;
}

}  // namespace tavern
