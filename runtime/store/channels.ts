/** LISTEN/NOTIFY channels between runtime replicas (payloads: `<session id>[:<n>]`). */
/** events up to a seq were committed: `<session>:<lastSeq>` */
export const EVENTS_CHANNEL = 'paddock_events';
/** a turn became runnable or finished: `<session>` */
export const TURNS_CHANNEL = 'paddock_turns';
/** an abort was requested for a running turn: `<session>:<turn>` */
export const ABORTS_CHANNEL = 'paddock_aborts';
export const ALL_CHANNELS = [EVENTS_CHANNEL, TURNS_CHANNEL, ABORTS_CHANNEL] as const;
