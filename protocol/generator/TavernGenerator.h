#pragma once

#include <string>
#include <vector>

#include <google/protobuf/compiler/code_generator.h>

namespace tavern::generator {

// protoc-gen-tavern: `protoc --plugin=protoc-gen-tavern=<path>
//   --tavern_out=side=server,name=ServerPackets:<dir> a.proto b.proto`
// writes <dir>/ServerPackets.h and .cc covering every listed file (GenerateAll), so one handler
// table and one id enum span the whole protocol. Parameters:
//   side=server|client  which end the code is for (required)
//   name=<Basename>     the output files' name (required), a C++ identifier-like name
// protoc calls GenerateAll once, on the plugin's only thread; Generate forwards to it.
class TavernGenerator : public google::protobuf::compiler::CodeGenerator {
public:
    bool Generate(const google::protobuf::FileDescriptor* file, const std::string& parameter,
                  google::protobuf::compiler::GeneratorContext* context,
                  std::string* error) const override;

    bool GenerateAll(const std::vector<const google::protobuf::FileDescriptor*>& files,
                     const std::string& parameter,
                     google::protobuf::compiler::GeneratorContext* context,
                     std::string* error) const override;

    std::uint64_t GetSupportedFeatures() const override { return FEATURE_PROTO3_OPTIONAL; }
};

}  // namespace tavern::generator
