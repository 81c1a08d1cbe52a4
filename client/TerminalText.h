#pragma once

#include <string>
#include <string_view>

namespace tavern::client {

// `text` made safe to print on a terminal: what a server or another player sent must not move
// the cursor, recolour, retitle or reverse the console. Control bytes (C0, DEL) become \xNN,
// bytes that are not UTF-8 become \xNN, and C1 controls, the line and paragraph separators and
// the bidirectional marks, embeddings, overrides and isolates become \u{XXXX}; the rest (any
// other UTF-8 text) is kept. Pure; safe from any thread.
std::string EscapeForTerminal(std::string_view text);

}  // namespace tavern::client
