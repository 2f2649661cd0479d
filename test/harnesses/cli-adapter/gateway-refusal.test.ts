/** Gateway refusals (LiteLLM's budget and rate-limit answers) recognised in what a CLI printed. */
import { describe, expect, it } from 'vitest';
import { BUDGET_EXCEEDED, gatewayRefusal, RATE_LIMITED, refusalMessage } from '../../../harnesses/cli-adapter/gateway-refusal.ts';

describe('gatewayRefusal', () => {
  it("recognises LiteLLM's budget answer by its type or message, whatever the status", () => {
    const body = JSON.stringify({ error: { message: 'Budget has been exceeded! Team=team-a Current cost: 3, Max budget: 1', type: 'budget_exceeded', param: null, code: '400' } });
    expect(gatewayRefusal({ status: 400, text: `API Error: 400 ${body}` })).toBe(BUDGET_EXCEEDED);
    expect(gatewayRefusal({ text: 'Budget has been exceeded! Current cost: 3, Max budget: 1' })).toBe(BUDGET_EXCEEDED);
    expect(gatewayRefusal({ status: 429, text: 'Max budget limit reached.' })).toBe(BUDGET_EXCEEDED);
  });

  it('recognises rate limits by status 429 or by the limiter\'s words', () => {
    expect(gatewayRefusal({ status: 429, text: 'anything' })).toBe(RATE_LIMITED);
    expect(gatewayRefusal({ text: 'Rate limit exceeded for api_key: abc. Limit type: requests.' })).toBe(RATE_LIMITED);
    expect(gatewayRefusal({ text: 'LiteLLM Rate Limit Handler: Crossed TPM / RPM Limit' })).toBe(RATE_LIMITED);
    expect(gatewayRefusal({ text: '{"type":"error","error":{"type":"rate_limit_error","message":"slow"}}' })).toBe(RATE_LIMITED);
  });

  it('leaves every other failure alone', () => {
    expect(gatewayRefusal({ status: 400, text: 'API Error: 400 prompt is too long' })).toBeUndefined();
    expect(gatewayRefusal({ status: 401, text: 'Authentication Error, Invalid proxy server token passed' })).toBeUndefined();
    expect(gatewayRefusal({ status: 500, text: 'internal error' })).toBeUndefined();
  });

  it('says what happened and what to do, then what the gateway said', () => {
    expect(refusalMessage(BUDGET_EXCEEDED, 'Budget has been exceeded!')).toMatch(/budget is used up.*teams\[\]\.budget\.maxUsd.*The gateway said: Budget has been exceeded!/);
    expect(refusalMessage(RATE_LIMITED, '')).toMatch(/rate limit .*teams\[\]\.rpm.*again in a minute$/);
  });
});
