#include "core/ws/WsHandshake.h"

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include <cstdint>
#include <random>

namespace tavern::ws {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

std::string Base64(const std::uint8_t* data, std::size_t size) {
    std::string out(BASE64_ENCODE_RAW_LENGTH(size), '\0');
    base64_encode_raw(reinterpret_cast<char*>(out.data()), size, data);
    return out;
}

}  // namespace

std::string WsHandshake::AcceptKey(std::string_view key) {
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, key.size(), reinterpret_cast<const std::uint8_t*>(key.data()));
    sha1_update(&ctx, kGuid.size(), reinterpret_cast<const std::uint8_t*>(kGuid.data()));
    std::uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_digest(&ctx, sizeof digest, digest);
    return Base64(digest, sizeof digest);
}

bool WsHandshake::ValidKey(std::string_view key) {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    base64_decode_ctx ctx;
    base64_decode_init(&ctx);
    std::uint8_t decoded[BASE64_DECODE_LENGTH(24)];
    std::size_t length = sizeof decoded;
    if (!base64_decode_update(&ctx, &length, decoded, key.size(), key.data())) return false;
    return base64_decode_final(&ctx) && length == 16;
}

std::string WsHandshake::NewKey() {
    thread_local std::mt19937 random{std::random_device{}()};
    std::uint8_t bytes[16];
    for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
    return Base64(bytes, sizeof bytes);
}

}  // namespace tavern::ws
