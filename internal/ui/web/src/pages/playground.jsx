// Playground: a chat with any model the gateway serves, sent through the
// whole pipeline (routing, metering, ledger) as the console, and streamed
// back: text appears as SSE chunks arrive; reasoning and tool calls are
// shown when the model sends them; Stop aborts the request.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as api from '../api.js';
import * as f from '../format.js';
import { readSSE } from '../sse.js';
import { applyChunk, fresh, toolsOf } from '../chat.js';
import { ErrorBox, PageHead, useLoad } from '../ui.jsx';

const endpoint = '/admin/api/playground/chat/completions';


// costOf finds a finished request's cost: the header of a complete reply,
// else (a stream's cost is a trailer fetch cannot read) the request log.
// The log is searched through its list (the console's own newest requests)
// rather than /admin/api/requests/{id}: a stopped stream's entry is written
// a moment after the browser let go, and a 404 meanwhile would show as an
// error in the browser's console.
async function costOf(headers, signal) {
  const h = headers.get('x-railyard-cost-usd');
  if (h) return Number(h);
  const id = headers.get('x-request-id');
  if (!id) return null;
  for (let i = 0; i < 6; i++) {
    try {
      const r = await api.get('/admin/api/requests' + api.query({ key: 'console', limit: 50 }), { signal });
      const e = ((r && r.requests) || []).find((x) => x.id === id);
      if (e && typeof e.cost_usd === 'number') return e.cost_usd;
    } catch (e) {
      return null;
    }
    await new Promise((ok) => setTimeout(ok, 200 * (i + 1)));
  }
  return null;
}

// headerMeta is the meta the headers give as soon as they arrive.
const headerMeta = (headers) => ({
  route: headers.get('x-railyard-route') || '',
  provider: headers.get('x-railyard-provider') || '',
  model: headers.get('x-railyard-model') || '',
  requestId: headers.get('x-request-id') || '',
});

function Reply({ r, testid, live }) {
  return (
    <div class="msg assistant">
      <div class="who">assistant{r.model ? ` · ${r.model}` : ''}</div>
      {r.reasoning ? (
        <details class="reasoning" open={live} data-testid="playground-reasoning">
          <summary>reasoning</summary>
          <pre>{r.reasoning}</pre>
        </details>
      ) : null}
      <div class="text" data-testid={testid}>
        {r.text}
      </div>
      {r.tools.filter(Boolean).map((t, i) => (
        <div class="tool" key={i} data-testid="playground-tool-call">
          <span class="muted small">tool call</span> <strong class="mono">{t.name}</strong>
          <pre>{t.args}</pre>
        </div>
      ))}
    </div>
  );
}

