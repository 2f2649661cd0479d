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

/** Incremental parser: feed it chunks as they arrive, it returns the complete messages. */
export class SseParser {
  private buffer = '';
  private id: string | undefined;
  private event = 'message';
  private data: string[] = [];

  push(chunk: string): SseMessage[] {
    const text = this.buffer + chunk;
    const messages: SseMessage[] = [];
    let start = 0;
    // scan with an index and cut the buffer once: a large chunk costs O(n), not O(n²)
    for (;;) {
      let end = start;
      while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
      if (end >= text.length) break;
      // a CR at the very end may be the first half of CRLF: wait for more
      if (text.charCodeAt(end) === 13 && end + 1 >= text.length) break;
      const line = text.slice(start, end);
      start = end + (text.charCodeAt(end) === 13 && text.charCodeAt(end + 1) === 10 ? 2 : 1);
      this.line(line, messages);
    }
    this.buffer = text.slice(start);
    return messages;
  }

  private line(line: string, messages: SseMessage[]): void {
    if (line === '') {
      if (this.data.length > 0) messages.push({ ...(this.id === undefined ? {} : { id: this.id }), event: this.event, data: this.data.join('\n') });
      this.event = 'message';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'id') this.id = value;
    else if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
