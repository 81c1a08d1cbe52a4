#pragma once

#include <string>

namespace tavern::game {

// Safe from any thread: a fresh resume token, 128 bits from the platform's random source
// (std::random_device: getrandom / the CPU's generator on Linux, rand_s under mingw), as 32 hex
// characters. Unguessable rather than signed: the server that issued it is the one that checks
// it. Never log one.
std::string NewResumeToken();

}  // namespace tavern::game
