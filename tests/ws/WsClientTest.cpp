#include "core/ws/WsClientTransport.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "core/PacketSession.h"
#include "tests/ws/WsGameFixture.h"

namespace tavern::test {
namespace {

using Protocol::PacketId;

// The engine's own client side (ClientService + WsClientFactory, as test_client --ws uses it):
// a PacketSession that records what it receives.
class RecordingSession final : public PacketSession {
public:
    bool WaitFor(std::uint16_t id, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock guard(_lock);
        return _changed.wait_for(guard, timeout, [&] {
            return std::find(_ids.begin(), _ids.end(), id) != _ids.end();
        });
    }
    bool WaitForConnectFailed(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
        std::unique_lock guard(_lock);
        return _changed.wait_for(guard, timeout, [&] { return _connectFailed; });
    }
    bool ConnectedOnce() {
        std::lock_guard guard(_lock);
        return _connected;
    }

protected:
    void OnConnected() override {
        std::lock_guard guard(_lock);
        _connected = true;
    }
    void OnConnectFailed(std::error_code) override {
        std::lock_guard guard(_lock);
        _connectFailed = true;
        _changed.notify_all();
    }
    void OnRecvPacket(std::uint16_t id, std::span<const std::byte>) override {
        std::lock_guard guard(_lock);
        _ids.push_back(id);
        _changed.notify_all();
    }

private:
    std::mutex _lock;
    std::condition_variable _changed;
    std::vector<std::uint16_t> _ids;
    bool _connected = false;
    bool _connectFailed = false;
};

SendBufferRef PacketBuffer(PacketId id, const google::protobuf::MessageLite& msg) {
    return SendBuffer::Copy(Frame(static_cast<std::uint16_t>(id), Encode(msg)));
}

class WsClientTest : public WsGameFixture {
protected:
    std::shared_ptr<RecordingSession> ConnectOver(const std::string& path) {
        ServiceOptions options;
        options.transport = std::make_shared<ws::WsClientFactory>("localhost", path);
        auto client = MakeClient(WsAddress(), [] { return std::make_shared<RecordingSession>(); },
                                 options);
        std::error_code error;
        auto session = client->ConnectAs<RecordingSession>(error);
        EXPECT_TRUE(session) << error.message();
        return session;
    }
};

TEST_P(WsClientTest, TheEngineClientUpgradesMasksItsFramesAndPlays) {
    StartBystanders();
    auto session = ConnectOver("/ws");
    ASSERT_TRUE(session);
    Protocol::C_LOGIN login;
    login.set_name("engine");
    login.set_password(GameTestClient::PasswordFor("engine"));
    session->Send(PacketBuffer(PacketId::C_LOGIN, login));
    ASSERT_TRUE(session->WaitFor(static_cast<std::uint16_t>(PacketId::S_LOGIN)));
    EXPECT_TRUE(session->ConnectedOnce());
    Protocol::C_ENTER_GAME enter;
    enter.set_room_id(1);
    session->Send(PacketBuffer(PacketId::C_ENTER_GAME, enter));
    ASSERT_TRUE(session->WaitFor(static_cast<std::uint16_t>(PacketId::S_ENTER_GAME)));
    Protocol::C_CHAT chat;
    chat.set_msg("from the engine's client");
    session->Send(PacketBuffer(PacketId::C_CHAT, chat));
    ASSERT_TRUE(session->WaitFor(static_cast<std::uint16_t>(PacketId::S_CHAT)));
    ASSERT_TRUE(tcpBystander->Expect<Protocol::S_SPAWN>(PacketId::S_SPAWN));
    const auto heard = tcpBystander->Expect<Protocol::S_CHAT>(PacketId::S_CHAT);
    ASSERT_TRUE(heard);
    EXPECT_EQ(heard->msg(), "from the engine's client");
    // A server would close 1002 on an unmasked frame: none was.
    EXPECT_EQ(WsCounts().protocolCloses.load(), 0u);
}

TEST_P(WsClientTest, AnUpgradeTheServerRefusesIsAConnectFailure) {
    auto session = ConnectOver("/not-a-websocket");
    ASSERT_TRUE(session);
    EXPECT_TRUE(session->WaitForConnectFailed());
    EXPECT_FALSE(session->ConnectedOnce());
    EXPECT_EQ(WsCounts().notFound.load(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Backends, WsClientTest, testing::ValuesIn(TestedBackends()),
                         BackendParamName);

}  // namespace
}  // namespace tavern::test
