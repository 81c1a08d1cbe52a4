// protoc-gen-tavern: the protoc plugin that turns packet .proto files into Tavern's id enum,
// dispatch tables and MakeSendBuffer helpers. See TavernGenerator.h for its parameters.
#include <google/protobuf/compiler/plugin.h>

#include "TavernGenerator.h"

int main(int argc, char* argv[]) {
    tavern::generator::TavernGenerator generator;
    return google::protobuf::compiler::PluginMain(argc, argv, &generator);
}
