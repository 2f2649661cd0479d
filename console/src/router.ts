/** The few client routes, in the History API (the runtime answers index.html for each). */
import { useEffect, useState } from 'preact/hooks';

export type Route = { readonly page: 'sessions' } | { readonly page: 'session'; readonly id: string } | { readonly page: 'admin' } | { readonly page: 'usage' } | { readonly page: 'audit' } | { readonly page: 'not_found' };

export function parseRoute(pathname: string): Route {
  if (pathname === '/' || pathname === '/sessions') return { page: 'sessions' };
  const session = /^\/sessions\/([0-9a-fA-F-]{36})$/.exec(pathname);
  if (session) return { page: 'session', id: session[1]!.toLowerCase() };
  if (pathname === '/admin') return { page: 'admin' };
  if (pathname === '/usage') return { page: 'usage' };
  if (pathname === '/audit') return { page: 'audit' };
  return { page: 'not_found' };
}

const listeners = new Set<() => void>();

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  for (const listener of listeners) listener();
}

export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

/** a same-origin link that navigates without a reload (and still opens in a new tab) */
export function onLinkClick(event: MouseEvent, path: string): void {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
}
