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
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    let newline: number;
    while ((newline = this.buffer.search(/\r\n|\n|\r/)) >= 0) {
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      if (line === '') {
        if (this.data.length > 0) messages.push({ ...(this.id === undefined ? {} : { id: this.id }), event: this.event, data: this.data.join('\n') });
        this.event = 'message';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'id') this.id = value;
      else if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
    }
    return messages;
  }
}
