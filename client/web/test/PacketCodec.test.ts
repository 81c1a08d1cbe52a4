// The codec against the wire format of core/PacketHeader.h: u16 size (counting the header),
// u16 id, both little-endian, then the protobuf payload; one packet per message.
import assert from "node:assert/strict";
import { test } from "node:test";
import Long from "long";
import { gameCodec as codec, gameTable as table } from "../src/protocol/GameProtocol";
import { PacketError } from "../src/protocol/PacketCodec";

test("PacketCodec encodes C_CHAT as size, id, then the protobuf payload", () => {
  const id = table.ByName("C_CHAT")!.id;
  // msg = field 1, length-delimited: tag 0x0a, length 2, "hi".
  assert.deepEqual([...codec.Encode("C_CHAT", { msg: "hi" })], [8, 0, id & 0xff, id >> 8, 0x0a, 2, 0x68, 0x69]);
});

test("PacketCodec writes sizes above 255 little-endian", () => {
  const bytes = codec.Encode("C_CHAT", { msg: "x".repeat(300) });
  assert.equal(bytes.length, 4 + 3 + 300);  // tag, a two-byte varint length, the text
  assert.equal(bytes[0] | (bytes[1] << 8), bytes.length);
  assert.equal(bytes[1], bytes.length >> 8);
});

test("PacketCodec decodes what it encoded, 64-bit ids exactly", () => {
  const bytes = codec.Encode("S_CHAT", { player_id: Long.fromString("18446744073709551615", true), msg: "héllo" });
  const packet = codec.Decode(bytes);
  assert.equal(packet.name, "S_CHAT");
  assert.equal(packet.id, table.ByName("S_CHAT")!.id);
  assert.deepEqual(packet.body, { player_id: "18446744073709551615", msg: "héllo" });
});

test("PacketCodec fills absent fields and empty lists with their defaults", () => {
  const packet = codec.Decode(codec.Encode("S_ENTER_GAME", { success: true }));
  assert.deepEqual(packet.body, { success: true, players: [], reason: "" });
});

test("PacketCodec decodes from an ArrayBuffer and from a view into a larger buffer", () => {
  const bytes = codec.Encode("S_MOVE", { player_id: 7, x: 1.5, y: -2 });
  const padded = new Uint8Array(bytes.length + 6);
  padded.set(bytes, 3);
  for (const input of [bytes.slice().buffer, padded.subarray(3, 3 + bytes.length)]) {
    assert.deepEqual(codec.Decode(input).body, { player_id: "7", x: 1.5, y: -2 });
  }
});

test("PacketCodec refuses a message shorter than a header", () => {
  assert.throws(() => codec.Decode(new Uint8Array([4, 0, 1])), PacketError);
});

test("PacketCodec refuses a size that is not the message's length", () => {
  const bytes = codec.Encode("C_CHAT", { msg: "hi" });
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(() => codec.Decode(longer), /header says 8 bytes, the message has 9/);
  assert.throws(() => codec.Decode(bytes.subarray(0, 6)), PacketError);
});

test("PacketCodec refuses an id no message declares", () => {
  const unused = [...Array(65535).keys()].find((id) => id > 0 && !table.ById(id))!;
  assert.throws(() => codec.Decode(new Uint8Array([4, 0, unused & 0xff, unused >> 8])), /no packet has id/);
});

test("PacketCodec refuses a payload that does not parse", () => {
  const id = table.ByName("S_CHAT")!.id;
  // Field 2, length-delimited, claims 100 bytes but none follow.
  assert.throws(() => codec.Decode(new Uint8Array([7, 0, id, 0, 0x12, 100, 0x41])), PacketError);
});

test("PacketCodec refuses to encode an unknown packet, a wrong field type, or a packet over 64 KiB", () => {
  assert.throws(() => codec.Encode("C_NOTHING", {}), /no packet named/);
  assert.throws(() => codec.Encode("C_CHAT", { msg: 42 }), /msg: string expected/);
  assert.throws(() => codec.Encode("C_CHAT", { msg: "x".repeat(70000) }), /do not fit a u16/);
});
