#include "jobs/AskResult.h"

namespace tavern {

std::string_view AskErrorName(AskError error) noexcept {
    switch (error) {
        case AskError::Timeout: return "timed out";
        case AskError::Rejected: return "rejected: the executor's queue is full";
        case AskError::Gone: return "the target is gone";
        case AskError::Failed: return "failed";
    }
    return "unknown";
}

}  // namespace tavern
