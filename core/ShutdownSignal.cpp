#include "core/ShutdownSignal.h"

#if defined(_WIN32)
#include <windows.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace tavern {
namespace {
std::mutex gLock;
std::condition_variable gSignalled;
int gSignal = 0;
BOOL WINAPI OnConsoleEvent(DWORD) {
    {
        std::lock_guard guard(gLock);
        gSignal = 2;
    }
    gSignalled.notify_all();
    return TRUE;
}
}  // namespace

ShutdownSignal::ShutdownSignal() { SetConsoleCtrlHandler(OnConsoleEvent, TRUE); }
ShutdownSignal::~ShutdownSignal() { SetConsoleCtrlHandler(OnConsoleEvent, FALSE); }
int ShutdownSignal::Wait() {
    std::unique_lock guard(gLock);
    gSignalled.wait(guard, [] { return gSignal != 0; });
    return gSignal;
}
int ShutdownSignal::WaitFor(int milliseconds) {
    std::unique_lock guard(gLock);
    gSignalled.wait_for(guard, std::chrono::milliseconds(milliseconds), [] { return gSignal != 0; });
    return gSignal;
}
}  // namespace tavern

#else
#include <pthread.h>
#include <signal.h>
#include <time.h>

namespace tavern {
namespace {
sigset_t StopSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}
}  // namespace

ShutdownSignal::ShutdownSignal() {
    const sigset_t set = StopSignals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ShutdownSignal::~ShutdownSignal() {
    const sigset_t set = StopSignals();
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

int ShutdownSignal::Wait() {
    const sigset_t set = StopSignals();
    int signal = 0;
    sigwait(&set, &signal);
    return signal;
}

int ShutdownSignal::WaitFor(int milliseconds) {
    const sigset_t set = StopSignals();
    timespec timeout{milliseconds / 1000, (milliseconds % 1000) * 1000000L};
    const int signal = sigtimedwait(&set, nullptr, &timeout);
    return signal < 0 ? 0 : signal;
}
}  // namespace tavern
#endif
