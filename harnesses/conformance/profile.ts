/**
 * What the conformance suite needs to know about a harness: how to give it a fresh sandbox, and
 * which inputs make its agent reply, use a tool, hang, crash, fail and remember. Everything else
 * (the checks) is the same for every harness. See docs/harnesses.md.
 */

export interface ConformanceProfile {
  /** the harness folder name (harnesses/<name>/harness.yaml) */
  readonly harness: string;
  /**
   * The environment of one fresh sandbox (PATH, HOME, PADDOCK_WORKSPACE, gateway URL and key,
   * ...), called once per harness process the suite starts. PADDOCK_HARNESS_PORT/HOST and
   * PADDOCK_SANDBOX_TOKEN are set by the suite.
   */
  sandboxEnv(): Record<string, string | undefined>;
  readonly inputs: {
    /** a plain message; the reply must be exactly `expectedReply(simple)` */
    readonly simple: string;
    expectedReply(input: string, turn: number, historyLength: number): string;
    /** makes the agent call a tool and answer with its output */
    readonly tool: string;
    /** a substring the tool result carries */
    readonly toolOutput: string;
    /** makes the agent work until aborted */
    readonly hang: string;
    /** makes the agent process crash mid-turn */
    readonly crash: string;
    /** makes the agent fail the turn (e.g. the model API refuses) */
    readonly error: string;
    /** asks the agent to remember a word */
    remember(word: string): string;
    /** asks the agent for the word it was asked to remember */
    readonly recall: string;
  };
  /**
   * How a crash of the agent shows. "reported": the adapter survives its CLI and ends the turn
   * with `error` then `done {stopReason:"error"}`, then serves the next turn. "harness-exits":
   * the harness process is itself the agent (scripted), so the stream closes without `done`
   * and the process exits — which the runtime treats as a broken sandbox.
   */
  readonly crash: 'reported' | 'harness-exits';
  /** at least this many text deltas for `simple` (CLIs that report whole messages: 1) */
  readonly minDeltas: number;
  /** after a hanging turn started: resolves once the agent is really working (e.g. the model stream is open) */
  waitUntilWorking?(): Promise<void>;
  /** after an abort: resolves once the agent's work has really stopped (e.g. the model stream closed) */
  waitUntilStopped?(): Promise<void>;
  /** the time one turn may take on this machine */
  readonly turnDeadlineMs: number;
}
