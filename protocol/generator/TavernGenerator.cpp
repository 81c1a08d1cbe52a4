#include "TavernGenerator.h"

#include <memory>
#include <utility>

#include <google/protobuf/io/printer.h>
#include <google/protobuf/io/zero_copy_stream.h>

#include "HandlerEmitter.h"
#include "PacketCatalog.h"

namespace tavern::generator {

namespace pb = google::protobuf;

namespace {

bool ValidBasename(const std::string& name) {
    if (name.empty()) return false;
    for (char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

bool WriteFile(pb::compiler::GeneratorContext* context, const std::string& name,
               const HandlerEmitter& emitter, bool header) {
    std::unique_ptr<pb::io::ZeroCopyOutputStream> stream(context->Open(name));
    pb::io::Printer printer(stream.get(), '$');
    if (header) {
        emitter.WriteHeader(printer);
    } else {
        emitter.WriteSource(printer);
    }
    return !printer.failed();
}

}  // namespace

bool TavernGenerator::Generate(const pb::FileDescriptor* file, const std::string& parameter,
                               pb::compiler::GeneratorContext* context, std::string* error) const {
    return GenerateAll({file}, parameter, context, error);
}

bool TavernGenerator::GenerateAll(const std::vector<const pb::FileDescriptor*>& files,
                                  const std::string& parameter,
                                  pb::compiler::GeneratorContext* context,
                                  std::string* error) const {
    std::vector<std::pair<std::string, std::string>> options;
    pb::compiler::ParseGeneratorParameter(parameter, &options);
    std::string sideText;
    std::string basename;
    SessionType session;
    for (const auto& [key, value] : options) {
        if (key == "side") {
            sideText = value;
        } else if (key == "name") {
            basename = value;
        } else if (key == "session") {
            session.type = value;
        } else if (key == "session_header") {
            session.header = value;
        } else {
            *error = "unknown parameter '" + key +
                     "' (expected side=server|client,name=<Basename>[,session=<ns.Type>,"
                     "session_header=<header>])";
            return false;
        }
    }
    if (!session.Valid()) {
        *error = "parameter session=<namespace.Type> names a C++ class with '.' between scopes, "
                 "and session_header the header that declares it (got '" +
                 session.type + "', '" + session.header + "')";
        return false;
    }
    if (sideText != "server" && sideText != "client") {
        *error = "parameter side=server|client is required (got '" + sideText + "')";
        return false;
    }
    if (!ValidBasename(basename)) {
        *error = "parameter name=<Basename> is required: letters, digits, _ - . (got '" + basename +
                 "')";
        return false;
    }

    PacketCatalog catalog;
    if (!catalog.Build(files, error)) return false;

    const HandlerEmitter emitter(catalog, sideText == "server" ? Side::Server : Side::Client,
                                 basename, session);
    if (!WriteFile(context, basename + ".h", emitter, true) ||
        !WriteFile(context, basename + ".cc", emitter, false)) {
        *error = "could not write " + basename + ".h / .cc";
        return false;
    }
    return true;
}

}  // namespace tavern::generator
