/**
 * A replica's group commit of one kind of statement (ADR 0020): the requests made at the same
 * moment run as one statement, one commit, instead of one each through the pool. With nothing
 * else waiting, a request goes out at once (after the current tick), alone. At most
 * `maxInFlight` statements run at once; a key (a session) is in at most one of them, so two
 * requests of one key keep their order.
 *
 * Durability is unchanged: a request resolves only after the statement that holds it
 * committed. A statement the server refused wrote nothing (it is one transaction): a
 * deadlock is tried again; any other refusal of a statement of several requests is tried
 * again one request per statement, so a request the database refuses fails alone, not its
 * neighbours. Any other failure (the database unavailable, a connection lost, the outcome
 * unknown) fails them all, never resent: each caller handles it as it did alone.
 */
import { isDatabaseUnavailable } from './pool.ts';

interface Pending<Req, Res> {
  readonly request: Req;
  resolve(result: Res): void;
  reject(error: unknown): void;
}

export interface StatementBatcherOptions<Req> {
  /** requests of one key never share a statement nor run in two at once */
  readonly key: (request: Req) => string;
  /** statements in flight at once (each on its own connection) */
  readonly maxInFlight?: number;
  /** requests in one statement */
  readonly maxBatch?: number;
  /** what a request weighs, and the most one statement carries (a request alone always goes) */
  readonly weight?: (request: Req) => number;
  readonly maxWeight?: number;
}

/**
 * The key of a request about one session: its id as Postgres compares uuids (case does not
 * matter), so one session is never in two statements at once however its id was written.
 */
export const bySession = (request: { readonly sessionId: string }): string => request.sessionId.toLowerCase();

/** Postgres' deadlock_detected: the statement was rolled back whole, so it can run again. */
const DEADLOCK_DETECTED = '40P01';
const DEADLOCK_RETRIES = 3;
/** statements in flight at once when a refused statement's requests are tried one by one */
const FALLBACK_CONCURRENCY = 4;

/**
 * An error the server reported for the statement (a SQLSTATE with a severity): the statement's
 * transaction was rolled back, so running it again writes nothing twice. Anything else (a
 * socket error, an exception after the answer) leaves the outcome unknown: never resent.
 */
function refusedByServer(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && typeof severity === 'string';
}

export class StatementBatcher<Req, Res> {
  private pending: Pending<Req, Res>[] = [];
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private scheduled = false;
  private statementCount = 0;
  private readonly maxInFlight: number;
  private readonly maxBatch: number;
  private readonly maxWeight: number;

  /**
   * `run` executes one statement for `batch` and answers per request, in order: a result, or
   * an Error for that request alone (rejected; the others of the statement still resolve).
   */
  constructor(
    private readonly run: (batch: readonly Req[]) => Promise<(Res | Error)[]>,
    private readonly options: StatementBatcherOptions<Req>,
  ) {
    this.maxInFlight = options.maxInFlight ?? 2;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxWeight = options.maxWeight ?? Number.POSITIVE_INFINITY;
  }

  /** statements sent so far */
  get statements(): number {
    return this.statementCount;
  }

  /** Resolves once the statement holding `request` committed, with its result. */
  submit(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // the requests of this tick go out together
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.pending.length > 0) {
      const batch = this.take();
      if (batch.length === 0) return;
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        for (const entry of batch) this.busy.delete(this.options.key(entry.request));
        this.pump();
      });
    }
  }

  /** The pending requests for one statement: in arrival order, a key once, up to maxBatch and maxWeight. */
  private take(): Pending<Req, Res>[] {
    const batch: Pending<Req, Res>[] = [];
    const rest: Pending<Req, Res>[] = [];
    let weight = 0;
    // a key left out of this statement keeps its later requests out too (their order)
    const deferred = new Set<string>();
    for (const entry of this.pending) {
      const w = this.options.weight?.(entry.request) ?? 0;
      const fits = batch.length === 0 || (batch.length < this.maxBatch && weight + w <= this.maxWeight);
      const key = this.options.key(entry.request);
      if (fits && !this.busy.has(key) && !deferred.has(key)) {
        batch.push(entry);
        this.busy.add(key);
        weight += w;
      } else {
        rest.push(entry);
        deferred.add(key);
      }
    }
    this.pending = rest;
    return batch;
  }

  private async send(batch: readonly Pending<Req, Res>[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      this.statementCount++;
      let results: (Res | Error)[];
      try {
        results = await this.run(batch.map((entry) => entry.request));
      } catch (error) {
        if (refusedByServer(error) && (error as { code: string }).code === DEADLOCK_DETECTED && attempt < DEADLOCK_RETRIES) continue;
        if (batch.length > 1 && refusedByServer(error) && !isDatabaseUnavailable(error)) {
          // nothing was written: one statement per request (a few at a time, so one that
          // waits on a lock does not hold up the rest), so only the refused one fails
          let next = 0;
          const alone = async () => {
            while (next < batch.length) await this.send([batch[next++]!]);
          };
          await Promise.all(Array.from({ length: Math.min(FALLBACK_CONCURRENCY, batch.length) }, alone));
          return;
        }
        for (const entry of batch) entry.reject(error);
        return;
      }
      batch.forEach((entry, i) => {
        const result = results[i];
        if (result instanceof Error) entry.reject(result);
        else if (result === undefined) entry.reject(new Error('the statement answered fewer results than it was given requests'));
        else entry.resolve(result);
      });
      return;
    }
  }
}
