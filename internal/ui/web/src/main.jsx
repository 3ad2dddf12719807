// The console's shell: session check, login form, left nav and a tiny
// history-API router over /ui/... paths (the server answers index.html for
// every extension-less /ui/ path, so reloads land on the same page).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import * as api from './api.js';
import { Overview } from './pages/overview.jsx';
import { Keys } from './pages/keys.jsx';
import { Usage } from './pages/usage.jsx';
import { Requests } from './pages/requests.jsx';
import { Providers } from './pages/providers.jsx';
import { Playground } from './pages/playground.jsx';

const pages = [
  { path: '/ui/', id: 'overview', label: 'Overview', view: Overview },
  { path: '/ui/keys', id: 'keys', label: 'Keys & teams', view: Keys },
  { path: '/ui/usage', id: 'usage', label: 'Usage', view: Usage },
  { path: '/ui/requests', id: 'requests', label: 'Requests', view: Requests },
  { path: '/ui/providers', id: 'providers', label: 'Providers', view: Providers },
  { path: '/ui/playground', id: 'playground', label: 'Playground', view: Playground },
];

function NotFound() {
  return (
    <div class="page">
      <h1>No such page</h1>
      <p class="muted">
        <code>{location.pathname}</code> is not a page of the console; pick one on the left.
      </p>
    </div>
  );
}

const notFound = { path: '', id: 'not-found', label: 'Not found', view: NotFound };

function pageFor(pathname) {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/ui' || p === '/') return pages[0];
  return pages.find((x) => x.path.replace(/\/+$/, '') === p) || notFound;
}

function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const on = () => setPath(location.pathname);
    addEventListener('popstate', on);
    return () => removeEventListener('popstate', on);
  }, []);
  const go = (to) => {
    if (to !== location.pathname) history.pushState(null, '', to);
    setPath(to);
  };
  return [path, go];
}

function Login({ onIn }) {
  const [key, setKey] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setErr('');
    try {
      await api.login(key);
      setKey('');
      onIn();
    } catch (x) {
      setErr(x.message || String(x));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <form class="card login-card" onSubmit={submit}>
        <h1 class="brand">railyard</h1>
        <p class="muted">Sign in with the gateway's master key (<code>auth.master_key</code>).</p>
        <label>
          Master key
          <input
            data-testid="login-key"
            type="password"
            autocomplete="current-password"
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
            autofocus
          />
        </label>
        <button data-testid="login-submit" type="submit" class="primary" disabled={busy || key === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="error" data-testid="login-error" role="alert">{err}</p>
      </form>
    </main>
  );
}

function Shell({ onOut }) {
  const [path, go] = usePath();
  const page = pageFor(path);
  const View = page.view;
  useEffect(() => {
    document.title = `${page.label} · railyard console`;
  }, [page]);
  const logout = async () => {
    await api.logout().catch(() => {});
    onOut();
  };
  return (
    <div class="shell">
      <nav class="nav">
        <div class="brand">railyard</div>
        {pages.map((p) => (
          <a
            key={p.id}
            href={p.path}
            data-testid={'nav-' + p.id}
            class={p === page ? 'active' : ''}
            aria-current={p === page ? 'page' : undefined}
            onClick={(e) => {
              if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
              e.preventDefault();
              go(p.path);
            }}
          >
            {p.label}
          </a>
        ))}
        <div class="grow" />
        <button class="link" data-testid="nav-logout" onClick={logout}>
          Sign out
        </button>
      </nav>
      <main class="content">
        <View key={page.id} />
      </main>
    </div>
  );
}

function App() {
  const [state, setState] = useState('checking');
  const [err, setErr] = useState('');
  useEffect(() => {
    api.session().then(setState, (x) => {
      setErr(x.message);
      setState('out');
    });
    return api.onUnauthorized(() => setState('out'));
  }, []);
  if (state === 'checking') return <p class="muted pad">Loading…</p>;
  if (state === 'off') {
    return (
      <main class="login">
        <div class="card login-card">
          <h1 class="brand">railyard</h1>
          <p>The console is off: the admin API needs <code>auth.master_key</code>.</p>
        </div>
      </main>
    );
  }
  if (state === 'out') {
    return (
      <>
        {err ? <p class="error pad">{err}</p> : null}
        <Login onIn={() => setState('in')} />
      </>
    );
  }
  return <Shell onOut={() => setState('out')} />;
}

render(<App />, document.getElementById('app'));
