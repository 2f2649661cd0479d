/**
 * One LISTEN connection per replica, kept open across database restarts: it reconnects with
 * backoff and reports each reconnect, since notifications sent while it was away are lost
 * (consumers then re-read from Postgres).
 */
import pg from 'pg';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log.ts';
import { errorMessage } from '../log.ts';

export interface ListenerOptions {
  readonly connectionString: string;
  readonly channels: readonly string[];
  readonly onNotification: (channel: string, payload: string) => void;
  /** after the first connect and after every reconnect */
  readonly onConnected: (reconnect: boolean) => void;
  readonly log: Logger;
}

export class NotificationListener {
  private client: pg.Client | undefined;
  private closed = false;
  private connectedOnce = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: ListenerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.closed) {
      const client = new pg.Client({ connectionString: this.options.connectionString, keepAlive: true, connectionTimeoutMillis: 3_000, application_name: 'paddock-runtime-listen' });
      const lost = new Promise<void>((resolve) => {
        this.wake = resolve;
        // 'on', not 'once': a second error without a listener would crash the process
        client.on('error', (error) => {
          this.options.log.warn('notification connection lost', { error: errorMessage(error) });
          resolve();
        });
        client.once('end', () => resolve());
      });
      try {
        await client.connect();
        for (const channel of this.options.channels) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
        client.on('notification', (n) => this.options.onNotification(n.channel, n.payload ?? ''));
        this.client = client;
        backoff = 100;
        const reconnect = this.connectedOnce;
        this.connectedOnce = true;
        this.options.onConnected(reconnect);
        await lost;
      } catch (error) {
        if (!this.closed) this.options.log.debug('notification connection failed', { error: errorMessage(error) });
      } finally {
        this.client = undefined;
        client.removeAllListeners('notification');
        await client.end().catch(() => undefined);
      }
      if (this.closed) break;
      await delay(backoff);
      backoff = Math.min(backoff * 2, 2_000);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.loop;
  }
}
