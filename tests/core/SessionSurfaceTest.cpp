#include "core/Session.h"

#include <gtest/gtest.h>

#include "core/PacketSession.h"
#include "jobs/JobQueue.h"

namespace tavern::test {
namespace {

// What a user can reach through a session: the connection's operations and the actor's
// DoAsync / DoTimer, but not the mailbox's Close (which would strand the socket) or the
// scheduler's entry points.
template <class S>
concept CanCloseMailbox = requires(S& s) { s.Close(); };
template <class S>
concept CanExecute = requires(S& s) { s.Execute(); };
template <class S>
concept CanRunOwned = requires(S& s) { s.RunOwned(); };
template <class S>
concept CanDisconnect = requires(S& s) { s.Disconnect("why"); };
template <class S>
concept CanDoAsync = requires(S& s) { s.DoAsync([] {}); };

TEST(SessionSurfaceTest, ASessionOffersTheConnectionsOperationsButNotTheMailboxsInternals) {
    static_assert(!CanCloseMailbox<Session>);
    static_assert(!CanCloseMailbox<PacketSession>);
    static_assert(!CanExecute<Session>);
    static_assert(!CanRunOwned<Session>);
    static_assert(CanDisconnect<Session>);
    static_assert(CanDoAsync<Session>);
    // A plain actor keeps its Close, and hides the scheduler's entry points too.
    static_assert(CanCloseMailbox<JobQueue>);
    static_assert(!CanExecute<JobQueue>);
    static_assert(!CanRunOwned<JobQueue>);
    SUCCEED();
}

}  // namespace
}  // namespace tavern::test
