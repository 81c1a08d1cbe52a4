#include "gameserver/ResumeToken.h"

#include <cstdint>
#include <random>

namespace tavern::game {

std::string NewResumeToken() {
    // One device per thread: std::random_device is not safe to share between threads.
    thread_local std::random_device device;
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string token;
    token.reserve(32);
    for (int word = 0; word < 4; ++word) {  // 4 x 32 bits
        std::uint32_t bits = device();
        for (int nibble = 0; nibble < 8; ++nibble, bits >>= 4) token += kDigits[bits & 15];
    }
    return token;
}

}  // namespace tavern::game
