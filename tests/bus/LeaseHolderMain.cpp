// A lease holder as a process of its own, for LeaseTest: claims KEY in the lease bucket and
// renews it until it is killed. Prints "acquired" (and "lost") on stdout as it happens.
//   bus_lease_holder NATS_URL BUCKET TTL_MS KEY HOLDER
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "bus/Bus.h"
#include "bus/KvBucket.h"
#include "bus/Lease.h"
#include "jobs/Scheduler.h"
#include "tests/jobs/JobsTestSupport.h"

int main(int argc, char** argv) {
    using namespace tavern;
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s NATS_URL BUCKET TTL_MS KEY HOLDER\n", argv[0]);
        return 2;
    }
    try {
        auto scheduler = Scheduler::Create();
        test::WorkerPool workers(scheduler, 1);
        bus::BusOptions options;
        options.url = argv[1];
        options.name = argv[5];
        auto bus = bus::Bus::Connect(options);
        bus::KvOptions kvOptions;
        kvOptions.bucket = argv[2];
        kvOptions.ttl = std::chrono::milliseconds(std::atoll(argv[3]));
        auto bucket = bus::KvBucket::Open(bus, kvOptions);
        auto owner = std::make_shared<JobQueue>(scheduler);
        auto lease = bus::Lease::Start(scheduler, bucket, {argv[4], argv[5]}, owner,
                                       [](bus::LeaseEvent event) {
                                           std::printf("%s\n", bus::LeaseEventName(event).data());
                                           std::fflush(stdout);
                                       });
        for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bus_lease_holder: %s\n", e.what());
        return 1;
    }
}
