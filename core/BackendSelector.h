#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <system_error>

#include "core/Backend.h"

namespace tavern {

// The one place that chooses a backend.
//
// A requested kind other than Auto is used or fails with its error. Auto reads the environment
// variable TAVERN_BACKEND (uring, epoll, iocp, auto); then, on Linux, tries io_uring (a ring with
// a provided-buffer ring) and falls back to epoll when the kernel or a container's seccomp
// profile refuses it (EPERM, ENOSYS, EINVAL, ...), logging why. Windows always uses IOCP.
BackendKind SelectBackend(BackendKind requested, std::error_code& error);

// Creates a backend of a kind SelectBackend returned. Call it on the worker thread that will
// own the backend.
std::unique_ptr<Backend> CreateBackend(BackendKind kind, const BackendOptions& options,
                                       std::error_code& error);

// "auto", "uring", "epoll", "iocp" -> kind; nullopt for anything else.
std::optional<BackendKind> ParseBackendKind(std::string_view name);

}  // namespace tavern
