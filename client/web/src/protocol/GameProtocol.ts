// The demo game's packets, from the .proto files the build read (see Generated.d.ts).
import { descriptor, packets } from "tavern:protocol";
import { PacketCodec } from "./PacketCodec";
import { PacketTable } from "./PacketTable";

export const gameTable = new PacketTable(descriptor, packets);
export const gameCodec = new PacketCodec(gameTable);
