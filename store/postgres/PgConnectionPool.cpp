#include "store/postgres/PgConnectionPool.h"

#include <utility>

#include "store/StoreError.h"

namespace tavern::store {

PgConnectionPool::Lease::~Lease() {
    if (_pool) _pool->Return(std::move(_connection));
}

PgConnectionPool::PgConnectionPool(std::string url, std::size_t size,
                                   std::chrono::milliseconds acquireTimeout,
                                   std::chrono::seconds connectTimeout)
    : _url(std::move(url)),
      _size(size == 0 ? 1 : size),
      _acquireTimeout(acquireTimeout),
      _connectTimeout(connectTimeout) {}

PgConnectionPool::Lease PgConnectionPool::Acquire() {
    std::unique_lock lock(_mutex);
    if (!_freed.wait_for(lock, _acquireTimeout, [&] { return !_idle.empty() || _open < _size; }))
        throw StoreError(StoreErrorKind::Unavailable,
                         "database unavailable: no connection free within " +
                             std::to_string(_acquireTimeout.count()) + " ms");
    if (!_idle.empty()) {
        std::unique_ptr<PgConnection> connection = std::move(_idle.back());
        _idle.pop_back();
        return Lease(*this, std::move(connection));
    }
    ++_open;
    lock.unlock();
    try {
        return Lease(*this, PgConnection::Connect(_url, _connectTimeout));
    } catch (...) {
        lock.lock();
        --_open;
        _freed.notify_one();
        throw;
    }
}

void PgConnectionPool::DropIdle() {
    std::vector<std::unique_ptr<PgConnection>> dropped;
    {
        std::lock_guard lock(_mutex);
        dropped.swap(_idle);
        _open -= dropped.size();
    }
    _freed.notify_all();
    // `dropped` closes its connections here, outside the lock.
}

void PgConnectionPool::Return(std::unique_ptr<PgConnection> connection) {
    {
        std::lock_guard lock(_mutex);
        if (connection && !connection->Broken())
            _idle.push_back(std::move(connection));
        else
            --_open;
    }
    _freed.notify_one();
    // A broken connection (if any) is closed here, outside the lock.
}

}  // namespace tavern::store
