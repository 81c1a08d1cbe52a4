#pragma once
// liburing, without the BLOCK_SIZE macro that <linux/fs.h> leaks through it: the name clashes
// with moodycamel::ConcurrentQueue's traits. Include this instead of <liburing.h>.
#include <liburing.h>
#undef BLOCK_SIZE
