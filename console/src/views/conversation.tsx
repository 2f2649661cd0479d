/** The conversation: every turn with its message, the agent's output and how the turn ended. */
import type { ConversationView, Item, TurnView } from '../conversation.ts';
import { toolInputText } from '../format.ts';

const TURN_LABEL: Record<TurnView['state'], string> = {
  queued: 'queued',
  running: 'running…',
  completed: 'completed',
  failed: 'failed',
  aborted: 'aborted',
  interrupted: 'interrupted',
};

function usageText(usage: NonNullable<TurnView['usage']>): string {
  const tokens = `${usage.inputTokens.toLocaleString('en')} tokens in, ${usage.outputTokens.toLocaleString('en')} out`;
  return usage.costUsd === undefined ? tokens : `${tokens}, $${usage.costUsd.toFixed(4)}`;
}

function ItemView({ item }: { item: Item }) {
  switch (item.kind) {
    case 'text':
      return <div class="agent-text">{item.text}</div>;
    case 'tool':
      return (
        <details class={`tool${item.result?.isError ? ' tool-error' : ''}`}>
          <summary>
            Tool <code>{item.name}</code> {item.result ? (item.result.isError ? '— error' : '— done') : '— running…'}
          </summary>
          <p class="block-label">Input</p>
          <pre>{toolInputText(item.input)}</pre>
          <p class="block-label">Output</p>
          <pre>{item.result ? item.result.output : '(no result yet)'}</pre>
        </details>
      );
    case 'status':
      return <p class="status-line">{item.message}</p>;
    case 'error':
      return (
        <p class="error-line" role="note">
          Error <code>{item.code}</code>: {item.message}
          {item.retryable ? ' (retryable)' : ''}
        </p>
      );
    case 'sandbox':
      return (
        <p class={`sandbox-line sandbox-${item.action}`}>
          Sandbox {item.action} (generation {item.generation}){item.reason ? `: ${item.reason}` : ''}
        </p>
      );
  }
}

export function Conversation({ view }: { view: ConversationView }) {
  if (view.turns.length === 0 && view.sessionItems.length === 0 && !view.ended) return <p class="empty">No messages yet. Say something to the agent below.</p>;
  return (
    <ol class="conversation" aria-label="Conversation">
      {view.sessionItems.length > 0 && (
        <li class="session-items">
          {view.sessionItems.map((item) => <ItemView key={item.seq} item={item} />)}
        </li>
      )}
      {view.turns.map((turn) => (
        <li key={turn.number} class={`turn turn-${turn.state}`} aria-busy={turn.state === 'running' ? true : undefined}>
          <div class="user-message">
            <span class="who">
              You
              {turn.sentAt && (
                <>
                  {' · '}
                  <time dateTime={turn.sentAt}>{new Date(turn.sentAt).toLocaleString()}</time>
                </>
              )}
            </span>
            <div class="user-text">{turn.userText}</div>
          </div>
          <div class="agent">
            <span class="who">Agent</span>
            {turn.items.map((item) => <ItemView key={item.seq} item={item} />)}
            <p class="turn-footer">
              <span class={`turn-state state-${turn.state}`}>
                Turn {turn.number} {TURN_LABEL[turn.state]}
              </span>
              {turn.attempts > 1 && <span class="turn-meta">attempt {turn.attempts}</span>}
              {turn.usage && <span class="turn-meta">{usageText(turn.usage)}</span>}
            </p>
          </div>
        </li>
      ))}
      {view.ended && (
        <li class="ended">
          Session {view.ended.state}
          {view.ended.code ? <> — <code>{view.ended.code}</code></> : null}
          {view.ended.message ? `: ${view.ended.message}` : ''}
        </li>
      )}
    </ol>
  );
}