export function Playground() {
  const models = useLoad((signal) => api.get('/admin/api/models', { signal }), []);
  const ids = ((models.data && models.data.data) || []).map((m) => m.id);
  const [model, setModel] = useState('');
  const [system, setSystem] = useState('');
  const [input, setInput] = useState('');
  const [maxTokens, setMaxTokens] = useState('');
  const [effort, setEffort] = useState('');
  const [tools, setTools] = useState('');
  const [history, setHistory] = useState([]); // earlier turns: {role, content, reply?}
  const [reply, setReply] = useState(null);
  const [meta, setMeta] = useState(null);
  const [err, setErr] = useState(null);
  const [running, setRunning] = useState(false);
  const ctl = useRef(null);
  // lookup cancels the cost lookup of the last reply: the next send, Clear
  // or leaving the page ends it, so a late answer never lands on a newer
  // reply's meta.
  const lookup = useRef(null);

  useEffect(() => {
    if (!model && ids.length) setModel(ids[0]);
  }, [ids.join('\n')]);
  useEffect(
    () => () => {
      if (ctl.current) ctl.current.abort();
      if (lookup.current) lookup.current.abort();
    },
    [],
  );

  const send = async (e) => {
    if (e) e.preventDefault();
    const text = input.trim();
    if (!text || !model || running) return;
    const prior = reply && reply.text !== undefined ? [...history, { role: 'assistant', content: reply.text, reply }] : history;
    const turns = [...prior, { role: 'user', content: text }];
    const messages = [];
    if (system.trim()) messages.push({ role: 'system', content: system.trim() });
    // An earlier reply that was only tool calls is left out: the playground
    // does not run tools, and a tool call without its result is refused.
    for (const t of turns) if (t.content) messages.push({ role: t.role, content: t.content });
    const body = { model, messages, stream: true, stream_options: { include_usage: true } };
    const mt = parseInt(maxTokens, 10);
    if (mt > 0) body.max_tokens = mt;
    if (effort) body.reasoning_effort = effort;
    if (tools.trim()) {
      try {
        body.tools = toolsOf(tools);
      } catch (x) {
        setErr(x);
        return;
      }
    }

    if (lookup.current) lookup.current.abort();
    setHistory(turns);
    setInput('');
    setErr(null);
    setMeta(null);
    const r = fresh();
    setReply({ ...r });
    setRunning(true);
    const abort = new AbortController();
    ctl.current = abort;
    const started = performance.now();
    let first = 0;
    let headers = null;
    let ended = null; // the meta of a reply that ended, before its cost is known
    try {
      const res = await api.request('POST', endpoint, { body, signal: abort.signal });
      headers = res.headers;
      const base = headerMeta(headers);
      setMeta(base);
      if (!(headers.get('content-type') || '').includes('text/event-stream')) {
        // A complete (non-stream) answer: fold it in as one chunk.
        const whole = await res.json();
        const m = (whole.choices && whole.choices[0] && whole.choices[0].message) || {};
        applyChunk(r, { model: whole.model, usage: whole.usage, choices: [{ delta: m, finish_reason: whole.choices?.[0]?.finish_reason }] });
        setReply({ ...r, tools: [...r.tools] });
      } else {
        await readSSE(res, (ev) => {
          if (ev.data === '[DONE]') return;
          let chunk;
          try {
            chunk = JSON.parse(ev.data);
          } catch {
            return;
          }
          if (chunk.error) {
            setErr(new Error(chunk.error.message || JSON.stringify(chunk.error)));
            return;
          }
          if (!first) first = performance.now();
          applyChunk(r, chunk);
          setReply({ ...r, tools: [...r.tools] });
        });
      }
      ended = { ...base, elapsed: performance.now() - started, ttft: first ? first - started : null, usage: r.usage, finish: r.finish, cost: undefined };
      setMeta(ended);
    } catch (x) {
      if (x.name === 'AbortError') {
        r.finish = 'stopped';
        setReply({ ...r, tools: [...r.tools] });
        if (headers) {
          // A stopped stream is still metered for what it streamed.
          ended = { ...headerMeta(headers), elapsed: performance.now() - started, ttft: first ? first - started : null, usage: r.usage, finish: 'stopped by you', cost: undefined };
          setMeta(ended);
        } else {
          setMeta((m) => ({ ...(m || {}), finish: 'stopped by you' }));
        }
      } else {
        setErr(x);
      }
    } finally {
      if (ctl.current === abort) ctl.current = null;
      setRunning(false);
    }
    // The reply has ended (Send is free again); its cost comes after, from
    // the header of a complete answer or from the request log.
    if (ended) {
      const look = new AbortController();
      lookup.current = look;
      const cost = await costOf(headers, look.signal);
      if (look.signal.aborted) return;
      if (lookup.current === look) lookup.current = null;
      setMeta({ ...ended, cost });
    }
  };
  const stop = () => ctl.current && ctl.current.abort();
  const clear = () => {
    stop();
    if (lookup.current) lookup.current.abort();
    setHistory([]);
    setReply(null);
    setMeta(null);
    setErr(null);
  };

  return (
    <div class="page">
      <PageHead title="Playground" />
      <ErrorBox error={models.error} />
      <div class="playground">
        <form class="card form" onSubmit={send}>
          <label class="field">
            <span>Model</span>
            <select data-testid="playground-model" value={model} onChange={(e) => setModel(e.currentTarget.value)}>
              {ids.length === 0 ? <option value="">(no models)</option> : null}
              {ids.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>System prompt</span>
            <textarea data-testid="playground-system" rows="3" value={system} onInput={(e) => setSystem(e.currentTarget.value)} placeholder="optional" />
          </label>
          <label class="field">
            <span>Max tokens</span>
            <input data-testid="playground-max-tokens" value={maxTokens} inputmode="numeric" onInput={(e) => setMaxTokens(e.currentTarget.value)} placeholder="default" />
          </label>
          <label class="field">
            <span>Reasoning effort</span>
            <select data-testid="playground-effort" value={effort} onChange={(e) => setEffort(e.currentTarget.value)}>
              <option value="">not asked</option>
              <option value="low">low</option>
              <option value="medium">medium</option>
              <option value="high">high</option>
            </select>
          </label>
          <details class="field" open={tools !== ''}>
            <summary>Tools (JSON)</summary>
            <textarea
              data-testid="playground-tools"
              rows="4"
              class="mono"
              value={tools}
              onInput={(e) => setTools(e.currentTarget.value)}
              placeholder={'[{"name": "get_weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}]'}
            />
          </details>
          <label class="field">
            <span>Message</span>
            <textarea
              data-testid="playground-input"
              rows="5"
              value={input}
              onInput={(e) => setInput(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e);
              }}
              placeholder="Say something (Ctrl+Enter sends)"
            />
          </label>
          <div class="row">
            <button type="submit" class="primary" data-testid="playground-send" disabled={running || !model || !input.trim()}>
              Send
            </button>
            <button type="button" data-testid="playground-stop" onClick={stop} disabled={!running}>
              Stop
            </button>
            <button type="button" data-testid="playground-clear" onClick={clear} disabled={running}>
              Clear
            </button>
          </div>
        </form>
        <section class="card transcript">
          {history.length === 0 && !reply ? <p class="muted">The reply streams here.</p> : null}
          {history.map((t, i) =>
            t.role === 'user' ? (
              <div class="msg user" key={i}>
                <div class="who">you</div>
                <div class="text">{t.content}</div>
              </div>
            ) : (
              <Reply key={i} r={t.reply} />
            ),
          )}
          {reply ? <Reply r={reply} testid="playground-output" live={running} /> : <div data-testid="playground-output" />}
          {running ? <div class="muted small">streaming…</div> : null}
          <ErrorBox error={err} testid="playground-error" />
          <div class="meta" data-testid="playground-meta">
            {meta ? <Meta m={meta} /> : null}
          </div>
        </section>
      </div>
    </div>
  );
}

