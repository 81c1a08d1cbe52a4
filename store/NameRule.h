#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tavern::store {

// The rule that makes names unique as players read them. Two names with the same canonical form
// cannot both be accounts. The canonical form of a name (GNU libunistring):
//   1. default-ignorable code points are removed: zero-width spaces and joiners, bidirectional
//      marks and embeddings (U+200B-U+200F, U+202A-U+202E, U+2060-U+206F, U+FEFF, U+00AD, ...),
//   2. compatibility caseless form: NFKD, full case folding twice (Unicode's definition),
//   3. white space trimmed at both ends and each inner run made one U+0020,
//   4. NFKC.
// So "Alice", "ALICE", "alice" with a zero-width space inside, "Ａｌｉｃｅ" (full width) and
// NFC / NFD spellings of "José" all map to one key. Stateless; safe from any thread.
class NameRule {
public:
    // nullopt if `name` is not valid UTF-8, holds a control character (U+0000-U+001F,
    // U+007F-U+009F), or has nothing visible left (an empty canonical form).
    static std::optional<std::string> Canonicalize(std::string_view name);
};

}  // namespace tavern::store
