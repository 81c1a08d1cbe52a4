#include "client/ConsoleClient.h"

#include "client/Bot.h"
#include "client/ResumeLink.h"
#include "client/ServerList.h"
#include "client/TerminalText.h"

#include <cstdio>
#include <sstream>
#include <string>

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include "core/IocpCore.h"
#include "core/Service.h"

namespace tavern::client {

namespace {

std::uint64_t NowNanoseconds() {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
            .count());
}

// One whole line per call, flushed: output stays readable when events and input interleave.
// Escaped: names, chat and reasons come from others and must not drive the terminal.
template <class... Args>
void Print(fmt::format_string<Args...> format, Args&&... args) {
    std::string line = fmt::format(format, std::forward<Args>(args)...);
    const bool newline = !line.empty() && line.back() == '\n';
    if (newline) line.pop_back();
    fmt::print("{}{}", EscapeForTerminal(line), newline ? "\n" : "");
    std::fflush(stdout);
}

}  // namespace

ConsoleClient::ConsoleClient(ConsoleOptions options) : _options(std::move(options)) {}

void ConsoleClient::SetPhase(Phase phase) {
    {
        std::lock_guard guard(_lock);
        _phase = phase;
    }
    _changed.notify_all();
}

bool ConsoleClient::WaitForPhase(Phase wanted, std::chrono::milliseconds timeout) {
    std::unique_lock guard(_lock);
    _changed.wait_for(guard, timeout, [&] {
        return _phase == wanted || _phase == Phase::Failed || _phase == Phase::Closed;
    });
    return _phase == wanted;
}

int ConsoleClient::Run(std::istream& input) {
    const auto found = ServersOrOne(_options.servers, _options.host, _options.port);
    if (!found) return 2;
    const std::vector<NetAddress>& servers = *found;
    EngineOptions engine;
    engine.workers = _options.workers;
    engine.backend = _options.backend;
    auto core = IocpCore::CreateStarted(engine);
    if (!core) return 2;
    std::shared_ptr<ServerListener> self = shared_from_this();
    ServiceOptions serviceOptions;
    // A quiet room is no reason to hang up: the server may say nothing for minutes. (The
    // server's own idle timeout is kept at bay by the heartbeat pings.)
    serviceOptions.idleTimeout = std::chrono::milliseconds::zero();
    serviceOptions.transport = _options.transport;
    // A dropped connection comes back by itself and resumes (ResumeLink); its sessions come
    // from these services' factory (one per server; the link says which to use).
    auto owners = std::make_shared<std::vector<std::weak_ptr<ClientService>>>();
    ResumeOptions linkOptions;
    linkOptions.servers = servers.size();
    auto link = std::make_shared<ResumeLink>(
        core->GetScheduler(),
        [owners](const std::shared_ptr<ResumeLink>& resuming) {
            std::error_code ignored;
            const auto service = (*owners)[resuming->Server()].lock();
            return service && service->Connect(ignored) != nullptr;
        },
        linkOptions);
    std::vector<std::shared_ptr<ClientService>> services;
    for (const NetAddress& server : servers) {
        services.push_back(ClientService::Create(
            core, server, [self, link] { return std::make_shared<ServerSession>(self, link); },
            serviceOptions));
        owners->push_back(services.back());
    }
    std::error_code error;
    auto first = services.front()->ConnectAs<ServerSession>(error);
    // The session now in use: the first, or the one a reconnect made.
    const auto current = [&first, &link] {
        auto session = link->Current();
        return session ? session : first;
    };

    int status = 0;
    if (!first || !WaitForPhase(Phase::InGame, std::chrono::seconds(10))) {
        Print("could not get into room {}\n", _options.room);
        status = 1;
    } else {
        std::string line;
        bool more = true;
        while (more && std::getline(input, line)) more = Command(*current(), line);
        // /quit or the end of input: leave the room and wait for the server to confirm.
        const auto session = current();
        if (session->IsConnected()) {
            bool inGame = false;
            {
                std::lock_guard guard(_lock);
                inGame = _phase == Phase::InGame;
            }
            if (inGame) {
                session->SendPacket(Protocol::C_LEAVE_GAME{});
                if (!WaitForPhase(Phase::Left, std::chrono::seconds(5))) status = 1;
            }
        } else {
            status = 1;
        }
    }
    _quitting.store(true);
    link->Stop();
    for (const auto& service : services) service->Stop();
    core->Stop();
    return status;
}

bool ConsoleClient::Command(ServerSession& session, const std::string& line) {
    if (line.empty()) return true;
    if (line[0] != '/') {
        Protocol::C_CHAT chat;
        chat.set_msg(line);
        session.SendPacket(chat);
        return true;
    }
    std::istringstream words(line);
    std::string command;
    words >> command;
    if (command == "/quit") return false;
    if (command == "/ping") {
        Protocol::C_PING ping;
        ping.set_client_time(NowNanoseconds());
        session.SendPacket(ping);
    } else if (command == "/move") {
        float x = 0, y = 0;
        if (!(words >> x >> y)) {
            Print("usage: /move X Y\n");
            return true;
        }
        Protocol::C_MOVE move;
        move.set_x(x);
        move.set_y(y);
        session.SendPacket(move);
    } else if (command == "/leave") {
        session.SendPacket(Protocol::C_LEAVE_GAME{});
    } else if (command == "/enter") {
        std::uint32_t room = _options.room;
        words >> room;
        Protocol::C_ENTER_GAME enter;
        enter.set_room_id(room);
        session.SendPacket(enter);
    } else {
        Print("commands: text to chat, /move X Y, /ping, /leave, /enter ROOM, /quit\n");
    }
    return true;
}

