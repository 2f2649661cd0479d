/**
 * The console's shell: sign-in with an API token (checked against GET /v1/harnesses, which also
 * says whether it is a team or the admin token), then the page the URL names.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, createApi, TOKEN_REJECTED, type Api, type HarnessListing } from './api.ts';
import { onLinkClick, parseRoute, usePath } from './router.ts';
import type { TokenStore } from './token-store.ts';
import { AdminPage } from './views/admin.tsx';
import { OptionalReport } from './views/optional-report.tsx';
import { SessionPage } from './views/session.tsx';
import { SessionsPage } from './views/sessions.tsx';
import { SignIn } from './views/sign-in.tsx';

export interface Signed {
  readonly api: Api;
  readonly listing: HarnessListing;
  /** the API said 401 later on: the token was revoked or rotated */
  readonly rejected: () => void;
  /** reports this runtime has (routes other releases may lack: a 404 hides them) */
  readonly reports: { readonly usage: boolean; readonly audit: boolean };
}

/** whether a report route exists: anything but its 404 (a 403 or 400 still means it is there) */
async function hasReport(api: Api, path: string): Promise<boolean> {
  try {
    return (await api.optional(path)) !== undefined;
  } catch {
    return true;
  }
}

export function App({ store }: { store: TokenStore }) {
  const [signed, setSigned] = useState<Signed | undefined>();
  const [checking, setChecking] = useState(() => store.get() !== undefined);
  const [message, setMessage] = useState<string | undefined>();

  const signOut = useCallback(
    (why?: string) => {
      store.clear();
      setSigned(undefined);
      setMessage(why);
    },
    [store],
  );

  const signIn = useCallback(
    async (token: string): Promise<string | undefined> => {
      const api = createApi(token);
      try {
        const listing = await api.harnesses();
        const [usage, audit] = await Promise.all([hasReport(api, '/v1/usage'), hasReport(api, '/v1/audit?limit=1')]);
        store.set(token);
        setMessage(undefined);
        setSigned({ api, listing, reports: { usage, audit }, rejected: () => signOut(`${TOKEN_REJECTED} any more; sign in again.`) });
        return undefined;
      } catch (error) {
        // only a refused token is forgotten: a runtime that is restarting keeps the tab signed in
        if (error instanceof ApiError && error.status === 401) store.clear();
        return error instanceof ApiError ? error.message : String(error);
      }
    },
    [store, signOut],
  );

  useEffect(() => {
    const token = store.get();
    if (token === undefined) return;
    void signIn(token).then((problem) => {
      if (problem) setMessage(store.get() === undefined ? problem : `${problem}. Reload the page to try again with the same token, or sign in below.`);
      setChecking(false);
    });
  }, [store, signIn]);

  if (checking && !signed) return <main class="centered"><p role="status">Signing in…</p></main>;
  if (!signed) return <SignIn onSignIn={signIn} notice={message} />;
  return <Shell signed={signed} signOut={() => signOut()} />;
}

function who(listing: HarnessListing): string {
  return listing.principal.kind === 'admin' ? 'admin' : `team ${listing.principal.team}`;
}

function Shell({ signed, signOut }: { signed: Signed; signOut: () => void }) {
  const path = usePath();
  const route = parseRoute(path);
  const first = useRef(true);
  useEffect(() => {
    // a new page: tell assistive technology, as a full page load would
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [path]);
  const admin = signed.listing.principal.kind === 'admin';
  // usage and the audit log are scoped by the API (a team sees its own), so any token gets them
  const links: Array<[string, string]> = [
    ['/', 'Sessions'],
    ...(admin ? [['/admin', 'Teams'] as [string, string]] : []),
    ...(signed.reports.usage ? [['/usage', 'Usage'] as [string, string]] : []),
    ...(signed.reports.audit ? [['/audit', 'Audit log'] as [string, string]] : []),
  ];
  return (
    <>
      <header class="topbar">
        <a class="brand" href="/" onClick={(e) => onLinkClick(e, '/')}>Paddock</a>
        <nav aria-label="Main">
          {links.map(([href, label]) => (
            <a key={href} href={href} aria-current={(href === '/' ? route.page === 'sessions' || route.page === 'session' : path === href) ? 'page' : undefined} onClick={(e) => onLinkClick(e, href)}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">Signed in as {who(signed.listing)}</span>
        <button type="button" class="secondary" onClick={signOut}>Sign out</button>
      </header>
      <main id="main">
        {route.page === 'sessions' && <SessionsPage signed={signed} />}
        {route.page === 'session' && <SessionPage key={route.id} signed={signed} id={route.id} />}
        {route.page === 'admin' && (admin ? <AdminPage signed={signed} /> : <NotAllowed />)}
        {route.page === 'usage' && <OptionalReport key="usage" signed={signed} path="/v1/usage" title="Usage" choices={[{ name: 'groupBy', label: 'Group by', options: ['team', 'harness', 'session'] }]} />}
        {route.page === 'audit' && <OptionalReport key="audit" signed={signed} path="/v1/audit" title="Audit log" />}
        {route.page === 'not_found' && (
          <section>
            <h1 tabIndex={-1}>Not found</h1>
            <p>
              There is no page {path}. <a href="/" onClick={(e) => onLinkClick(e, '/')}>Back to the sessions</a>.
            </p>
          </section>
        )}
      </main>
    </>
  );
}

function NotAllowed() {
  return (
    <section>
      <h1 tabIndex={-1}>Admins only</h1>
      <p>This page needs the admin token.</p>
    </section>
  );
}
