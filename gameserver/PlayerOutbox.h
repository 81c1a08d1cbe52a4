#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "core/SendBuffer.h"
#include "jobs/Clock.h"

namespace tavern::game {

class GameSession;

// Everything the server sends a player after its login, numbered 1, 2, 3, ... and kept for a
// resume: the player's stream outlives its connection. Packets are kept as the SendBuffers
// they were sent as (a room's tick batch is one buffer shared by every member, kept by
// reference, never copied): a resume sends the ones after what the client says it received,
// slicing a buffer when the client got only its first packets.
//
//   sent:    ... [41][42 43 44 (one tick batch)][45] | live
//   kept:         ^ oldest kept                      ^ Sent() = 45
//   resume with received = 42: a slice [43 44] of the batch, then [45], then live traffic
//
// While a session is attached, every packet goes to it as well, and only recent ones are kept
// (at most `limitBytes` of packet bytes, none older than `keepFor`): a dropped connection may
// have lost what the kernel had queued. While detached (the player is away) packets are only
// kept; past `limitBytes` the outbox overflows and calls its overflow callback, once.
//
// One lock orders numbering and sending, so the numbers are the order on the wire whichever
// thread (room, session) delivers. Lock order: this lock, then the session's send lock.
class PlayerOutbox {
public:
    PlayerOutbox(std::size_t limitBytes, Clock::duration keepFor);

    // Safe from any thread: numbers the packets of `buffer` (whole packets), keeps it and sends
    // it on the attached session, if any.
    void Deliver(SendBufferRef buffer);

    // Safe from any thread: `session` is the attached one; `first` (its S_LOGIN) goes out
    // before anything numbered, itself not numbered.
    void Attach(const std::shared_ptr<GameSession>& session, const SendBufferRef& first);
    // Safe from any thread: a resume on `session`, whose client received packets 1..`received`.
    // If the packets after `received` are all kept: attaches `session` (the previous one gets
    // nothing more), sends `first` (the resume's S_LOGIN), then those packets, and returns how
    // many; else nullopt and nothing changes.
    std::optional<std::uint64_t> Resume(const std::shared_ptr<GameSession>& session,
                                        std::uint64_t received, const SendBufferRef& first);
    // Safe from any thread: if `session` is attached (nullptr: whichever is), detaches it; from now
    // on packets are only kept, and `onOverflow` runs (on the delivering thread, outside the lock)
    // the first time they pass the limit.
    void Detach(const GameSession* session, std::function<void()> onOverflow);

    // Safe from any thread: the attached session, or nullptr.
    std::shared_ptr<GameSession> Session() const;
    // Safe from any thread: packets numbered so far; packet bytes kept.
    std::uint64_t Sent() const;
    std::size_t KeptBytes() const;

private:
    struct Kept {
        SendBufferRef buffer;
        std::uint64_t first;  // number of its first packet
        std::uint32_t count;  // packets in it
        Clock::time_point at;
    };
    // Under _lock.
    void Trim(Clock::time_point now);

    const std::size_t _limitBytes;
    const Clock::duration _keepFor;
    mutable std::mutex _lock;
    std::weak_ptr<GameSession> _session;
    const GameSession* _raw = nullptr;  // the attached session, compared only
    bool _attached = false;
    std::deque<Kept> _kept;
    std::size_t _keptBytes = 0;
    std::uint64_t _sent = 0;
    std::function<void()> _onOverflow;  // set while detached, cleared once called
};

}  // namespace tavern::game