function Meta({ m }) {
  const u = m.usage;
  return (
    <dl class="kv small">
      {m.route ? (
        <>
          <dt>Route</dt>
          <dd class="mono" data-testid="playground-route">
            {m.route}
          </dd>
        </>
      ) : null}
      <dt>Provider</dt>
      <dd data-testid="playground-provider">{m.provider || '—'}</dd>
      <dt>Model</dt>
      <dd data-testid="playground-served-model">{m.model || '—'}</dd>
      {m.elapsed !== undefined ? (
        <>
          <dt>Time</dt>
          <dd>
            {f.msUnit(m.elapsed)}
            {m.ttft ? `, first token after ${f.msUnit(m.ttft)}` : ''}
          </dd>
        </>
      ) : null}
      {u ? (
        <>
          <dt>Tokens</dt>
          <dd>
            {f.int(u.prompt_tokens)} in / {f.int(u.completion_tokens)} out
          </dd>
        </>
      ) : null}
      {m.finish ? (
        <>
          <dt>Finish</dt>
          <dd>{m.finish}</dd>
        </>
      ) : null}
      {m.elapsed !== undefined ? (
        <>
          <dt>Cost</dt>
          <dd data-testid="playground-cost">{m.cost === undefined ? '…' : m.cost === null ? 'not known' : f.usd(m.cost)}</dd>
        </>
      ) : null}
    </dl>
  );
}
