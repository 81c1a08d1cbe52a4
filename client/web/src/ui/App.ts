// The page: the login form, the field, the players, the chat panel, the ping and the status
// line, wired to one GameClient. URL parameters ?name=N&password=P&room=R&say=TEXT log in and
// enter at once (say: one chat line once in the room); ?server=ws://host:port/ws picks another
// server than the page's own; ?giveup=SECONDS how long to keep reconnecting after a drop.
import { GameClient, type ChatLine, type ClientState, type Player } from "../game/GameClient";
import { RoomField } from "./RoomField";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

export class App {
  private readonly _client: GameClient;
  private readonly _field: RoomField;
  private readonly _params = new URLSearchParams(location.search);

  constructor() {
    this._client = new GameClient({
      state: (state, text) => this.ShowState(state, text),
      players: (players) => this.ShowPlayers(players),
      chat: (line) => this.AddChat(line),
      ping: (ms) => { $("ping").textContent = `${ms.toFixed(1)} ms`; },
    });
    this._field = new RoomField($<HTMLCanvasElement>("field"), (x, y) => this._client.MoveTo(x, y));

    const form = $<HTMLFormElement>("login");
    for (const key of ["name", "password", "room"]) {
      const value = this._params.get(key);
      if (value !== null) (form.elements.namedItem(key) as HTMLInputElement).value = value;
    }
    form.addEventListener("submit", (event) => { event.preventDefault(); this.LogIn(); });
    $<HTMLFormElement>("say").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = $<HTMLInputElement>("say-text");
      this._client.Chat(input.value.trim());
      input.value = "";
    });
    $("leave").addEventListener("click", () => {
      this._client.Stop();
      this.ShowState("idle", "logged out");
    });
    // The browser's word that the network is back: reconnect now, not after the backoff.
    window.addEventListener("online", () => this._client.NetworkBack());
    // Closing or reloading the page is leaving: the token dies with the page, so nothing could
    // resume, and without C_LEAVE_GAME others would see the player stand there for the
    // server's resume window.
    window.addEventListener("pagehide", () => this._client.Stop());
    this.ShowState("idle", "log in to play");
    if (this._params.get("name") && this._params.get("password") && this._params.get("room")) this.LogIn();
  }

  private ServerUrl(): string {
    const given = this._params.get("server");
    if (given) return given;
    return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
  }

  private LogIn(): void {
    const form = $<HTMLFormElement>("login");
    const value = (key: string) => (form.elements.namedItem(key) as HTMLInputElement).value.trim();
    const room = Number(value("room"));
    if (!value("name") || !value("password") || !Number.isInteger(room) || room < 0) {
      return this.ShowState("refused", "a name, a password and a room number, please");
    }
    $("chat-log").replaceChildren();
    const giveUp = Number(this._params.get("giveup"));
    this._client.Start({
      url: this.ServerUrl(), name: value("name"), password: value("password"), room,
      say: this._params.get("say") ?? undefined,
      giveUpMs: giveUp > 0 ? giveUp * 1000 : undefined,
    });
    this._params.delete("say");  // once per page, not again on the next login
  }

  private ShowState(state: ClientState, text: string): void {
    const status = $("status");
    status.textContent = text;
    status.dataset.state = state;
    document.body.dataset.state = state;
    const busy = state === "connecting" || state === "logging-in" || state === "entering" ||
                 state === "in-room" || state === "reconnecting";
    $<HTMLButtonElement>("login-button").disabled = busy;
    $<HTMLButtonElement>("leave").disabled = !busy;
    // While reconnecting a line is kept and goes out after the resume.
    $<HTMLInputElement>("say-text").disabled = state !== "in-room" && state !== "reconnecting";
    if (state !== "in-room") $("ping").textContent = "-";
  }

  private ShowPlayers(players: ReadonlyMap<string, Player>): void {
    this._field.Show(players);
    const list = $("players");
    const items = [...players.values()].sort((a, b) => a.name.localeCompare(b.name)).map((p) => {
      const item = document.createElement("li");
      item.textContent = `${p.name} (${p.x.toFixed(1)}, ${p.y.toFixed(1)})`;
      item.dataset.name = p.name;
      item.dataset.id = p.id;
      if (p.self) item.className = "self";
      return item;
    });
    list.replaceChildren(...items);
    const self = [...players.values()].find((p) => p.self);
    $("you").textContent = self ? `(${self.x.toFixed(1)}, ${self.y.toFixed(1)})` : "-";
  }

  private AddChat(line: ChatLine): void {
    const log = $("chat-log");
    const row = document.createElement("div");
    row.className = `line ${line.kind}`;
    const who = document.createElement("b");
    who.textContent = line.from;
    row.append(who, document.createTextNode(" " + line.text));
    log.append(row);
    while (log.childElementCount > 200) log.firstElementChild!.remove();
    log.scrollTop = log.scrollHeight;
  }
}
