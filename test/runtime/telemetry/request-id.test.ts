import { describe, expect, it } from 'vitest';
import { routeTemplate } from '../../../runtime/api/server.ts';
import { requestIdFrom } from '../../../runtime/telemetry/request-id.ts';

describe('request ids', () => {
  it('keeps a plausible caller id and replaces anything else with a new UUID', () => {
    expect(requestIdFrom('abc-123_x.y:z/1+2=')).toBe('abc-123_x.y:z/1+2=');
    expect(requestIdFrom(['first', 'second'])).toBe('first');
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const bad of [undefined, '', 'has space', 'quote"d', 'new\nline', 'x'.repeat(129), 'ünïcode']) expect(requestIdFrom(bad)).toMatch(uuid);
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});

describe('route templates (span names)', () => {
  it('turns a route pattern into its template, parameters in braces', () => {
    expect(routeTemplate(/^\/v1\/sessions\/(?<id>[^/]+)\/messages$/)).toBe('/v1/sessions/{id}/messages');
    expect(routeTemplate(/^\/v1\/sessions$/)).toBe('/v1/sessions');
    expect(routeTemplate(/^\/healthz$/)).toBe('/healthz');
  });
});
