import { describe, expect, it } from 'vitest';
import { isEmptySelector, matchesSelector, selectorKey, witnessLabels } from '../../../policy/network/label-selector.ts';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front' };

  it('ANDs matchLabels and every expression operator', () => {
    expect(matchesSelector({}, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { app: 'web', tier: 'back' } }, labels)).toBe(false);
    expect(matchesSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, labels)).toBe(false);
    // NotIn matches objects without the key at all
    expect(matchesSelector({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, labels)).toBe(true);
    expect(matchesSelector({ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, labels)).toBe(false);
    expect(matchesSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, labels)).toBe(false);
  });

  it('selects nothing with an operator it cannot read', () => {
    expect(matchesSelector({ matchExpressions: [{ key: 'app', operator: 'Gt', values: ['1'] }] }, labels)).toBe(false);
  });

  it('knows an empty selector from an absent one', () => {
    expect(isEmptySelector({})).toBe(true);
    expect(isEmptySelector({ matchLabels: {}, matchExpressions: [] })).toBe(true);
    expect(isEmptySelector({ matchLabels: { a: 'b' } })).toBe(false);
    expect(isEmptySelector(undefined)).toBe(false);
  });

  it('keys selectors canonically', () => {
    expect(selectorKey({ matchLabels: { b: '2', a: '1' } })).toBe(selectorKey({ matchLabels: { a: '1', b: '2' } }));
    expect(selectorKey({ matchExpressions: [{ key: 'k', operator: 'In', values: ['y', 'x'] }] })).toBe(selectorKey({ matchExpressions: [{ key: 'k', operator: 'In', values: ['x', 'y'] }] }));
  });

  it('builds a label set a selector matches, or none when it is contradictory', () => {
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'debug', operator: 'Exists' }, { key: 'x', operator: 'DoesNotExist' }] };
    const witness = witnessLabels(selector)!;
    expect(witness).toEqual({ app: 'web', tier: 'a', debug: 'probe' });
    expect(matchesSelector(selector, witness)).toBe(true);
    expect(witnessLabels({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] })).toBeUndefined();
  });
});
