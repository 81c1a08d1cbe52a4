#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "store/postgres/PgConnection.h"

namespace tavern::store {

// A small pool of PostgreSQL connections, opened on demand up to `size`. A call leases one for
// its duration; a lease whose connection broke is dropped, and the next lease opens a new one,
// so the pool reconnects by itself once the server is back. Safe from any thread.
class PgConnectionPool {
public:
    class Lease {
    public:
        Lease(PgConnectionPool& pool, std::unique_ptr<PgConnection> connection)
            : _pool(&pool), _connection(std::move(connection)) {}
        ~Lease();
        Lease(Lease&& other) noexcept
            : _pool(std::exchange(other._pool, nullptr)),
              _connection(std::move(other._connection)) {}
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;

        PgConnection& operator*() const { return *_connection; }
        PgConnection* operator->() const { return _connection.get(); }
        // The connection is not returned to the pool (it is closed).
        void Discard() { _connection.reset(); }

    private:
        PgConnectionPool* _pool;
        std::unique_ptr<PgConnection> _connection;
    };

    PgConnectionPool(std::string url, std::size_t size, std::chrono::milliseconds acquireTimeout,
                     std::chrono::seconds connectTimeout);

    // Blocks until a connection is free (or can be opened), at most acquireTimeout. Throws
    // StoreError(Unavailable) if none is free in time or a new one cannot be opened.
    Lease Acquire();
    // Closes every idle connection: after one was found lost, the others most likely are too
    // (the server restarted), and each would fail one call before being dropped.
    void DropIdle();

private:
    void Return(std::unique_ptr<PgConnection> connection);

    const std::string _url;
    const std::size_t _size;
    const std::chrono::milliseconds _acquireTimeout;
    const std::chrono::seconds _connectTimeout;
    std::mutex _mutex;
    std::condition_variable _freed;
    std::vector<std::unique_ptr<PgConnection>> _idle;
    std::size_t _open = 0;  // idle + leased + being opened
};

}  // namespace tavern::store
