#pragma once

namespace tavern {

// Waits for SIGINT or SIGTERM (Ctrl+C / Ctrl+Break / close on Windows) for a graceful stop.
// Construct it in main before starting any thread: it blocks the signals so that only Wait()
// receives them, and no worker is interrupted.
class ShutdownSignal {
public:
    ShutdownSignal();
    ~ShutdownSignal();
    ShutdownSignal(const ShutdownSignal&) = delete;
    ShutdownSignal& operator=(const ShutdownSignal&) = delete;

    // Blocks until a stop signal arrives; returns the signal number.
    int Wait();
    // Like Wait, but returns 0 after `milliseconds` without a signal.
    int WaitFor(int milliseconds);
};

}  // namespace tavern
