/**
 * The fake model's "brain": a pure function from a conversation (as either wire API sees it)
 * to what the model does next. Deterministic, so tests can assert exact replies, and driven by
 * plain-text directives in the user's latest message so a harness under test needs no hook:
 *
 *   [[tool]]   call the CLI's shell tool with `echo <TOOL_MARKER>`, then report its output
 *   [[hang]]   start streaming, then never finish (until the client goes away)
 *   [[crash]]  call the shell tool with a command that SIGKILLs the nearest claude/codex ancestor
 *   [[error]]  answer with a non-retryable API error (HTTP 400)
 *   [[sleep]]  call the shell tool with a command that records its pid in ./paddock-sleeper.pid
 *              and sleeps for 5 minutes (to prove abort ends the CLI's children)
 *   [[env]]    call the shell tool with `env` (to prove what the agent can and cannot see)
 *   remember the word <W>   acknowledge; a later "what word ..." recalls <W> from the context
 *   anything else           echo the input in several deltas
 */

export const TOOL_MARKER = 'paddock-tool-ok';
export const HANG_PREAMBLE = 'Working on it';
export const ERROR_MESSAGE = 'fake model: this request was refused on purpose ([[error]])';

/** One message as the brain sees it, whatever the wire format. */
export interface BrainMessage {
  readonly role: 'user' | 'assistant';
  /** the text parts, in order */
  readonly texts: readonly string[];
  /** outputs of tool calls answered in this message (user side) */
  readonly toolResults: readonly string[];
}

export type BrainPlan =
  | { readonly kind: 'text'; readonly chunks: readonly string[] }
  | { readonly kind: 'shell'; readonly command: string; readonly preamble: string }
  | { readonly kind: 'hang'; readonly preamble: string }
  | { readonly kind: 'error'; readonly status: number; readonly message: string };

/**
 * A shell command that kills the agent CLI that runs it: it walks up /proc from its own shell to
 * the nearest ancestor whose command name is `claude` or `codex` and sends it SIGKILL, which is
 * what a real crash (OOM kill, segfault) looks like to the adapter.
 */
export const CRASH_COMMAND = [
  'p=$$',
  'while [ "$p" -gt 1 ]; do',
  '  c=$(cat /proc/$p/comm 2>/dev/null)',
  '  case "$c" in claude|codex|claude.exe) kill -9 "$p"; exit 0;; esac',
  "  p=$(awk '{print $4}' /proc/$p/stat 2>/dev/null || echo 1)",
  'done',
].join('\n');

/** Writes the shell's pid where the test can read it, then becomes a long sleep. */
export const SLEEP_COMMAND = 'echo $$ > paddock-sleeper.pid; exec sleep 300';
export const SLEEPER_PID_FILE = 'paddock-sleeper.pid';

/** Splits a reply into several deltas (word by word, spaces kept) so ordering is observable. */
export function chunk(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [text];
}

/**
 * The user's own latest words: the last text of the message that is not a harness-side wrapper
 * (Claude Code's system reminders). Earlier texts of the same message can be older requests,
 * e.g. the input of an aborted turn that Codex keeps in the thread before the new one.
 */
function userWords(message: BrainMessage): string {
  return message.texts.filter((t) => !t.trimStart().startsWith('<system-reminder>')).at(-1) ?? '';
}

/** The current request of a replayed transcript is the part after its last marker, if any. */
function latestRequest(text: string): string {
  const marker = text.lastIndexOf('<current_message>');
  return marker >= 0 ? text.slice(marker) : text;
}

export function think(messages: readonly BrainMessage[], options: { readonly canUseShell: boolean }): BrainPlan {
  const last = messages.at(-1);
  if (!last || last.role !== 'user') return { kind: 'text', chunks: chunk('Nothing to answer.') };
  if (last.toolResults.length > 0) {
    const output = last.toolResults.join('\n').trim();
    return { kind: 'text', chunks: chunk(`The tool said: ${output}`) };
  }
  const words = latestRequest(userWords(last));
  if (words.includes('[[error]]')) return { kind: 'error', status: 400, message: ERROR_MESSAGE };
  if (words.includes('[[hang]]')) return { kind: 'hang', preamble: HANG_PREAMBLE };
  if (words.includes('[[crash]]')) {
    if (!options.canUseShell) return { kind: 'text', chunks: chunk('I have no shell tool to crash with.') };
    return { kind: 'shell', command: CRASH_COMMAND, preamble: 'Crashing now.' };
  }
  if (words.includes('[[sleep]]') && options.canUseShell) return { kind: 'shell', command: SLEEP_COMMAND, preamble: 'Sleeping.' };
  if (words.includes('[[env]]') && options.canUseShell) return { kind: 'shell', command: 'env', preamble: 'Here is my environment.' };
  if (words.includes('[[tool]]')) {
    if (!options.canUseShell) return { kind: 'text', chunks: chunk('I have no shell tool.') };
    return { kind: 'shell', command: `echo ${TOOL_MARKER}`, preamble: 'Let me run a command.' };
  }
  if (/what word/i.test(words)) {
    const everything = messages.map((m) => [...m.texts, ...m.toolResults].join('\n')).join('\n');
    const remembered = [...everything.matchAll(/remember the word (\w[\w-]*)/gi)].at(-1)?.[1];
    return { kind: 'text', chunks: chunk(remembered ? `You asked me to remember ${remembered}.` : 'I do not know any word.') };
  }
  const remember = /remember the word (\w[\w-]*)/i.exec(words);
  if (remember) return { kind: 'text', chunks: chunk(`OK, I will remember ${remember[1]}.`) };
  const input = words.replace(/<\/?current_message>/g, '').trim();
  return { kind: 'text', chunks: chunk(`Fake model reply to: ${input}`) };
}
