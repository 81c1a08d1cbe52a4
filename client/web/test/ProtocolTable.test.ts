// The build derives packet ids from the .proto files' (tavern.packet_id) options, never from a
// list: a new message shows up with its own id, and every rule the C++ generator enforces
// stops the build here too.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
// @ts-ignore: plain JavaScript, run by the build with node
import { LoadProtocol } from "../tools/ProtocolTable.mjs";
import { gameTable } from "../src/protocol/GameProtocol";

const protocolDir = process.env.TAVERN_PROTOCOL_DIR!;
const nodeModules = process.env.TAVERN_WEB_NODE_MODULES!;

function Load(body: string) {
  const folder = mkdtempSync(join(tmpdir(), "tavern-proto-"));
  try {
    writeFileSync(join(folder, "Game.proto"),
                  `syntax = "proto3";\npackage Game;\nimport "tavern/options.proto";\n${body}\n`);
    return LoadProtocol({ protoFiles: [folder], includeDirs: [protocolDir], nodeModules });
  } finally {
    rmSync(folder, { recursive: true });
  }
}

test("ProtocolTable takes each id from the message's packet_id option", () => {
  const { packets } = Load(`
    message Info { uint32 a = 1; }
    message S_HELLO { option (tavern.packet_id) = 42; Info info = 1; }
    message C_HELLO { option (tavern.packet_id) = 41; }`);
  assert.deepEqual(packets, { S_HELLO: { id: 42, type: "Game.S_HELLO" }, C_HELLO: { id: 41, type: "Game.C_HELLO" } });
});

test("ProtocolTable refuses a C_ or S_ message without an id", () => {
  assert.throws(() => Load(`message C_HELLO { string a = 1; }`), /needs option \(tavern.packet_id\)/);
});

test("ProtocolTable refuses an id on a message that is no packet", () => {
  assert.throws(() => Load(`message Info { option (tavern.packet_id) = 3; }`), /only C_ \/ S_ messages/);
});

test("ProtocolTable refuses two packets with one id, and ids outside 1..65535", () => {
  assert.throws(() => Load(`
    message C_A { option (tavern.packet_id) = 5; }
    message S_B { option (tavern.packet_id) = 5; }`), /packet_id 5 is also Game.C_A's/);
  assert.throws(() => Load(`message C_A { option (tavern.packet_id) = 0; }`), /not in 1..65535/);
  assert.throws(() => Load(`message C_A { option (tavern.packet_id) = 65536; }`), /not in 1..65535/);
});

test("The page's table holds every C_ and S_ message of the game's .proto with the id it declares", () => {
  // Read the file's text independently of protobufjs: message NAME { option (tavern.packet_id) = N;
  const text = readFileSync(join(protocolDir, "proto/Protocol.proto"), "utf8");
  const declared = new Map<string, number>();
  for (const m of text.matchAll(/message\s+([CS]_\w+)\s*\{[^}]*?option\s*\(tavern\.packet_id\)\s*=\s*(\d+)/g))
    declared.set(m[1], Number(m[2]));
  assert.ok(declared.size >= 16, `only ${declared.size} packets found in Protocol.proto`);
  assert.deepEqual(new Map(gameTable.Names().map((n) => [n, gameTable.ByName(n)!.id])), declared);
});
