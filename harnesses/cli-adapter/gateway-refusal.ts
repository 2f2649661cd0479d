/**
 * Recognises a model gateway's refusal in what an agent CLI reports when a model call failed,
 * so the turn ends with a code a person (and a client) can act on instead of a generic failure:
 *
 * | the gateway said                                                        | turn error code   |
 * |-------------------------------------------------------------------------|-------------------|
 * | LiteLLM `{"error":{"type":"budget_exceeded",...}}` (HTTP 400), or its    | `budget_exceeded` |
 * | message "Budget has been exceeded!" (key, team or user budget)          |                   |
 * | HTTP 429, LiteLLM's "Rate limit exceeded for ..." / "Crossed TPM / RPM", | `rate_limited`    |
 * | or a provider's `rate_limit_error` passed through                        |                   |
 *
 * The CLIs print the gateway's answer in different places (Claude Code: the result text
 * "API Error: 400 {...}" and `api_error_status`; Codex: turn.failed's message, often the JSON
 * body itself), so this looks at the status when there is one and at the text always.
 */

export const BUDGET_EXCEEDED = 'budget_exceeded';
export const RATE_LIMITED = 'rate_limited';

export type GatewayRefusal = typeof BUDGET_EXCEEDED | typeof RATE_LIMITED;

/** LiteLLM's budget error (litellm.BudgetExceededError, ProxyErrorTypes.budget_exceeded). */
const BUDGET_TEXT = /budget has been exceeded|"type"\s*:\s*"budget_exceeded"|\bbudget_exceeded\b|exceeded (?:its|the|your) (?:max(?:imum)? )?budget/i;
/** LiteLLM's rate limiter (parallel_request_limiter v3 and older) and providers' 429 bodies. */
const RATE_TEXT = /rate limit exceeded|crossed tpm ?\/ ?rpm|"type"\s*:\s*"rate_limit_error"|\brate_limit_exceeded\b|too many requests/i;

export function gatewayRefusal(input: { readonly status?: number | undefined; readonly text: string }): GatewayRefusal | undefined {
  // budget first: LiteLLM answers it with 400, and some versions with 429 ("Max budget limit reached.")
  if (BUDGET_TEXT.test(input.text) || /max budget limit reached/i.test(input.text)) return BUDGET_EXCEEDED;
  if (input.status === 429 || RATE_TEXT.test(input.text)) return RATE_LIMITED;
  return undefined;
}

/** The message shown for a refusal: what happened, then what the gateway said. */
export function refusalMessage(refusal: GatewayRefusal, gatewaySaid: string): string {
  const said = gatewaySaid.trim().slice(0, 1000);
  return refusal === BUDGET_EXCEEDED
    ? `the model gateway refused the request: this team's model budget is used up (it resets at the start of the team's next budget period, or an operator raises teams[].budget.maxUsd)${said ? `. The gateway said: ${said}` : ''}`
    : `the model gateway refused the request: this team's rate limit (teams[].rpm / teams[].tpm) was reached; send the message again in a minute${said ? `. The gateway said: ${said}` : ''}`;
}
