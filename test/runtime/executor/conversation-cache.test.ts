import { describe, expect, it } from 'vitest';
import { ConversationCache } from '../../../runtime/executor/conversation-cache.ts';

const conversation = (throughTurn: number, ...texts: string[]) => ({ throughTurn, history: texts.map((text) => ({ role: 'user' as const, text })) });

describe('ConversationCache', () => {
  it('hands a remembered conversation over once', () => {
    const cache = new ConversationCache({ ttlMs: 1_000, maxChars: 100 });
    cache.remember('s1', conversation(3, 'hello'));
    expect(cache.take('s1')).toEqual(conversation(3, 'hello'));
    expect(cache.take('s1')).toBeUndefined();
    expect(cache.totalChars).toBe(0);
  });

  it('forgets conversations older than the TTL, on read and when others are remembered', () => {
    let now = 0;
    const cache = new ConversationCache({ ttlMs: 1_000, maxChars: 100, now: () => now });
    cache.remember('old', conversation(1, 'aaaa'));
    now = 999;
    cache.remember('fresh', conversation(1, 'bb'));
    now = 1_500;
    expect(cache.take('old')).toBeUndefined();
    cache.remember('newest', conversation(1, 'c'));
    expect(cache.size).toBe(2); // 'fresh' (age 501) and 'newest'
    expect(cache.totalChars).toBe(3);
    now = 1_999;
    expect(cache.take('fresh')).toBeUndefined();
  });

  it('keeps all conversations within the character budget, dropping the oldest first', () => {
    const cache = new ConversationCache({ ttlMs: 60_000, maxChars: 10 });
    cache.remember('a', conversation(1, 'aaaa'));
    cache.remember('b', conversation(1, 'bbbb'));
    cache.remember('c', conversation(1, 'cccc'));
    expect(cache.take('a')).toBeUndefined();
    expect(cache.take('b')).toEqual(conversation(1, 'bbbb'));
    cache.remember('huge', conversation(1, 'x'.repeat(11)));
    expect(cache.take('huge')).toBeUndefined();
    expect(cache.totalChars).toBe(4);
  });

  it('replaces a session\'s conversation instead of counting it twice', () => {
    const cache = new ConversationCache({ ttlMs: 60_000, maxChars: 10 });
    cache.remember('s', conversation(1, 'aaaa'));
    cache.remember('s', conversation(2, 'aaaa', 'bbbb'));
    expect(cache.totalChars).toBe(8);
    expect(cache.take('s')?.throughTurn).toBe(2);
  });
});
