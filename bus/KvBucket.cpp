#include "bus/KvBucket.h"

#include <nats/nats.h>

#include "bus/BusError.h"

namespace tavern::bus {

namespace {

constexpr std::int64_t kNanosPerMilli = 1'000'000;

// The header nats.c's key-value API marks deletes with (kv.c: kvOpHeader, kvOpDeleteStr).
constexpr const char* kOperationHeader = "KV-Operation";
constexpr const char* kDeleteOperation = "DEL";

}  // namespace

KvBucketRef KvBucket::Open(BusRef bus, const KvOptions& options) {
    auto bucket = std::make_shared<KvBucket>(PrivateTag{}, std::move(bus), options);
    bucket->Bind();
    return bucket;
}

KvBucket::KvBucket(PrivateTag, BusRef bus, const KvOptions& options)
    : _bus(std::move(bus)), _options(options) {}

KvBucket::~KvBucket() {
    kvStore_Destroy(_kv);
    jsCtx_Destroy(_js);
}

void KvBucket::Bind() {
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = _options.requestTimeout.count();
    natsStatus s = natsConnection_JetStream(&_js, _bus->Native(), &jo);
    if (s != NATS_OK) throw BusError("JetStream: " + NatsErrorText(s));
    s = js_KeyValue(&_kv, _js, _options.bucket.c_str());
    if (s == NATS_NOT_FOUND) {
        kvConfig config;
        kvConfig_Init(&config);
        config.Bucket = _options.bucket.c_str();
        config.History = _options.history;
        config.TTL = _options.ttl.count() * kNanosPerMilli;
        config.StorageType = js_FileStorage;
        // Two nodes creating the same bucket at once both succeed: the server accepts a stream
        // created twice with one configuration.
        s = js_CreateKeyValue(&_kv, _js, &config);
    }
    if (s != NATS_OK) {
        throw BusError("key-value bucket " + _options.bucket + ": " + NatsErrorText(s));
    }
    kvStatus* status = nullptr;
    if (kvStore_Status(&status, _kv) == NATS_OK) {
        const std::int64_t ttl = kvStatus_TTL(status);
        kvStatus_Destroy(status);
        if (ttl != _options.ttl.count() * kNanosPerMilli) {
            throw BusError("key-value bucket " + _options.bucket + " exists with a TTL of " +
                           std::to_string(ttl / kNanosPerMilli) + " ms, not " +
                           std::to_string(_options.ttl.count()) + " ms");
        }
    }
}

std::optional<KvEntry> KvBucket::Get(const std::string& key) {
    kvEntry* e = nullptr;
    const natsStatus s = kvStore_Get(&e, _kv, key.c_str());
    if (s == NATS_NOT_FOUND) return std::nullopt;  // absent, deleted or expired
    if (s != NATS_OK) throw BusError("get " + key + ": " + NatsErrorText(s));
    KvEntry entry;
    entry.key = kvEntry_Key(e);
    if (const void* value = kvEntry_Value(e)) {
        entry.value.assign(static_cast<const char*>(value),
                           static_cast<std::size_t>(kvEntry_ValueLen(e)));
    }
    entry.revision = kvEntry_Revision(e);
    kvEntry_Destroy(e);
    return entry;
}

KvWrite KvBucket::Put(const std::string& key, std::string_view value) {
    return Write(key, value, 0, false);
}

KvWrite KvBucket::Create(const std::string& key, std::string_view value) {
    std::uint64_t revision = 0;
    // kvStore_Create also writes over a delete marker (a deleted key counts as absent).
    const natsStatus s =
        kvStore_Create(&revision, _kv, key.c_str(), value.data(), static_cast<int>(value.size()));
    if (s == NATS_OK) return {KvWrite::Status::Ok, revision};
    const std::string why = NatsErrorText(s);
    // nats.c 3.4 does not say why a create failed; a key that is there now is a conflict.
    if (s == NATS_ERR && Get(key).has_value()) return {KvWrite::Status::Conflict, 0};
    throw BusError("create " + key + ": " + why);
}

KvWrite KvBucket::Update(const std::string& key, std::string_view value, std::uint64_t revision) {
    if (revision == 0) return Create(key, value);
    return Write(key, value, revision, false);
}

KvWrite KvBucket::Delete(const std::string& key, std::uint64_t revision) {
    return Write(key, {}, revision, true);
}

KvWrite KvBucket::Write(const std::string& key, std::string_view value,
                        std::uint64_t expectRevision, bool deleteMarker) {
    const std::string subject = "$KV." + _options.bucket + "." + key;
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, subject.c_str(), nullptr, value.data(),
                                  static_cast<int>(value.size()));
    if (s == NATS_OK && deleteMarker)
        s = natsMsgHeader_Set(msg, kOperationHeader, kDeleteOperation);
    if (s != NATS_OK) {
        natsMsg_Destroy(msg);
        throw BusError("write " + key + ": " + NatsErrorText(s));
    }
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = _options.requestTimeout.count();
    po.ExpectLastSubjectSeq = expectRevision;
    jsPubAck* ack = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    s = js_PublishMsg(&ack, _js, msg, &po, &code);
    natsMsg_Destroy(msg);
    if (s == NATS_OK) {
        const std::uint64_t revision = ack->Sequence;
        jsPubAck_Destroy(ack);
        return {KvWrite::Status::Ok, revision};
    }
    if (code == JSStreamWrongLastSequenceErr) return {KvWrite::Status::Conflict, 0};
    throw BusError("write " + key + ": " + NatsErrorText(s));
}

KvWatchRef KvBucket::Watch(const std::string& pattern, std::weak_ptr<JobQueue> actor,
                           KvWatchHandler handler) {
    kvWatchOptions options;
    kvWatchOptions_Init(&options);
    options.Timeout = _options.requestTimeout.count();
    kvWatcher* watcher = nullptr;
    const natsStatus s = kvStore_Watch(&watcher, _kv, pattern.c_str(), &options);
    if (s != NATS_OK) throw BusError("watch " + pattern + ": " + NatsErrorText(s));
    return std::make_unique<KvWatch>(watcher, std::move(actor), std::move(handler));
}

}  // namespace tavern::bus