std::string ConsoleClient::NameOf(std::uint64_t playerId) const {
    const auto found = _names.find(playerId);
    return found != _names.end() ? found->second : "player " + std::to_string(playerId);
}

void ConsoleClient::OnConnected(ServerSession& session) {
    Print("connected to {}\n", session.PeerAddress().ToString());
    SetPhase(Phase::LoggingIn);
    Protocol::C_LOGIN login;
    login.set_name(_options.name);
    login.set_password(_options.password.empty() ? Bot::PasswordFor(_options.name)
                                                 : _options.password);
    session.SendPacket(login);
}

void ConsoleClient::OnConnectFailed(ServerSession& /*session*/, std::error_code error) {
    if (_options.servers.size() > 1)
        Print("cannot connect to any of the {} servers: {}\n", _options.servers.size(),
              error.message());
    else
        Print("cannot connect to {}:{}: {}\n", _options.host, _options.port, error.message());
    SetPhase(Phase::Failed);
}

void ConsoleClient::OnDisconnected(ServerSession& session) {
    if (session.Reconnecting()) {
        Print("connection lost ({}); reconnecting\n", session.DisconnectReason());
        return;
    }
    if (!_quitting.load()) Print("disconnected: {}\n", session.DisconnectReason());
    SetPhase(Phase::Closed);
}

void ConsoleClient::OnResumed(ServerSession& session, std::uint64_t resent) {
    Print("reconnected: resumed, {} packets replayed\n", resent);
    Heartbeat(session);  // the old session's timer went with it
}

void ConsoleClient::OnLogin(ServerSession& session, Protocol::S_LOGIN& pkt) {
    if (!pkt.success()) {
        Print("login refused: {}\n", pkt.reason());
        return SetPhase(Phase::Failed);
    }
    _playerId = pkt.player_id();
    _names[_playerId] = _options.name;
    Print("logged in as {} (player {}{})\n", _options.name, _playerId,
          pkt.created() ? ", new account" : "");
    if (pkt.last_room_id() != 0)
        Print("restored: last in room {} at ({}, {}){}\n", pkt.last_room_id(), pkt.x(), pkt.y(),
              pkt.last_room_id() == _options.room ? ", back there now"
                                                  : "; another room starts at (0, 0)");
    Heartbeat(session);
    SetPhase(Phase::Entering);
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(_options.room);
    session.SendPacket(enter);
}

void ConsoleClient::OnEnterGame(ServerSession& /*session*/, Protocol::S_ENTER_GAME& pkt) {
    if (!pkt.success()) {
        Print("enter refused: {}\n", pkt.reason());
        return SetPhase(Phase::Failed);
    }
    std::string here;
    for (const auto& player : pkt.players()) {
        _names[player.player_id()] = player.name();
        here += (here.empty() ? "" : ", ") + player.name() + " (" +
                std::to_string(player.player_id()) + ")";
    }
    Print("entered the room; already here: {}\n", here.empty() ? "nobody" : here);
    SetPhase(Phase::InGame);
}

void ConsoleClient::OnSpawn(ServerSession& /*session*/, Protocol::S_SPAWN& pkt) {
    for (const auto& player : pkt.players()) {
        _names[player.player_id()] = player.name();
        Print("+ {} (player {}) is here at ({:.1f}, {:.1f})\n", player.name(), player.player_id(),
              player.x(), player.y());
    }
}

void ConsoleClient::OnChat(ServerSession& /*session*/, Protocol::S_CHAT& pkt) {
    Print("[{}] {}\n", NameOf(pkt.player_id()), pkt.msg());
}

void ConsoleClient::OnMove(ServerSession& /*session*/, Protocol::S_MOVE& pkt) {
    Print("* {} moved to ({:.1f}, {:.1f})\n", NameOf(pkt.player_id()), pkt.x(), pkt.y());
}

void ConsoleClient::OnLeaveGame(ServerSession& /*session*/, Protocol::S_LEAVE_GAME& /*pkt*/) {
    Print("left the room\n");
    SetPhase(Phase::Left);
}

void ConsoleClient::OnKicked(ServerSession& /*session*/, Protocol::S_KICKED& pkt) {
    Print("kicked: {}\n", pkt.reason());
}

void ConsoleClient::OnDespawn(ServerSession& /*session*/, Protocol::S_DESPAWN& pkt) {
    for (const std::uint64_t id : pkt.player_ids()) {
        Print("- {} left\n", NameOf(id));
        _names.erase(id);
    }
}

void ConsoleClient::Heartbeat(ServerSession& session) {
    // The job runs on the session's queue, so the session is alive then; it owns this listener.
    session.DoTimer(kHeartbeat, [this, &session] {
        if (!session.IsConnected()) return;
        Protocol::C_PING ping;  // client_time 0: a heartbeat, not printed
        session.SendPacket(ping);
        Heartbeat(session);
    });
}

void ConsoleClient::OnPong(ServerSession& /*session*/, Protocol::S_PONG& pkt) {
    if (pkt.client_time() == 0) return;  // a heartbeat
    const double ms = static_cast<double>(NowNanoseconds() - pkt.client_time()) / 1e6;
    Print("pong: {:.3f} ms\n", ms);
}

void ConsoleClient::OnError(ServerSession& /*session*/, Protocol::S_ERROR& pkt) {
    Print("refused {}: {}\n", Protocol::ToString(static_cast<Protocol::PacketId>(pkt.request_id())),
          pkt.reason());
}

}  // namespace tavern::client
