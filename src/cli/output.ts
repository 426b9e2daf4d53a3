/** Printing for commands: JSON when asked, text otherwise; progress only on a terminal. */
import type { CliIo } from './command.ts';

/** a message on one line (what a file or a library said may hold newlines), at most 2,000 characters */
export function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').slice(0, 2000);
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A progress line on stderr, redrawn at most ten times a second, shown only
 * when stderr is a terminal and JSON output was not asked for.
 */
export class Progress {
  private readonly enabled: boolean;
  private last = 0;
  private shown = false;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    json: boolean,
  ) {
    this.enabled = Boolean(io.stderr.isTTY) && !json;
  }

  update(done: number, total?: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    const pct = total ? ` (${Math.floor((done / total) * 100)}%)` : '';
    this.io.stderr.write(`\r${this.label}: ${done.toLocaleString('en-US')}${total ? ` of ${total.toLocaleString('en-US')}` : ''}${pct}\x1b[K`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.io.stderr.write('\r\x1b[K');
    this.shown = false;
  }
}
