#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "bus/Bus.h"
#include "jobs/Scheduler.h"
#include "tests/jobs/JobsTestSupport.h"
#include "tests/support/NatsServer.h"

namespace tavern::test {

// Polls `done` (on the test's thread) until it holds, or `limit` passes: false then.
template <class Pred>
bool WaitFor(Pred done, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

// A nats-server of the test's own, two workers running actors, and a way to connect.
class BusFixture : public ::testing::Test {
protected:
    void SetUp() override {
        std::string why;
        nats = NatsServer::Start(why);
        if (!nats) {
            if (NatsServer::Required()) FAIL() << "no nats-server (TAVERN_REQUIRE_NATS=1): " << why;
            GTEST_SKIP() << "no nats-server: " << why;
        }
        scheduler = Scheduler::Create();
        workers = std::make_unique<WorkerPool>(scheduler, 2);
    }
    void TearDown() override { workers.reset(); }

    bus::BusOptions Options(const std::string& name = "test") const {
        bus::BusOptions options;
        options.url = nats->Url();
        options.name = name;
        return options;
    }

    std::unique_ptr<NatsServer> nats;
    SchedulerRef scheduler;
    std::unique_ptr<WorkerPool> workers;
};

}  // namespace tavern::test
