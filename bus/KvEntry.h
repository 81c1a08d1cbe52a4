#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace tavern::bus {

enum class KvOp : std::uint8_t { Put, Delete, Purge };

// One revision of a key of a KvBucket. `revision` is the bucket stream's sequence number: it
// only grows, so comparing two revisions of one key tells which is newer.
struct KvEntry {
    std::string key;
    std::string value;
    std::uint64_t revision = 0;
    KvOp op = KvOp::Put;
};

// A write's outcome. Conflict is an answer, not an error: Create found the key present, Update or
// a conditional Delete found another revision than the one given.
struct KvWrite {
    enum class Status : std::uint8_t { Ok, Conflict };
    Status status = Status::Ok;
    std::uint64_t revision = 0;  // the new revision when Ok

    bool Ok() const noexcept { return status == Status::Ok; }
    bool Conflict() const noexcept { return status == Status::Conflict; }
};

// Runs as a job on the watching actor.
using KvWatchHandler = std::function<void(KvEntry&)>;

}  // namespace tavern::bus
