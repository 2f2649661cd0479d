/**
 * Server-Sent Events: encoding on the server side, incremental parsing on the client side.
 * Used for the harness turn stream and for the runtime's session event stream.
 */

export interface SseMessage {
  readonly id?: string;
  readonly event: string;
  readonly data: string;
}

/** One SSE message; `data` is JSON on one line (JSON.stringify never emits raw newlines). */
export function encodeSse(id: string | number | undefined, event: string, data: unknown): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function encodeSseComment(text: string): string {
  return `: ${text.replace(/\n/g, ' ')}\n\n`;
}

/**
 * Incremental parser (the WHATWG event-stream grammar): feed it chunks as they arrive, it returns
 * the complete messages. Every event of every turn passes through here twice (harness to
 * runtime, runtime to client), so the work is linear: line ends and colons are found with
 * indexOf (native), each searched for again only once passed, and a line that spans many chunks
 * is joined once, when it ends.
 */
export class SseParser {
  /** the start of a line not ended yet (no CR or LF inside) */
  private pending: string[] = [];
  /** the last chunk ended with a CR: a LF starting the next one belongs to it */
  private skipLf = false;
  private started = false;
  private id: string | undefined;
  private event = '';
  private data: string | undefined;

  push(chunk: string): SseMessage[] {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1); // a byte order mark is not content
    }
    if (this.skipLf && chunk.length > 0) {
      this.skipLf = false;
      if (chunk.charCodeAt(0) === 10) chunk = chunk.slice(1);
    }
    if (this.pending.length > 0 && chunk.indexOf('\n') === -1 && chunk.indexOf('\r') === -1) {
      if (chunk.length > 0) this.pending.push(chunk);
      return [];
    }
    const text = this.pending.length === 0 ? chunk : this.pending.join('') + chunk;
    this.pending = [];
    const messages: SseMessage[] = [];
    let start = 0;
    // the next LF, CR and colon at or after `start` (-1: none left)
    let lf = text.indexOf('\n');
    let cr = text.indexOf('\r');
    let colon = text.indexOf(':');
    for (;;) {
      if (lf !== -1 && lf < start) lf = text.indexOf('\n', start);
      if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(lf, cr);
      if (end === -1) break;
      if (colon !== -1 && colon < start) colon = text.indexOf(':', start);
      this.line(text, start, end, colon !== -1 && colon < end ? colon : -1, messages);
      // a CR ending the chunk may be the first half of a CRLF split across chunks
      if (end === cr && end + 1 === text.length) this.skipLf = true;
      start = end + (end === cr && lf === end + 1 ? 2 : 1);
    }
    if (start < text.length) this.pending.push(start === 0 ? text : text.slice(start));
    return messages;
  }

  private line(text: string, start: number, end: number, colon: number, messages: SseMessage[]): void {
    if (start === end) {
      const event = this.event === '' ? 'message' : this.event;
      if (this.data !== undefined) messages.push(this.id === undefined ? { event, data: this.data } : { id: this.id, event, data: this.data });
      this.event = '';
      this.data = undefined;
      return;
    }
    if (colon === start) return; // a comment
    const field = text.slice(start, colon < 0 ? end : colon);
    let valueStart = colon < 0 ? end : colon + 1;
    if (valueStart < end && text.charCodeAt(valueStart) === 32) valueStart++;
    const value = text.slice(valueStart, end);
    if (field === 'data') this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}
