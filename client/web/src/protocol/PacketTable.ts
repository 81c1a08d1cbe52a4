// Packet names <-> wire ids <-> protobufjs types, built from the table the build derived from
// the .proto files' (tavern.packet_id) options. Nothing here lists a packet by hand.
import Long from "long";
import * as protobuf from "protobufjs/light";

// 64-bit fields (player ids) as Long, exactly: protobufjs looks for long.js with a hidden
// require a bundle cannot see, and without it reads them as doubles.
protobuf.util.Long = Long;
protobuf.configure();

export interface PacketEntry {
  readonly id: number;
  readonly name: string;
  readonly type: protobuf.Type;
}

export class PacketTable {
  private readonly _byName = new Map<string, PacketEntry>();
  private readonly _byId = new Map<number, PacketEntry>();

  constructor(descriptor: Record<string, unknown>,
              packets: Record<string, { id: number; type: string }>) {
    const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
    for (const [name, { id, type }] of Object.entries(packets)) {
      if (this._byId.has(id)) throw new Error(`packet id ${id} is both ${this._byId.get(id)!.name} and ${name}`);
      const entry: PacketEntry = { id, name, type: root.lookupType(type) };
      this._byName.set(name, entry);
      this._byId.set(id, entry);
    }
  }

  ByName(name: string): PacketEntry | undefined { return this._byName.get(name); }
  ById(id: number): PacketEntry | undefined { return this._byId.get(id); }
  Names(): string[] { return [...this._byName.keys()]; }
}
