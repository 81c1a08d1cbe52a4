#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "core/Backend.h"

namespace tavern {

// The one place that chooses a backend.
//
// A requested kind other than Auto is used or fails with its error. Auto reads the environment
// variable TAVERN_BACKEND (uring, epoll, iocp, auto); then, on Linux, tries io_uring (a ring with
// a provided-buffer ring) and falls back to epoll when the kernel or a container's seccomp
// profile refuses it (EPERM, ENOSYS, EINVAL, ...), logging why. Windows always uses IOCP.
// A kind this build does not have (iocp on Linux; uring or epoll on Windows) fails with
// std::errc::not_supported and a logged error naming the kinds it has.
BackendKind SelectBackend(BackendKind requested, std::error_code& error);

// Creates a backend of a kind SelectBackend returned. Call it on the worker thread that will
// own the backend.
std::unique_ptr<Backend> CreateBackend(BackendKind kind, const BackendOptions& options,
                                       std::error_code& error);

// "auto", "uring" (or "io_uring"), "epoll", "iocp" -> kind; nullopt for anything else.
std::optional<BackendKind> ParseBackendKind(std::string_view name);

// The names a program's --backend option accepts: every backend of every platform, so that
// the command line means the same everywhere. One this build lacks (iocp on Linux, uring and
// epoll on Windows) is refused when the engine starts, by SelectBackend, with a logged reason.
//   app.add_option("--backend", name, BackendHelp())->check(CLI::IsMember(BackendNames()));
const std::vector<std::string>& BackendNames();
// "auto, uring, epoll or iocp", for the option's help text.
const std::string& BackendHelp();

}  // namespace tavern
