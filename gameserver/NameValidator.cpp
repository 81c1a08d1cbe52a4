#include "gameserver/NameValidator.h"

#include <cstdint>
#include <cstdio>

namespace tavern::game {

namespace {

// Decodes one UTF-8 code point at `at`; false on an invalid, overlong or surrogate sequence.
bool Decode(std::string_view text, std::size_t& at, char32_t& code) {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    const std::uint8_t lead = byte(at);
    std::size_t length = 0;
    if (lead < 0x80) {
        code = lead;
        length = 1;
    } else if ((lead & 0xE0) == 0xC0) {
        code = lead & 0x1F;
        length = 2;
    } else if ((lead & 0xF0) == 0xE0) {
        code = lead & 0x0F;
        length = 3;
    } else if ((lead & 0xF8) == 0xF0) {
        code = lead & 0x07;
        length = 4;
    } else {
        return false;
    }
    if (at + length > text.size()) return false;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(at + i) & 0xC0) != 0x80) return false;
        code = (code << 6) | (byte(at + i) & 0x3F);
    }
    static constexpr char32_t kShortest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kShortest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
        return false;
    at += length;
    return true;
}

bool ChangesTheText(char32_t code) {
    return code < 0x20 || (code >= 0x7F && code <= 0x9F) ||  // C0, DEL, C1
           code == 0x2028 || code == 0x2029 ||                // line, paragraph separators
           code == 0x200E || code == 0x200F || code == 0x061C ||  // bidi marks
           (code >= 0x202A && code <= 0x202E) ||              // embeddings, overrides
           (code >= 0x2066 && code <= 0x2069);                // isolates
}

}  // namespace

std::string CheckName(std::string_view name) {
    std::size_t at = 0;
    while (at < name.size()) {
        char32_t code = 0;
        if (!Decode(name, at, code)) return "the name is not valid UTF-8";
        if (ChangesTheText(code)) {
            char hex[16];
            std::snprintf(hex, sizeof(hex), "U+%04X", static_cast<unsigned>(code));
            return std::string("the name holds a control or direction character (") + hex + ")";
        }
    }
    return {};
}

}  // namespace tavern::game
