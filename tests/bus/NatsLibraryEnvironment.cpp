// After the last test: libnats' own threads are ended before the process exits, so none runs
// while static objects are destroyed.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "bus/Bus.h"

namespace tavern::test {
namespace {

class NatsLibraryEnvironment : public ::testing::Environment {
public:
    void TearDown() override { bus::Bus::ShutdownLibrary(std::chrono::seconds(10)); }
};

// GoogleTest owns registered environments.
[[maybe_unused]] ::testing::Environment* const kNatsLibrary =
    ::testing::AddGlobalTestEnvironment(std::make_unique<NatsLibraryEnvironment>().release());

}  // namespace
}  // namespace tavern::test
