#include "store/NameRule.h"

#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>

namespace tavern::store {

namespace {

struct FreeDeleter {
    void operator()(uint8_t* p) const noexcept { std::free(p); }
};
using Buffer = std::unique_ptr<uint8_t, FreeDeleter>;

const uint8_t* Bytes(const std::string& s) {
    return reinterpret_cast<const uint8_t*>(s.data());
}

std::string Adopt(uint8_t* p, size_t length) {
    if (p == nullptr) throw std::bad_alloc();  // libunistring fails only on ENOMEM for valid UTF-8
    Buffer owned(p);
    return std::string(reinterpret_cast<const char*>(owned.get()), length);
}

std::string Normalize(uninorm_t form, const std::string& s) {
    size_t length = 0;
    uint8_t* out = u8_normalize(form, Bytes(s), s.size(), nullptr, &length);
    return Adopt(out, length);
}

std::string CaseFold(uninorm_t form, const std::string& s) {
    size_t length = 0;
    uint8_t* out = u8_casefold(Bytes(s), s.size(), nullptr, form, nullptr, &length);
    return Adopt(out, length);
}

void Append(std::string& out, ucs4_t c) {
    uint8_t bytes[6];
    int n = u8_uctomb(bytes, c, sizeof bytes);
    if (n > 0) out.append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(n));
}

// Drops default-ignorable code points; with `spaces`, also trims white space and collapses
// inner runs to one U+0020. `s` is valid UTF-8.
std::string Strip(const std::string& s, bool spaces) {
    std::string out;
    out.reserve(s.size());
    bool pendingSpace = false;
    const uint8_t* p = Bytes(s);
    const uint8_t* end = p + s.size();
    while (p < end) {
        ucs4_t c = 0;
        int n = u8_mbtouc(&c, p, static_cast<size_t>(end - p));
        p += n;
        if (uc_is_property_default_ignorable_code_point(c)) continue;
        if (uc_is_cntrl(c)) return {};  // a control character: no canonical form
        if (spaces && uc_is_property_white_space(c)) {
            pendingSpace = !out.empty();
            continue;
        }
        if (pendingSpace) out.push_back(' ');
        pendingSpace = false;
        Append(out, c);
    }
    return out;
}

}  // namespace

std::optional<std::string> NameRule::Canonicalize(std::string_view name) {
    std::string s(name);
    if (u8_check(Bytes(s), s.size()) != nullptr) return std::nullopt;
    s = Strip(s, false);
    if (s.empty()) return std::nullopt;
    // Compatibility caseless matching: NFKD(toCasefold(NFKD(toCasefold(NFD(X))))).
    s = Normalize(UNINORM_NFKD, s);
    s = CaseFold(UNINORM_NFKD, s);
    s = CaseFold(UNINORM_NFKD, s);
    s = Strip(s, true);
    s = Normalize(UNINORM_NFKC, s);
    if (s.empty()) return std::nullopt;
    return s;
}

}  // namespace tavern::store
