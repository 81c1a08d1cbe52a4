#include "gameserver/AccountService.h"

#include <stdexcept>

#include "store/OpenStore.h"
#include "store/PasswordHasher.h"

namespace tavern::game {

namespace {

store::LoginLimiterOptions LimiterOptions(const PersistenceOptions& options) {
    store::LoginLimiterOptions limiter;
    limiter.addressFailures = options.loginFailuresPerAddress;
    return limiter;
}

store::PasswordCost Cost(const PersistenceOptions& options) {
    const auto cost = store::ParsePasswordCost(options.passwordCost);
    if (!cost) throw std::invalid_argument("unknown password cost: " + options.passwordCost);
    return *cost;
}

ExecutorOptions ExecutorFor(const PersistenceOptions& options) {
    ExecutorOptions executor;
    executor.name = "store";
    executor.threads = options.executorThreads;
    executor.queueLimit = options.executorQueue;
    return executor;
}

}  // namespace

AccountService::AccountService(const PersistenceOptions& options, const SchedulerRef& scheduler)
    : _options(options),
      _store(store::OpenStore(options.dbUrl)),
      _limiter(LimiterOptions(options)),
      _accounts(std::make_unique<store::Accounts>(*_store, store::PasswordHasher(Cost(options)),
                                                  &_limiter)),
      _executor(ExecutorFor(options)),
      _saves(std::make_shared<SaveScheduler>(
          scheduler, _store, _executor,
          std::chrono::duration_cast<Clock::duration>(options.saveInterval), &_metrics)) {}

AccountService::~AccountService() {
    Stop();
}

void AccountService::Start() {
    _saves->Start();
}

void AccountService::Stop() {
    if (_stopped) return;
    _stopped = true;
    _saves->StopAndFlush(std::chrono::seconds(5));
    _executor.Stop();
}

}  // namespace tavern::game
