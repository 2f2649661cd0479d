/** Reports of unknown shape (usage, audit) as a summary and a table. */
import { describe, expect, it } from 'vitest';
import { cellText, recordsIn, recordsOf, summaryOf } from '../../console/src/report.ts';

const usage = {
  from: '2026-11-04T00:00:00.000Z',
  to: '2026-12-04T00:00:00.000Z',
  groupBy: 'harness',
  usage: [
    { harness: 'scripted', team: 'platform', turns: 3, costUsd: 0.01 },
    { harness: 'codex', team: 'web', turns: 1, costUsd: null, note: 'no price' },
  ],
  total: { turns: 4, costUsd: 0.01 },
};

describe('report tables', () => {
  it("takes the report's first list of records, with every column any record has, in first-seen order", () => {
    expect(recordsOf(usage)).toEqual({
      columns: ['harness', 'team', 'turns', 'costUsd', 'note'],
      rows: [
        ['scripted', 'platform', '3', '0.01', ''],
        ['codex', 'web', '1', '', 'no price'],
      ],
    });
    expect(recordsIn([{ a: 1 }])).toEqual([{ a: 1 }]);
    expect(recordsOf({ message: 'no list here' })).toBeUndefined();
  });

  it('summarises the scalar fields and the totals, leaving out the records and the cursor', () => {
    expect(summaryOf({ ...usage, nextCursor: 'abc' })).toEqual([
      ['from', '2026-11-04T00:00:00.000Z'],
      ['to', '2026-12-04T00:00:00.000Z'],
      ['groupBy', 'harness'],
      ['total', 'turns 4 · costUsd 0.01'],
    ]);
  });

  it('shows a principal as words, other objects as JSON, and markup as the text it is', () => {
    expect(cellText({ kind: 'team', team: 'web' })).toBe('team web');
    expect(cellText({ kind: 'admin' })).toBe('admin');
    expect(cellText({ a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(cellText(['x', 2])).toBe('x, 2');
    expect(cellText('<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
  });
});
