/**
 * The API token lives in this tab's sessionStorage only: gone when the tab closes, never in a
 * URL, a cookie (so no CSRF surface) or localStorage shared with other tabs.
 */
const KEY = 'paddock.apiToken';

export interface TokenStore {
  get(): string | undefined;
  set(token: string): void;
  clear(): void;
}

export function sessionTokenStore(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>): TokenStore {
  return {
    get: () => storage.getItem(KEY) ?? undefined,
    set: (token) => storage.setItem(KEY, token),
    clear: () => storage.removeItem(KEY),
  };
}
