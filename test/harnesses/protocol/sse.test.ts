import { describe, expect, it } from 'vitest';
import { encodeSse, encodeSseComment, SseParser } from '../../../harnesses/protocol/sse.ts';

describe('SSE', () => {
  it('encodes one message per event with id, name and one-line JSON data', () => {
    expect(encodeSse(3, 'text_delta', { type: 'text_delta', text: 'a\nb' })).toBe('id: 3\nevent: text_delta\ndata: {"type":"text_delta","text":"a\\nb"}\n\n');
    expect(encodeSseComment('keep\nalive')).toBe(': keep alive\n\n');
  });

  it('parses messages split anywhere, with LF, CRLF or CR line ends, skipping comments', () => {
    const stream = 'retry: 2000\n\n: hi\r\nid: 1\r\nevent: a\r\ndata: {"x":1}\r\n\r\nid: 2\revent: b\rdata: line1\rdata: line2\r\r\n';
    for (const size of [1, 2, 3, 7, stream.length]) {
      const parser = new SseParser();
      const out = [];
      for (let i = 0; i < stream.length; i += size) out.push(...parser.push(stream.slice(i, i + size)));
      expect(out).toEqual([
        { id: '1', event: 'a', data: '{"x":1}' },
        { id: '2', event: 'b', data: 'line1\nline2' },
      ]);
    }
  });

  it('parses a large chunk of many events, keeping an incomplete tail for the next push', () => {
    const chunk = Array.from({ length: 50_000 }, (_, i) => encodeSse(i + 1, 'text_delta', { type: 'text_delta', text: 'word ' })).join('');
    const parser = new SseParser();
    const messages = parser.push(`${chunk}id: 50001\nevent: done\ndata: {"type"`);
    expect(messages).toHaveLength(50_000);
    expect(messages.at(-1)).toEqual({ id: '50000', event: 'text_delta', data: '{"type":"text_delta","text":"word "}' });
    expect(parser.push(':"done"}\n\n')).toEqual([{ id: '50001', event: 'done', data: '{"type":"done"}' }]);
  });

  it('parses any stream, split anywhere, exactly as a line-by-line reading of the whole stream does', () => {
    // reference: the SSE grammar applied to the complete text at once
    const reference = (stream: string) => {
      const out: Array<{ id?: string; event: string; data: string }> = [];
      let id: string | undefined;
      let event = '';
      let data: string[] = [];
      const lines = stream.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
      lines.pop(); // what follows the last line end is not a line yet
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) out.push({ ...(id === undefined ? {} : { id }), event: event || 'message', data: data.join('\n') });
          event = '';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'id' && !value.includes('\0')) id = value;
          else if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
      }
      return out;
    };
    let seed = 7;
    // Park–Miller: exact in doubles (48271 × 2³¹ < 2⁵³)
    const random = (n: number) => ((seed = (seed * 48271) % 2147483647), seed % n);
    const pieces = ['id: 4', 'id: 5\0', 'event: text_delta', 'event:', 'data: {"a":1}', 'data:x', 'data', ': comment', 'event:done', 'retry: 10', 'unknown: field', 'data: a:b', ''];
    const ends = ['\n', '\r\n', '\r'];
    for (let round = 0; round < 2_000; round++) {
      let stream = random(4) === 0 ? '\uFEFF' : '';
      for (let i = 0, n = 1 + random(30); i < n; i++) stream += pieces[random(pieces.length)]! + ends[random(ends.length)]!;
      stream += ends[random(ends.length)]!; // a blank line: the last message is complete
      const parser = new SseParser();
      const parsed = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + random(12);
        parsed.push(...parser.push(stream.slice(at, at + size)));
        at += size;
      }
      expect(parsed, JSON.stringify(stream)).toEqual(reference(stream));
    }
  });

  it('delivers a message ended by CRs at once, and follows the spec on empty event names, ids with NUL and a BOM', () => {
    const parser = new SseParser();
    // nothing more may ever come: the CR ends the line now (a LF that follows is skipped)
    expect(parser.push('\uFEFFid: 1\revent:\rdata: a\r\r')).toEqual([{ id: '1', event: 'message', data: 'a' }]);
    expect(parser.push('\nid: 2\0\ndata: b\n\n')).toEqual([{ id: '1', event: 'message', data: 'b' }]);
  });

  it('stays linear on long lines without a colon and on a line that arrives in many pieces', () => {
    // quadratic work here would take seconds, not milliseconds; the assertions are on the output
    const bare = 'data\n'.repeat(100_000) + '\n';
    const parsed = new SseParser().push(bare);
    expect(parsed).toHaveLength(1);
    expect(parsed[0]!.data).toBe('\n'.repeat(99_999));

    const parser = new SseParser();
    const text = 'x'.repeat(2_000_000);
    for (let at = 0; at < text.length; at += 100) expect(parser.push(text.slice(at, at + 100))).toEqual([]);
    expect(parser.push('\r')).toEqual([]);
    expect(parser.push('\n\n')).toEqual([]); // the long line is a field named x…x: ignored
    expect(parser.push(`data: ${'y'.repeat(10)}\r\n`)).toEqual([]);
    expect(parser.push('\r\n')).toEqual([{ event: 'message', data: 'yyyyyyyyyy' }]);
  });
});
