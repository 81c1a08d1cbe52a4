#include "PacketCatalog.h"

#include <algorithm>
#include <map>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/unknown_field_set.h>

namespace tavern::generator {

namespace pb = google::protobuf;

namespace {

constexpr const char* kOptionName = "tavern.packet_id";
constexpr std::int64_t kMaxPacketId = 0xFFFF;

bool StartsWith(const std::string& text, const char* prefix) {
    return text.rfind(prefix, 0) == 0;
}

bool HasPacketPrefix(const std::string& name) {
    return StartsWith(name, "C_") || StartsWith(name, "S_");
}

std::string HeaderFor(const std::string& protoName) {
    const std::string suffix = ".proto";
    std::string stem = protoName;
    if (stem.size() > suffix.size() &&
        stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0) {
        stem.resize(stem.size() - suffix.size());
    }
    return stem + ".pb.h";
}

}  // namespace

std::int64_t FindPacketId(const pb::Descriptor& message) {
    const pb::MessageOptions& options = message.options();
    const pb::Reflection* reflection = options.GetReflection();

    // A plugin that links the generated extension sees it as a known field.
    std::vector<const pb::FieldDescriptor*> known;
    reflection->ListFields(options, &known);
    for (const pb::FieldDescriptor* field : known) {
        if (field->is_extension() && field->full_name() == kOptionName) {
            return reflection->GetUInt32(options, field);
        }
    }

    // Otherwise it travels as an unknown varint with the extension's number.
    const pb::FieldDescriptor* extension = message.file()->pool()->FindExtensionByName(kOptionName);
    if (extension == nullptr) return -1;  // the file cannot name the option at all
    std::int64_t value = -1;
    const pb::UnknownFieldSet& unknown = reflection->GetUnknownFields(options);
    for (int i = 0; i < unknown.field_count(); ++i) {
        const pb::UnknownField& field = unknown.field(i);
        if (field.number() == extension->number() &&
            field.type() == pb::UnknownField::TYPE_VARINT) {
            value = static_cast<std::int64_t>(field.varint() & 0xFFFFFFFFu);  // last one wins
        }
    }
    return value;
}

bool PacketCatalog::Build(const std::vector<const pb::FileDescriptor*>& files, std::string* error) {
    _package.clear();
    _packets.clear();
    _messageHeaders.clear();
    _errors.clear();

    for (const pb::FileDescriptor* file : files) {
        _messageHeaders.push_back(HeaderFor(file->name()));
        if (file->package().empty()) {
            Fail(file->name(),
                 "declares no package; the generated code lives in the package's "
                 "namespace, so declare one (e.g. `package Protocol;`)");
        } else if (_package.empty()) {
            _package = file->package();
        } else if (file->package() != _package) {
            Fail(file->name(), "is in package " + file->package() + " but " +
                                   files.front()->name() + " is in package " + _package +
                                   "; one protocol is one package");
        }
        for (int i = 0; i < file->message_type_count(); ++i) {
            AddMessage(*file->message_type(i));
        }
    }
    CheckUniqueIds();
    std::sort(_packets.begin(), _packets.end(),
              [](const Packet& a, const Packet& b) { return a.id < b.id; });

    if (_errors.empty()) return true;
    error->clear();
    for (const std::string& line : _errors) {
        if (!error->empty()) *error += '\n';
        *error += line;
    }
    return false;
}

void PacketCatalog::AddMessage(const pb::Descriptor& message) {
    const std::string& file = message.file()->name();
    const std::string& name = message.name();
    const std::int64_t id = FindPacketId(message);
    for (int i = 0; i < message.nested_type_count(); ++i) CheckNested(*message.nested_type(i));

    if (!HasPacketPrefix(name)) {
        if (id >= 0) {
            Fail(file, "message " + name +
                           " declares option (tavern.packet_id) = " + std::to_string(id) +
                           " but its name does not start with C_ (client sends) or S_ "
                           "(server sends)");
        }
        return;  // a plain message, e.g. PlayerInfo
    }
    if (id < 0) {
        Fail(file, "message " + name + " is a packet (its name starts with " + name.substr(0, 2) +
                       ") but declares no option (tavern.packet_id) = N;");
        return;
    }
    if (id < 1 || id > kMaxPacketId) {
        Fail(file, "message " + name + " has packet_id " + std::to_string(id) +
                       "; packet ids are 1..65535");
        return;
    }
    _packets.push_back(Packet{name, file, static_cast<std::uint16_t>(id),
                              StartsWith(name, "C_") ? Sender::Client : Sender::Server});
}

void PacketCatalog::CheckNested(const pb::Descriptor& message) {
    if (FindPacketId(message) >= 0) {
        Fail(message.file()->name(), "message " + message.full_name() +
                                         " declares option (tavern.packet_id) but is nested; "
                                         "packets are top-level messages");
    }
    for (int i = 0; i < message.nested_type_count(); ++i) CheckNested(*message.nested_type(i));
}

void PacketCatalog::CheckUniqueIds() {
    std::map<std::uint16_t, const Packet*> owners;
    for (const Packet& packet : _packets) {
        auto [it, inserted] = owners.emplace(packet.id, &packet);
        if (!inserted) {
            const Packet& first = *it->second;
            Fail(packet.file, "message " + packet.name + " has packet_id " +
                                  std::to_string(packet.id) + ", already used by message " +
                                  first.name + " in " + first.file +
                                  "; packet ids are unique across a protocol");
        }
    }
}

void PacketCatalog::Fail(const std::string& file, const std::string& text) {
    _errors.push_back(file + ": " + text);
}

}  // namespace tavern::generator
