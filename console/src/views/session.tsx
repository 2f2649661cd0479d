/**
 * One session: its conversation as it streams, the composer, Abort and End session. The stream
 * replays from the first event when the page opens (a reload rebuilds the same view) and
 * resumes from the last event seen after any drop (session-stream.ts). Agent output is shown
 * as text only: Preact sets it as text nodes, never as HTML.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, type Session } from '../api.ts';
import type { Signed } from '../app.tsx';
import { applyEvents, emptyConversation, unfinishedTurn, type ConversationView } from '../conversation.ts';
import { emptyLog } from '../event-log.ts';
import { followSession, type StreamStatus } from '../session-stream.ts';
import { onLinkClick } from '../router.ts';
import { Conversation } from './conversation.tsx';

function statusText(status: StreamStatus): string {
  switch (status.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'live':
      return 'Live';
    case 'reconnecting':
      return `Reconnecting in ${Math.ceil(status.inMs / 1000)} s: ${status.reason}`;
    case 'ended':
      return 'Session over';
    case 'failed':
      return `Stream stopped: ${status.message}`;
  }
}

export function SessionPage({ signed, id }: { signed: Signed; id: string }) {
  const [session, setSession] = useState<Session | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [view, setView] = useState<ConversationView>(emptyConversation);
  const [status, setStatus] = useState<StreamStatus>({ kind: 'connecting' });
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<'send' | 'abort' | 'end' | undefined>();
  const [actionProblem, setActionProblem] = useState<string | undefined>();
  const stickToBottom = useRef(true);

  const fail = (error: unknown, set: (message: string) => void) => {
    if (error instanceof ApiError && error.status === 401) signed.rejected();
    else set(error instanceof ApiError ? `${error.message} (${error.code})` : String(error));
  };

  const refresh = () =>
    signed.api.getSession(id).then(setSession, (error: unknown) => fail(error, setProblem));

  useEffect(() => {
    document.title = `${session?.title || `Session ${id.slice(0, 8)}`} · Paddock`;
  }, [session?.title, id]);

  useEffect(() => {
    void refresh();
    // a replay brings many turns' events in quick batches: re-read the session once they settle
    let refreshTimer: ReturnType<typeof setTimeout> | undefined;
    const refreshSoon = () => {
      refreshTimer ??= setTimeout(() => {
        refreshTimer = undefined;
        void refresh();
      }, 300);
    };
    const follower = followSession({
      sessionId: id,
      token: signed.api.token,
      log: emptyLog,
      onEvents: (events) => {
        setView((previous) => applyEvents(previous, events));
        // the list's counters and the state change with these; re-read the session then
        if (events.some((e) => e.type === 'done' || e.type === 'session_ended' || e.type === 'user_message')) refreshSoon();
      },
      onStatus: (next) => {
        if (next.kind === 'failed' && next.code === 'unauthorized') signed.rejected();
        setStatus(next);
      },
    });
    return () => {
      follower.close();
      if (refreshTimer !== undefined) clearTimeout(refreshTimer);
    };
  }, [id, signed]);

  useEffect(() => {
    const onScroll = () => {
      stickToBottom.current = innerHeight + scrollY >= document.documentElement.scrollHeight - 80;
    };
    addEventListener('scroll', onScroll, { passive: true });
    return () => removeEventListener('scroll', onScroll);
  }, []);
  useEffect(() => {
    // the page's end, not the last message's: the composer sits below the conversation
    if (stickToBottom.current) scrollTo({ top: document.documentElement.scrollHeight });
  }, [view]);

  const running = useMemo(() => unfinishedTurn(view), [view]);
  const active = session?.state === 'active' && !view.ended;

  const send = async (event: Event) => {
    event.preventDefault();
    if (!text.trim() || busy) return;
    setBusy('send');
    setActionProblem(undefined);
    try {
      await signed.api.sendMessage(id, text);
      setText('');
      stickToBottom.current = true;
    } catch (error) {
      fail(error, setActionProblem);
    } finally {
      setBusy(undefined);
    }
  };
  const abort = async () => {
    setBusy('abort');
    setActionProblem(undefined);
    try {
      await signed.api.abort(id);
    } catch (error) {
      fail(error, setActionProblem);
    } finally {
      setBusy(undefined);
    }
  };
  const end = async () => {
    setBusy('end');
    setActionProblem(undefined);
    try {
      setSession(await signed.api.endSession(id));
    } catch (error) {
      fail(error, setActionProblem);
    } finally {
      setBusy(undefined);
    }
  };

  if (problem && !session) {
    return (
      <section>
        <h1 tabIndex={-1}>Session not available</h1>
        <p class="problem" role="alert">{problem}</p>
        <p><a href="/" onClick={(e) => onLinkClick(e, '/')}>Back to the sessions</a></p>
      </section>
    );
  }

  return (
    <section class="session">
      <div class="page-head">
        <h1 tabIndex={-1}>{session?.title || `Session ${id.slice(0, 8)}`}</h1>
        {session && (
          <p class="meta">
            <span class={`badge state-${session.state}`}>{session.state}</span> {session.harness} · team {session.team} · {session.turns} turn{session.turns === 1 ? '' : 's'} · sandbox generation {session.sandboxGeneration}
          </p>
        )}
        <p class={`stream stream-${status.kind}`} role="status" aria-live="polite">{statusText(status)}</p>
      </div>
      {session?.error && (
        <p class="error-line">
          Session {session.state}: <code>{session.error.code}</code> {session.error.message}
        </p>
      )}
      <Conversation view={view} />
      {active ? (
        <form class="composer" onSubmit={send}>
          <label for="composer-message">Message</label>
          <textarea
            id="composer-message"
            rows={2}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send(e);
            }}
            aria-describedby="composer-hint"
          />
          {actionProblem && <p class="problem" role="alert">{actionProblem}</p>}
          <div class="actions">
            <span id="composer-hint" class="hint">Ctrl+Enter sends</span>
            <button type="submit" disabled={busy !== undefined || !text.trim()}>Send</button>
            {running && (
              <button type="button" class="warning" onClick={() => void abort()} disabled={busy !== undefined}>Abort</button>
            )}
            <button type="button" class="secondary danger" onClick={() => void end()} disabled={busy !== undefined}>End session</button>
          </div>
        </form>
      ) : (
        session && <p class="empty">This session is {session.state}; start a new session to go on.</p>
      )}
    </section>
  );
}
