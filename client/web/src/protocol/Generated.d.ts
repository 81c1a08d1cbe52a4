// The module the build makes from the .proto files (tools/ProtocolTable.mjs, through an esbuild
// plugin in build.mjs): the messages as a protobufjs JSON descriptor, and each packet's id.
declare module "tavern:protocol" {
  export const descriptor: Record<string, unknown>;
  export const packets: Record<string, { id: number; type: string }>;
}
