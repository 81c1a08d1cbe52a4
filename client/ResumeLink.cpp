#include "client/ResumeLink.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "ClientPackets.h"
#include "client/ServerSession.h"
#include "core/PacketHeader.h"

namespace tavern::client {

using Protocol::PacketId;

ResumeLink::ResumeLink(const SchedulerRef& scheduler, Connect connect, ResumeOptions options)
    : JobQueue(scheduler),
      _connect(std::move(connect)),
      _options(options),
      _server(options.firstServer % std::max<std::size_t>(options.servers, 1)) {}

std::shared_ptr<ServerSession> ResumeLink::Current() const {
    std::lock_guard guard(_lock);
    return _current.lock();
}

bool ResumeLink::OnConnected(ServerSession& session) {
    std::lock_guard guard(_lock);
    _current = std::static_pointer_cast<ServerSession>(session.SharedPacketSession());
    _droppedAt = {};
    if (_token.empty()) return false;
    Protocol::C_LOGIN resume;
    resume.set_resume_token(_token);
    resume.set_received(_received);
    _resumePending = true;
    // Straight to the socket: the resume's own C_LOGIN is not one of the counted packets.
    session.Send(Protocol::ClientPacketHandler::MakeSendBuffer(resume));
    return true;
}

void ResumeLink::SwitchNow() {
    {
        std::lock_guard guard(_lock);
        if (Stopped() || _token.empty() || _resumePending) return;
        auto old = _current.lock();
        if (!old) return;  // already reconnecting
        _abandoned = old;
        _current.reset();
        _droppedAt = Clock::now();
        _delay = _options.firstDelay;
        _counts.drops.fetch_add(1, std::memory_order_relaxed);
        _counts.switches.fetch_add(1, std::memory_order_relaxed);
    }
    DoAsync(&ResumeLink::TryConnect);
}

bool ResumeLink::OnSend(const ServerSession& session, const SendBufferRef& packet) {
    if (packet->Size() < kPacketHeaderSize) return true;
    const auto id = ReadPacketHeader(packet->Data()).id;
    std::lock_guard guard(_lock);
    if (id == static_cast<std::uint16_t>(PacketId::C_LOGIN)) {  // a fresh login: counting restarts
        _loginSent = true;
        _counting = false;
        _token.clear();
        _sent.clear();
        _sentBytes = 0;
        _sentBase = 0;
        return true;
    }
    if (!_loginSent) return true;
    const auto bytes = packet->Bytes();
    _sent.push_back({{bytes.begin(), bytes.end()}, Clock::now()});
    _sentBytes += bytes.size();
    Trim(_sent.back().at);
    // While a resume is on its way (or the session was switched away from) the packet waits:
    // the resume sends it after the ones the server had not handled.
    return !_resumePending && _current.lock().get() == &session;
}

void ResumeLink::Trim(Clock::time_point now) {
    while (!_sent.empty() &&
           (_sent.size() > _options.maxKeptPackets || _sentBytes > _options.maxKeptBytes ||
            now - _sent.front().at > _options.keepFor)) {
        _sentBytes -= _sent.front().bytes.size();
        _sent.pop_front();
        ++_sentBase;
    }
}

ResumeLink::Outcome ResumeLink::OnPacket(ServerSession& session, std::uint16_t id,
                                         std::span<const std::byte> payload,
                                         std::uint64_t& resent) {
    std::lock_guard guard(_lock);
    if (_current.lock().get() != &session) return Outcome::Ignore;  // switched away from
    if (id == static_cast<std::uint16_t>(PacketId::S_LOGIN) && (_resumePending || !_counting)) {
        Protocol::S_LOGIN login;
        if (!login.ParseFromArray(payload.data(), static_cast<int>(payload.size())))
            return Outcome::Pass;  // the dispatch reports it
        if (_resumePending) {
            _resumePending = false;
            if (login.success() && login.resumed()) {
                _token = login.resume_token();
                const std::uint64_t handled = login.received();
                while (_sentBase < handled && !_sent.empty()) {
                    _sentBytes -= _sent.front().bytes.size();
                    _sent.pop_front();
                    ++_sentBase;
                }
                if (_sentBase > handled)
                    spdlog::warn(
                        "resume: {} packets the server had not handled were no longer "
                        "kept",
                        _sentBase - handled);
                _sentBase = handled;
                for (const Kept& kept : _sent) session.Send(SendBuffer::Copy(kept.bytes));
                resent = _sent.size();
                _counts.resumes.fetch_add(1, std::memory_order_relaxed);
                // The server closed a connection switched away from; make sure of it.
                if (const auto old = _abandoned.lock())
                    old->Disconnect("switched to a new connection");
                _abandoned.reset();
                _counts.resent.fetch_add(resent, std::memory_order_relaxed);
                return Outcome::Resumed;
            }
            // Expired: the player starts over with a fresh login.
            _token.clear();
            _loginSent = false;
            _sent.clear();
            _sentBytes = 0;
            _sentBase = 0;
            _counts.refused.fetch_add(1, std::memory_order_relaxed);
            return Outcome::Refused;
        }
        if (_loginSent) {  // the fresh login's answer, itself not counted
            if (login.success()) {
                _counting = true;
                _received = 0;
                _token = login.resume_token();
            } else {
                _loginSent = false;
                _sent.clear();
                _sentBytes = 0;
                _sentBase = 0;
            }
        }
        return Outcome::Pass;
    }
    if (_counting) ++_received;
    return Outcome::Pass;
}

ResumeLink::Ended ResumeLink::OnDisconnected(ServerSession& session) {
    std::lock_guard guard(_lock);
    if (_current.lock().get() != &session) return Ended::Abandoned;
    if (Stopped() || _token.empty()) return Ended::Final;
    _resumePending = false;
    if (_droppedAt == Clock::time_point{}) {
        _droppedAt = Clock::now();
        _delay = _options.firstDelay;
        _counts.drops.fetch_add(1, std::memory_order_relaxed);
    }
    ScheduleReconnect();
    return Ended::Reconnecting;
}

bool ResumeLink::OnConnectFailed() {
    std::lock_guard guard(_lock);
    const std::size_t servers = std::max<std::size_t>(_options.servers, 1);
    _server.store((_server.load(std::memory_order_relaxed) + 1) % servers,
                  std::memory_order_release);
    if (Stopped()) return false;
    if (_droppedAt == Clock::time_point{}) {
        // The first connection: each other server once, at once, then the owner hears of it.
        if (++_firstFailures >= servers) return false;
        spdlog::info("connect: server {} of {} unreachable; trying the next", _server.load(),
                     servers);
        DoAsync(&ResumeLink::TryConnect);
        return true;
    }
    ScheduleReconnect();
    return true;
}

void ResumeLink::ScheduleReconnect() {
    // Jittered: a server that drops everyone at once does not get everyone back at once.
    std::uniform_real_distribution<double> jitter(0.5, 1.5);
    const auto delay = std::chrono::duration_cast<Clock::duration>(_delay * jitter(_random));
    _delay = std::min(_delay * 2, _options.maxDelay);
    DoTimer(delay, &ResumeLink::TryConnect);
}

void ResumeLink::TryConnect() {
    if (Stopped()) return;
    bool first = false;
    {
        std::lock_guard guard(_lock);
        first = _droppedAt == Clock::time_point{};
        if (!first && Clock::now() - _droppedAt > _options.giveUpAfter) {
            _counts.gaveUp.fetch_add(1, std::memory_order_relaxed);
            spdlog::warn("reconnect: no connection within {} ms; giving up",
                         _options.giveUpAfter.count());
            return;
        }
    }
    if (_connect(std::static_pointer_cast<ResumeLink>(shared_from_this()))) return;
    if (first) {  // a first connection that could not even start: the owner sees it fail
        spdlog::warn("connect: no connection could be started");
        return;
    }
    std::lock_guard guard(_lock);
    ScheduleReconnect();
}

}  // namespace tavern::client
