/**
 * A strict observer of one turn stream, for the conformance suite: it keeps every SSE frame's
 * `id` (so order can be checked), validates every event against the protocol schema, and
 * reports how the stream ended — with `done`, or closed without it — within a deadline.
 */
import { harnessEventSchema, describeIssues } from '../protocol/schema.ts';
import { SseParser } from '../protocol/sse.ts';
import type { HarnessEvent, TurnRequest } from '../protocol/types.ts';

export interface ObservedEvent {
  readonly id: string | undefined;
  readonly event: HarnessEvent;
}

export interface ObservedTurn {
  readonly status: number;
  readonly events: readonly ObservedEvent[];
  /** "done": the stream ended with a done event; "closed": the connection ended without one */
  readonly ending: 'done' | 'closed';
  /** the frames after `done`, which must not exist */
  readonly afterDone: number;
  /** the assistant reply: all text deltas, in order */
  readonly text: string;
  readonly done: Extract<HarnessEvent, { type: 'done' }> | undefined;
  /** error body when status is not 200 */
  readonly error?: { readonly code: string; readonly message: string };
}

export interface ObserveOptions {
  readonly token?: string;
  /** the turn must end (done or closed) within this time, or the observation fails */
  readonly deadlineMs: number;
  /** called for each event as it arrives */
  readonly onEvent?: (event: HarnessEvent) => void;
}

export async function observeTurn(url: string, request: TurnRequest, options: ObserveOptions): Promise<ObservedTurn> {
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(new Error(`the turn did not end within ${options.deadlineMs} ms`)), options.deadlineMs);
  try {
    const res = await fetch(`${url}/v1/turns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
      body: JSON.stringify(request),
      signal: controller.signal,
    });
    if (res.status !== 200) {
      const body = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
      return { status: res.status, events: [], ending: 'closed', afterDone: 0, text: '', done: undefined, ...(body.error ? { error: body.error } : {}) };
    }
    const contentType = res.headers.get('content-type') ?? '';
    if (!contentType.startsWith('text/event-stream')) throw new Error(`a turn answers text/event-stream, got ${JSON.stringify(contentType)}`);
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const events: ObservedEvent[] = [];
    let afterDone = 0;
    let done: Extract<HarnessEvent, { type: 'done' }> | undefined;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const message of parser.push(decoder.decode(chunk, { stream: true }))) {
          if (done) {
            afterDone += 1;
            continue;
          }
          const parsed = harnessEventSchema.safeParse(JSON.parse(message.data));
          if (!parsed.success) throw new Error(`invalid "${message.event}" event ${message.data}: ${describeIssues(parsed.error.issues)}`);
          if (parsed.data.type !== message.event) throw new Error(`SSE event name "${message.event}" does not match data type "${parsed.data.type}"`);
          events.push({ id: message.id, event: parsed.data });
          options.onEvent?.(parsed.data);
          if (parsed.data.type === 'done') done = parsed.data;
        }
      }
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason as Error;
      // the connection broke (e.g. the harness process died): that is an ending, not a hang
      if (!(error instanceof TypeError) && (error as { name?: string }).name !== 'SocketError') throw error;
    }
    const text = events.map((e) => (e.event.type === 'text_delta' ? e.event.text : '')).join('');
    return { status: 200, events, ending: done ? 'done' : 'closed', afterDone, text, done };
  } finally {
    clearTimeout(deadline);
  }
}

export function eventsOf(turn: ObservedTurn): HarnessEvent[] {
  return turn.events.map((e) => e.event);
}
