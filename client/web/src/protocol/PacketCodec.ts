// The wire format, as in core/PacketHeader.h: one packet is
//
//   +-----------+-----------+---------------------------+
//   | size: u16 |  id: u16  | payload (size - 4 bytes)  |
//   +-----------+-----------+---------------------------+
//    little-endian, `size` counts the 4-byte header.
//
// Over WebSocket every binary message carries exactly one packet, so Decode takes a whole
// message and refuses anything that is not exactly one well-formed packet.
import type { PacketTable } from "./PacketTable";

export const kHeaderSize = 4;
export const kMaxPacketSize = 0xffff;

// A decoded packet: its name and its fields as plain values (64-bit integers as decimal
// strings, so player ids never lose precision; absent fields at their defaults).
export interface Packet {
  readonly id: number;
  readonly name: string;
  readonly body: Record<string, any>;
}

export class PacketError extends Error {}

export class PacketCodec {
  constructor(private readonly _table: PacketTable) {}

  Encode(name: string, fields: Record<string, unknown> = {}): Uint8Array {
    const entry = this._table.ByName(name);
    if (!entry) throw new PacketError(`no packet named ${name}`);
    const problem = entry.type.verify(fields);
    if (problem) throw new PacketError(`${name}: ${problem}`);
    const payload = entry.type.encode(entry.type.fromObject(fields)).finish();
    const size = kHeaderSize + payload.length;
    if (size > kMaxPacketSize) throw new PacketError(`${name}: ${size} bytes do not fit a u16 size`);
    const bytes = new Uint8Array(size);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, size, true);
    view.setUint16(2, entry.id, true);
    bytes.set(payload, kHeaderSize);
    return bytes;
  }

  Decode(message: ArrayBuffer | Uint8Array): Packet {
    const bytes = message instanceof Uint8Array ? message : new Uint8Array(message);
    if (bytes.length < kHeaderSize) throw new PacketError(`${bytes.length} bytes: shorter than a header`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const size = view.getUint16(0, true);
    const id = view.getUint16(2, true);
    if (size !== bytes.length) throw new PacketError(`the header says ${size} bytes, the message has ${bytes.length}`);
    const entry = this._table.ById(id);
    if (!entry) throw new PacketError(`no packet has id ${id}`);
    let decoded;
    try {
      decoded = entry.type.decode(bytes.subarray(kHeaderSize));
    } catch (error) {
      throw new PacketError(`${entry.name}: ${(error as Error).message}`);
    }
    const body = entry.type.toObject(decoded, { longs: String, defaults: true, arrays: true });
    return { id, name: entry.name, body };
  }
}
