#pragma once

#include <string>
#include <string_view>

namespace tavern::game {

// Why a player name is refused, or "" when it is fine. A name is shown to every other player,
// on terminals and in logs, so it must be valid UTF-8 without anything that changes how text
// around it is shown: control characters (C0, DEL, C1: newlines, ESC and so ANSI escape
// sequences, bells), the line and paragraph separators, and the bidirectional marks, embeddings,
// overrides and isolates (U+200E, U+200F, U+061C, U+202A-U+202E, U+2066-U+2069) with which a
// name can reverse the text after it. Pure; safe from any thread.
std::string CheckName(std::string_view name);

}  // namespace tavern::game
