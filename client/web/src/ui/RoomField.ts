// The room as a 2D field on a canvas: every player a labelled dot, easing toward where the
// server last said it is; a click asks to move there. World units: the view shows
// [-kHalfSpan, kHalfSpan] on both axes around the origin, y growing upward; a player outside
// the view is drawn on its edge as a ring.
import type { Player } from "../game/GameClient";

export const kHalfSpan = 50;
const kEase = 0.25;  // share of the remaining distance a dot covers per frame

interface Dot { x: number; y: number }

export class RoomField {
  private _players: ReadonlyMap<string, Player> = new Map();
  private readonly _shown = new Map<string, Dot>();
  private _frame = 0;

  constructor(private readonly _canvas: HTMLCanvasElement,
              private readonly _onClick: (x: number, y: number) => void) {
    _canvas.addEventListener("click", (event) => {
      const { x, y } = this.ToWorld(event.offsetX, event.offsetY);
      this._onClick(x, y);
    });
    new ResizeObserver(() => this.Redraw()).observe(_canvas);
  }

  // A world position, rounded to 0.1 as the page shows it, for a point in CSS pixels.
  ToWorld(px: number, py: number): { x: number; y: number } {
    const { width, height, scale } = this.Geometry();
    const round = (v: number) => Math.round(v * 10) / 10;
    return { x: round((px - width / 2) / scale), y: round((height / 2 - py) / scale) };
  }

  ToScreen(x: number, y: number): { px: number; py: number } {
    const { width, height, scale } = this.Geometry();
    return { px: width / 2 + x * scale, py: height / 2 - y * scale };
  }

  Show(players: ReadonlyMap<string, Player>): void {
    this._players = players;
    for (const id of [...this._shown.keys()]) if (!players.has(id)) this._shown.delete(id);
    for (const [id, p] of players) if (!this._shown.has(id)) this._shown.set(id, { x: p.x, y: p.y });
    this.Redraw();
  }

  private Geometry() {
    const width = this._canvas.clientWidth || 1;
    const height = this._canvas.clientHeight || 1;
    return { width, height, scale: Math.min(width, height) / (2 * kHalfSpan) };
  }

  private Redraw(): void {
    if (!this._frame) this._frame = requestAnimationFrame(() => this.Draw());
  }

  private Draw(): void {
    this._frame = 0;
    const ratio = window.devicePixelRatio || 1;
    const { width, height, scale } = this.Geometry();
    if (this._canvas.width !== Math.round(width * ratio)) this._canvas.width = Math.round(width * ratio);
    if (this._canvas.height !== Math.round(height * ratio)) this._canvas.height = Math.round(height * ratio);
    const g = this._canvas.getContext("2d")!;
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);

    g.strokeStyle = "#e4e7ec";
    g.lineWidth = 1;
    for (let v = -kHalfSpan; v <= kHalfSpan; v += 10) {
      const { px, py } = this.ToScreen(v, v);
      g.beginPath(); g.moveTo(px, 0); g.lineTo(px, height); g.stroke();
      g.beginPath(); g.moveTo(0, py); g.lineTo(width, py); g.stroke();
    }

    let moving = false;
    g.font = "12px system-ui, sans-serif";
    g.textAlign = "center";
    const order = [...this._players.values()].sort((a, b) => Number(a.self) - Number(b.self));
    for (const player of order) {
      const dot = this._shown.get(player.id)!;
      dot.x += (player.x - dot.x) * kEase;
      dot.y += (player.y - dot.y) * kEase;
      if (Math.abs(player.x - dot.x) > 0.01 || Math.abs(player.y - dot.y) > 0.01) moving = true;
      else { dot.x = player.x; dot.y = player.y; }
      const inside = Math.abs(dot.x) <= kHalfSpan && Math.abs(dot.y) <= kHalfSpan;
      const clamp = (v: number) => Math.max(-kHalfSpan, Math.min(kHalfSpan, v));
      const { px, py } = this.ToScreen(clamp(dot.x), clamp(dot.y));
      g.beginPath();
      g.arc(px, py, player.self ? 7 : 5, 0, 2 * Math.PI);
      g.fillStyle = g.strokeStyle = player.self ? "#d9480f" : "#1c7ed6";
      if (inside) g.fill(); else { g.lineWidth = 2; g.stroke(); }
      g.fillStyle = "#212529";
      g.fillText(player.name, px, py - 10);
    }
    this._canvas.dataset.players = String(this._players.size);
    if (moving) this.Redraw();
  }
}
