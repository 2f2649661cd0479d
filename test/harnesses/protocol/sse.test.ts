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
});
