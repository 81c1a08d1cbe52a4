#pragma once

#include <string>

#include "PacketCatalog.h"

namespace google::protobuf::io {
class Printer;
}  // namespace google::protobuf::io

namespace tavern::generator {

// The session type the handlers take: `type` is its C++ name with '.' between scopes (protoc's
// parameter syntax has no room for "::"), a class at namespace scope (the generated header
// forward-declares it), and `header` the header that declares it.
struct SessionType {
    std::string type = "tavern.PacketSession";
    std::string header = "core/PacketSession.h";

    bool Valid() const;
    std::string CppName() const;  // "tavern::PacketSession"
};

// Which end of the connection the generated code is for. The server handles C_ packets and
// sends S_ packets; the client the other way round.
enum class Side : std::uint8_t { Server, Client };

// Writes <Basename>.h and <Basename>.cc for one side of a protocol:
//   - enum class PacketId (every packet of both sides, guarded so both sides' headers mix);
//   - Handle_X declarations, one per packet this side handles, taking the game's own session
//     type, for the game to define (or the session type has a member Handle_X(X&) instead);
//   - <Side>PacketHandler: the dense id -> parse -> handler table and MakeSendBuffer overloads.
// Single-threaded (the plugin is); the writers only read the catalog.
class HandlerEmitter {
public:
    HandlerEmitter(const PacketCatalog& catalog, Side side, std::string basename,
                   SessionType session);

    void WriteHeader(google::protobuf::io::Printer& out) const;
    void WriteSource(google::protobuf::io::Printer& out) const;

private:
    bool Handles(const Packet& packet) const;
    std::uint16_t MaxHandledId() const;
    void WritePacketIds(google::protobuf::io::Printer& out) const;
    void WriteHandlerClass(google::protobuf::io::Printer& out) const;

    const PacketCatalog& _catalog;
    Side _side;
    std::string _basename;
    SessionType _session;
    std::string _sessionName;  // the session type's C++ name
    std::string _className;  // ServerPacketHandler / ClientPacketHandler
    std::string _sideName;   // "server" / "client"
    std::string _namespace;  // the package as a C++ namespace, e.g. Protocol or game::net
    std::string _idsGuard;   // TAVERN_PACKET_IDS_<PACKAGE>
};

}  // namespace tavern::generator
