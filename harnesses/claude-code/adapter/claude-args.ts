/**
 * The `claude` command line for one turn (pure). Print mode with streaming JSON in and partial
 * messages out, so text arrives as deltas; the session is either resumed (`--resume <id>`, the
 * CLI's own transcript) or started under an id the adapter chose (`--session-id <uuid>`), so the
 * next turn can resume it without parsing anything first.
 */

export type PermissionMode = 'acceptEdits' | 'auto' | 'bypassPermissions' | 'manual' | 'dontAsk' | 'plan';
export const PERMISSION_MODES: readonly PermissionMode[] = ['acceptEdits', 'auto', 'bypassPermissions', 'manual', 'dontAsk', 'plan'];

export interface ClaudeTurnPlan {
  /** resume this CLI session, or start a new one with this id */
  readonly session: { readonly mode: 'resume' | 'new'; readonly id: string };
  readonly permissionMode: PermissionMode;
  readonly model?: string | undefined;
  /** operator-supplied extra flags (PADDOCK_CLAUDE_EXTRA_ARGS), appended last */
  readonly extraArgs?: readonly string[];
}

export function claudeArgs(plan: ClaudeTurnPlan): string[] {
  return [
    '--print',
    '--output-format',
    'stream-json',
    '--verbose',
    '--include-partial-messages',
    '--input-format',
    'text',
    '--permission-mode',
    plan.permissionMode,
    ...(plan.model ? ['--model', plan.model] : []),
    ...(plan.session.mode === 'resume' ? ['--resume', plan.session.id] : ['--session-id', plan.session.id]),
    ...(plan.extraArgs ?? []),
  ];
}
