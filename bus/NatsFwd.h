#pragma once

// The libnats (nats.c) types the bus's headers name, without including nats.h everywhere the
// bus is used. The same typedefs as nats.h, so both may be included together.
typedef struct __natsConnection natsConnection;
typedef struct __natsOptions natsOptions;
typedef struct __natsSubscription natsSubscription;
typedef struct __jsCtx jsCtx;
typedef struct __kvStore kvStore;
typedef struct __kvWatcher kvWatcher;
