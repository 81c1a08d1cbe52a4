#pragma once

#include <memory>

#include "gameserver/PersistenceOptions.h"
#include "gameserver/SaveScheduler.h"
#include "gameserver/StoreMetrics.h"
#include "jobs/BlockingExecutor.h"
#include "store/Accounts.h"
#include "store/LoginLimiter.h"
#include "store/Store.h"

namespace tavern::game {

// What a GameServer with a database owns for accounts: the store, the login limiter, Accounts,
// a small bounded BlockingExecutor for store calls and hashing, and the SaveScheduler. Jobs on
// the executor refer to it by reference: Stop joins the executor before anything is destroyed.
class AccountService {
public:
    // Opens the store (applying its migrations). Throws store::StoreError with a one-line
    // message when it cannot be opened, std::invalid_argument for a bad option. Not from a
    // worker.
    AccountService(const PersistenceOptions& options, const SchedulerRef& scheduler);
    ~AccountService();

    // Any thread: starts the save interval.
    void Start();
    // Not from a worker; idempotent. Writes the pending saves, then stops the executor.
    void Stop();

    // Any thread.
    store::Accounts& Accounts() { return *_accounts; }
    BlockingExecutor& Executor() { return _executor; }
    SaveScheduler& Saves() { return *_saves; }
    const std::shared_ptr<SaveScheduler>& SavesRef() const { return _saves; }
    bool AllowRegister() const { return _options.allowRegister; }
    StoreMetrics& Metrics() { return _metrics; }

private:
    const PersistenceOptions _options;
    store::StoreRef _store;
    store::LoginLimiter _limiter;
    std::unique_ptr<store::Accounts> _accounts;
    BlockingExecutor _executor;
    StoreMetrics _metrics;  // before _saves, which records into it
    std::shared_ptr<SaveScheduler> _saves;
    bool _stopped = false;
};

}  // namespace tavern::game
