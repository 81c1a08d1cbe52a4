// packet_fuzz_seeds DIR: writes the packet fuzzer's seed corpus (FuzzInput.h format) into DIR:
// every packet of the fuzz protocol, whole and cut at odd places, and one input per protocol
// error, so that the fuzzer starts from every path instead of finding each by chance.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "FuzzPackets.pb.h"
#include "core/PacketHeader.h"
#include "tests/fuzz/FuzzInput.h"

namespace {

using Bytes = std::vector<std::byte>;
using tavern::fuzz::kFuzzPeerCloses;
using tavern::fuzz::kFuzzRateLimit;
using tavern::fuzz::kFuzzReceiveFails;
using tavern::fuzz::MakeFuzzInput;

constexpr std::uint8_t kMax65535 = 0, kMax1024 = 1, kMax37 = 2, kMax4 = 3;

Bytes Raw(std::uint16_t size, std::uint16_t id, const std::string& payload) {
    Bytes bytes(tavern::kPacketHeaderSize);
    tavern::WritePacketHeader(bytes.data(), size, id);
    for (char c : payload) bytes.push_back(static_cast<std::byte>(c));
    return bytes;
}

Bytes Packet(std::uint16_t id, const google::protobuf::MessageLite& msg) {
    const std::string payload = msg.SerializeAsString();
    if (payload.size() + tavern::kPacketHeaderSize > tavern::kMaxWirePacketSize) {
        std::fprintf(stderr, "seed packet %u too large: %zu bytes\n", id, payload.size());
        std::exit(1);
    }
    return Raw(static_cast<std::uint16_t>(tavern::kPacketHeaderSize + payload.size()), id, payload);
}

Bytes Concat(std::initializer_list<Bytes> parts) {
    Bytes all;
    for (const Bytes& part : parts) all.insert(all.end(), part.begin(), part.end());
    return all;
}

FuzzPackets::C_RICH Rich(int fill) {
    FuzzPackets::C_RICH rich;
    rich.set_name("rich " + std::to_string(fill));
    for (int i = 0; i < fill; ++i) {
        rich.add_values(static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull);
        rich.add_unpacked(-i);
        (*rich.mutable_scores())["k" + std::to_string(i)] = i * 3;
    }
    FuzzPackets::Node* node = rich.mutable_tree();
    for (int depth = 0; depth < 5; ++depth) {
        node->set_z(-depth);
        node->set_f(static_cast<std::uint32_t>(depth));
        node->set_d(depth * 0.5);
        node->add_children()->set_z(depth);
        node = node->add_children();
    }
    rich.set_x(1.5f);
    if (fill % 3 == 0) rich.set_text("text");
    if (fill % 3 == 1) rich.set_blob(std::string(fill, '\0'));
    if (fill % 3 == 2) rich.set_mood(FuzzPackets::MOOD_GRUMPY);
    rich.set_stamp(0xFFFFFFFFFFFFFFFFull);
    rich.set_flag(true);
    return rich;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    int written = 0;
    auto write = [&](const std::string& name, std::uint8_t flags, std::vector<std::uint16_t> cuts,
                     const Bytes& stream) {
        const Bytes input = MakeFuzzInput(flags, cuts, stream);
        std::ofstream(dir / name, std::ios::binary)
            .write(reinterpret_cast<const char*>(input.data()),
                   static_cast<std::streamsize>(input.size()));
        ++written;
    };

    FuzzPackets::C_ECHO echo;
    echo.set_data("hello, tavern");
    FuzzPackets::C_LATER later;
    later.set_value(42);
    FuzzPackets::C_THROW thrown;
    thrown.set_why("seed");
    FuzzPackets::C_FAR far;
    far.set_value(7);  // C_FAR's handler refuses negative values
    const Bytes echoPacket = Packet(1, echo);
    const Bytes richPacket = Packet(3, Rich(7));
    const Bytes laterPacket = Packet(5, later);
    const Bytes farPacket = Packet(300, far);
    const Bytes conversation = Concat({echoPacket, richPacket, laterPacket, farPacket, echoPacket});

    // Good traffic: whole, in one receive and cut up; with and without a close.
    write("echo", kMax65535, {}, echoPacket);
    write("rich", kMax65535, {}, richPacket);
    write("later", kMax65535, {}, laterPacket);
    write("far", kMax65535, {}, farPacket);
    write("conversation", kMax65535, {}, conversation);
    write("conversation-closed", kMax65535 | kFuzzPeerCloses, {}, conversation);
    write("conversation-reset", kMax65535 | kFuzzReceiveFails, {}, conversation);
    write("conversation-rate-limited", kMax65535 | kFuzzRateLimit, {}, conversation);
    write("flood", kMax65535 | kFuzzRateLimit, {40, 40},
          Concat({conversation, conversation, conversation}));
    write("conversation-bytewise", kMax65535, std::vector<std::uint16_t>(200, 1), conversation);
    write("conversation-cut-in-headers", kMax65535, {2, 3, 17, 1, 1, 40, 5}, conversation);
    write("empty-packets-at-max-4", kMax4, {3, 3, 3},
          Concat({Raw(4, 5, ""), Raw(4, 1, ""), Raw(4, 3, ""), Raw(4, 300, "")}));
    write("echo-at-max-37", kMax37, {}, Raw(37, 1, "\x0a\x1f" + std::string(31, 'e')));

    // Each protocol error.
    write("size-zero", kMax65535, {}, Concat({Raw(0, 1, ""), echoPacket}));
    write("size-three", kMax65535, {1, 1}, Raw(3, 1, ""));
    write("too-large", kMax1024, {}, Raw(2000, 1, ""));
    write("too-large-after-good", kMax37, {}, Concat({Raw(5, 1, "x"), Raw(38, 1, "")}));
    for (std::uint16_t id : {0, 2, 6, 299, 301, 65535})
        write("unknown-id-" + std::to_string(id), kMax65535, {}, Raw(4, id, ""));
    write("malformed", kMax65535, {},
          Raw(7, 1,
              "\x0a\x05"
              "a"));
    write("malformed-rich", kMax65535, {}, Raw(6, 3, "\x2a\x7f"));
    write("truncated", kMax65535 | kFuzzPeerCloses, {},
          Concat({echoPacket, Bytes(echoPacket.begin(), echoPacket.begin() + 6)}));
    write("truncated-header", kMax65535 | kFuzzPeerCloses, {}, Bytes(2, std::byte{10}));
    write("reject", kMax65535, {}, Concat({echoPacket, Raw(4, 7, ""), echoPacket}));
    write("reject-far", kMax65535, {},
          Raw(15, 300, "\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"));
    write("throw", kMax65535, {}, Concat({Packet(9, thrown), echoPacket}));
    // The handler answers with 1 + stamp % 100 copies: 99 of this one pass 65535.
    FuzzPackets::C_RICH overflowing = Rich(30);
    overflowing.set_stamp(98);
    const Bytes bigRich = Packet(3, overflowing);
    if (99 * bigRich.size() <= tavern::kMaxWirePacketSize) {
        std::fprintf(stderr, "rich-overflow seed too small: %zu bytes\n", bigRich.size());
        return 1;
    }
    write("rich-overflow", kMax65535, {}, bigRich);

    std::printf("packet_fuzz_seeds: %d seeds in %s\n", written, dir.string().c_str());
    return 0;
}
