#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace google::protobuf {
class Descriptor;
class FileDescriptor;
}  // namespace google::protobuf

namespace tavern::generator {

// Who sends a packet: C_ messages come from clients, S_ messages from the server.
enum class Sender : std::uint8_t { Client, Server };

struct Packet {
    std::string name;      // the message name, e.g. C_LOGIN (also the enum constant)
    std::string file;      // the .proto that declares it, as protoc names it
    std::uint16_t id = 0;  // its (tavern.packet_id)
    Sender sender = Sender::Client;
};

// Every packet of one protoc run, read from the (tavern.packet_id) options and checked:
//   - a top-level message named C_* or S_* declares a packet_id, and only such messages do;
//   - ids are 1..65535 and unique across all the files of the run;
//   - all the files share one package (the generated code lives in its namespace).
// Build() collects every violation, not just the first, each naming its file and message.
// Single-threaded, like the whole plugin: protoc runs it once per output directive.
class PacketCatalog {
public:
    // Returns false and fills `error` (one line per problem) when the files break a rule.
    bool Build(const std::vector<const google::protobuf::FileDescriptor*>& files,
               std::string* error);

    const std::string& Package() const { return _package; }
    // Sorted by id.
    const std::vector<Packet>& Packets() const { return _packets; }
    // The .pb.h of every input file, in input order ("dir/Foo.proto" -> "dir/Foo.pb.h").
    const std::vector<std::string>& MessageHeaders() const { return _messageHeaders; }

private:
    void AddMessage(const google::protobuf::Descriptor& message);
    void CheckNested(const google::protobuf::Descriptor& message);
    void CheckUniqueIds();
    void Fail(const std::string& file, const std::string& text);

    std::string _package;
    std::vector<Packet> _packets;
    std::vector<std::string> _messageHeaders;
    std::vector<std::string> _errors;
};

// The value of (tavern.packet_id) on `message`, or -1 when it has none. Read without linking
// tavern/options.pb.cc into the plugin: protoc hands the option over as an unknown field of
// MessageOptions, identified by the number the extension declares in the run's own pool.
std::int64_t FindPacketId(const google::protobuf::Descriptor& message);

}  // namespace tavern::generator
