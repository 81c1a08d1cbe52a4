// The page's side of a seamless reconnect: the same protocol as the native client's
// client/ResumeLink (README, "Seamless reconnect (resume)"), without the socket, which
// GameClient owns. It keeps
//   - the resume token of the last S_LOGIN;
//   - the count of server packets received since the fresh login (that login's S_LOGIN and a
//     resume's S_LOGIN not counted), which a resume sends as C_LOGIN.received;
//   - copies of the page's own packets since the fresh C_LOGIN, so that a resume sends again
//     those the server had not handled (S_LOGIN.received says how many it had);
//   - the jittered exponential backoff between reconnect attempts, and when to give up.
//
//   fresh:   C_LOGIN{name} -> S_LOGIN{token T}; count in and out from here
//   drop:    wait NextDelay(), connect again
//   resume:  C_LOGIN{T, received N} -> S_LOGIN{resumed, received M, T2}: send again what was
//            sent after M (what was sent meanwhile included), then carry on
//   refused: S_LOGIN{success false}: nothing to resume any more; the page logs in afresh
//
// Plain bookkeeping, on the page's one thread; `now` and `random` are given for the tests.

export interface ResumeOptions {
  firstDelayMs: number;    // the first wait after a drop; doubles per attempt
  maxDelayMs: number;      // up to this
  giveUpAfterMs: number;   // after the drop; the server keeps an away player 30 s by default
  maxKeptPackets: number;  // own packets kept to send again, at most this many,
  maxKeptBytes: number;    // this many bytes,
  keepForMs: number;       // and none older (the server's idle timeout plus its window)
}

export const kResumeDefaults: ResumeOptions = {
  firstDelayMs: 50, maxDelayMs: 2000, giveUpAfterMs: 30_000,
  maxKeptPackets: 4096, maxKeptBytes: 256 * 1024, keepForMs: 90_000,
};

export type ResumeOutcome =
  | { kind: "pass" }                                    // for the game
  | { kind: "resumed"; resend: Uint8Array[]; playerId: string; lost: number }
  | { kind: "refused"; reason: string };               // the resume's S_LOGIN said no

interface Kept { bytes: Uint8Array; at: number }

export class ResumeLink {
  private readonly _options: ResumeOptions;
  private _token = "";
  private _loginSent = false;      // a fresh C_LOGIN went out: keep what is sent after it
  private _counting = false;       // logged in: count what is received
  private _resumePending = false;  // the resume's C_LOGIN went out, its S_LOGIN not in yet
  private _received = 0;
  private _sentBase = 0;           // number of the first kept packet, minus one
  private _sent: Kept[] = [];
  private _sentBytes = 0;
  private _droppedAt: number | null = null;
  private _delay = 0;
  private _attempts = 0;

  constructor(options: Partial<ResumeOptions> = {},
              private readonly _now: () => number = () => performance.now(),
              private readonly _random: () => number = Math.random) {
    this._options = { ...kResumeDefaults, ...options };
  }

  CanResume(): boolean { return this._token !== ""; }
  Resuming(): boolean { return this._resumePending; }
  Token(): string { return this._token; }
  Received(): number { return this._received; }
  KeptPackets(): number { return this._sent.length; }
  Attempts(): number { return this._attempts; }
  // Milliseconds since the drop, or 0 when connected.
  AwayFor(): number { return this._droppedAt === null ? 0 : this._now() - this._droppedAt; }

  // A fresh C_LOGIN (name and password) goes out: counting starts over.
  FreshLogin(): void {
    this._loginSent = true;
    this._counting = false;
    this._resumePending = false;
    this._token = "";
    this.ClearSent();
  }

  // The fields of the resume's C_LOGIN; from now on its answer is awaited and sends wait.
  StartResume(): { resume_token: string; received: number } {
    this._resumePending = true;
    return { resume_token: this._token, received: this._received };
  }

  // The page sends `bytes` (one whole packet, not a C_LOGIN): kept to send again after a
  // resume. True when it may go out now; false: a resume will send it.
  Sent(bytes: Uint8Array, connected: boolean): boolean {
    if (!this._loginSent) return connected;
    const at = this._now();
    this._sent.push({ bytes, at });
    this._sentBytes += bytes.length;
    this.Trim(at);
    return connected && !this._resumePending;
  }

  // A server packet, decoded: the resume's S_LOGIN is consumed here; anything else counts.
  OnPacket(name: string, body: Record<string, any>): ResumeOutcome {
    if (name === "S_LOGIN" && (this._resumePending || !this._counting)) {
      if (this._resumePending) return this.OnResumeAnswer(body);
      if (this._loginSent) {  // the fresh login's answer, itself not counted
        if (body.success) {
          this._counting = true;
          this._received = 0;
          this._token = body.resume_token ?? "";
          this._droppedAt = null;
        } else {
          this._loginSent = false;
          this.ClearSent();
        }
      }
      return { kind: "pass" };
    }
    if (this._counting) ++this._received;
    return { kind: "pass" };
  }

  // The connection is gone (or an attempt failed): a resume on its way is off.
  Dropped(): void {
    this._resumePending = false;
    if (this._droppedAt !== null) return;
    this._droppedAt = this._now();
    this._delay = this._options.firstDelayMs;
    this._attempts = 0;
  }

  // How long to wait before the next attempt (jittered x0.5-1.5, so a server that drops
  // everyone does not get everyone back at once), or null: give up.
  NextDelay(): number | null {
    if (this._droppedAt === null || this.AwayFor() > this._options.giveUpAfterMs) return null;
    const delay = this._delay * (0.5 + this._random());
    this._delay = Math.min(this._delay * 2, this._options.maxDelayMs);
    ++this._attempts;
    return delay;
  }

  // The network is back (the browser's `online` event): the next wait starts short again.
  NetworkBack(): void { this._delay = this._options.firstDelayMs; }

  // A deliberate end (the player left): nothing to resume.
  Forget(): void {
    this._token = "";
    this._loginSent = false;
    this._counting = false;
    this._resumePending = false;
    this._droppedAt = null;
    this.ClearSent();
  }

  private OnResumeAnswer(body: Record<string, any>): ResumeOutcome {
    this._resumePending = false;
    if (!body.success || !body.resumed) {
      this.Forget();
      return { kind: "refused", reason: body.reason || "refused" };
    }
    this._token = body.resume_token ?? "";
    this._droppedAt = null;
    const handled = Number(body.received);
    while (this._sentBase < handled && this._sent.length > 0) this.DropOldest();
    // Packets the server had not handled but no longer kept here (past the bounds): lost.
    const lost = Math.max(0, this._sentBase - handled);
    this._sentBase = handled;
    return { kind: "resumed", resend: this._sent.map((kept) => kept.bytes),
             playerId: String(body.player_id), lost };
  }

  private Trim(now: number): void {
    const o = this._options;
    while (this._sent.length > 0 &&
           (this._sent.length > o.maxKeptPackets || this._sentBytes > o.maxKeptBytes ||
            now - this._sent[0].at > o.keepForMs)) {
      this.DropOldest();
    }
  }

  private DropOldest(): void {
    this._sentBytes -= this._sent.shift()!.bytes.length;
    ++this._sentBase;
  }

  private ClearSent(): void {
    this._sent = [];
    this._sentBytes = 0;
    this._sentBase = 0;
  }
}
