/**
 * History replay: when the CLI has no session of its own for this conversation (a fresh sandbox
 * after a crash, or a CLI without resume), the history the runtime hands over is put in front of
 * the new message, so the agent continues with context. The layout is plain tagged text that
 * any model reads; the new message always comes last, inside <current_message>.
 */
import type { HistoryMessage } from '../protocol/types.ts';

export function replayPrompt(history: readonly HistoryMessage[], input: string): string {
  if (history.length === 0) return input;
  const transcript = history.map((m) => `<message role="${m.role}">\n${m.text}\n</message>`).join('\n');
  return [
    'This conversation continues an earlier session whose transcript follows. Treat it as what was',
    'said so far (your earlier replies are the "assistant" messages), then answer the current message.',
    '',
    '<conversation_history>',
    transcript,
    '</conversation_history>',
    '',
    '<current_message>',
    input,
    '</current_message>',
  ].join('\n');
}
