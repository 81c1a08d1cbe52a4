// Reads the game's .proto files with protobufjs at build time and returns what the page needs:
// the messages as a protobufjs JSON descriptor and the packet id table, both taken from the
// files alone. The ids are each message's (tavern.packet_id) option, checked the way the C++
// generator checks them: every C_ / S_ message has one, no other message does, and each is a
// unique 1..65535.
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const kOption = "(tavern.packet_id)";

// protoFiles: the .proto files (or one folder of them); includeDirs: where imports such as
// "tavern/options.proto" are found; nodeModules: where protobufjs is installed.
export function LoadProtocol({ protoFiles, includeDirs, nodeModules }) {
  const require = createRequire(join(nodeModules, "resolve.js"));
  const pb = require("protobufjs");
  const protobufjsDir = resolve(require.resolve("protobufjs/package.json"), "..");
  const files = protoFiles.flatMap((path) =>
    path.endsWith(".proto")
      ? [resolve(path)]
      : readdirSync(path).filter((f) => f.endsWith(".proto")).sort().map((f) => resolve(path, f)));
  if (files.length === 0) throw new Error("no .proto files in " + protoFiles.join(", "));

  const root = new pb.Root();
  root.resolvePath = (origin, target) => {
    if (target.startsWith("google/protobuf/")) return join(protobufjsDir, target);
    const found = includeDirs.map((dir) => resolve(dir, target)).find((path) => existsSync(path));
    return found ?? pb.util.path.resolve(origin, target);
  };
  root.loadSync(files, { keepCase: true });
  root.resolveAll();

  const packets = {};
  const byId = new Map();
  const messages = {};
  const walk = (ns, prefix) => {
    for (const child of ns.nestedArray) {
      const full = prefix ? prefix + "." + child.name : child.name;
      if (full.startsWith("google.") || full === "tavern") continue;
      if (child instanceof pb.Type) {
        const id = child.options?.[kOption];
        const isPacket = /^[CS]_/.test(child.name);
        if (isPacket && id === undefined)
          throw new Error(`${full}: a C_ / S_ message needs option (tavern.packet_id)`);
        if (!isPacket && id !== undefined)
          throw new Error(`${full}: only C_ / S_ messages take a packet_id`);
        if (isPacket) {
          if (!Number.isInteger(id) || id < 1 || id > 65535)
            throw new Error(`${full}: packet_id ${id} is not in 1..65535`);
          if (byId.has(id)) throw new Error(`${full}: packet_id ${id} is also ${byId.get(id)}'s`);
          if (child.name in packets) throw new Error(`${full}: two packets named ${child.name}`);
          byId.set(id, full);
          packets[child.name] = { id, type: full };
        }
        messages[full] = true;
      }
      if (child.nestedArray) walk(child, full);
    }
  };
  walk(root, "");

  // Only the game's namespaces (not descriptor.proto's), without the option the table holds.
  const json = { nested: {} };
  for (const child of root.nestedArray) {
    if (child.name === "google" || child.name === "tavern") continue;
    json.nested[child.name] = child.toJSON();
  }
  return { descriptor: JSON.parse(JSON.stringify(json, (key, value) =>
    key === "options" && value && kOption in value ? undefined : value)), packets };
}
