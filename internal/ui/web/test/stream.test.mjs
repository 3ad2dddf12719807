// The playground's stream handling, without a browser: the SSE parser and
// the chunk folding over the OpenAI-compatible streams the gateway's own
// dialect tests use (../../../dialect/openai/testdata/streams), fed whole,
// byte by byte and at random split points, through a real ReadableStream.
//
//   cd internal/ui/web && npm test
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SSEParser, readSSE } from '../src/sse.js';
import { applyChunk, fresh, toolsOf } from '../src/chat.js';

const here = dirname(fileURLToPath(import.meta.url));
const streams = join(here, '..', '..', '..', 'dialect', 'openai', 'testdata', 'streams');
const load = (name) => readFileSync(join(streams, name));

// fold parses SSE bytes delivered in the given pieces and folds the chunks.
async function fold(pieces) {
  const body = new ReadableStream({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });
  const reply = fresh();
  let done = 0;
  await readSSE(new Response(body), (ev) => {
    if (ev.data === '[DONE]') {
      done++;
      return;
    }
    applyChunk(reply, JSON.parse(ev.data));
  });
  return { reply, done };
}

// splits returns the bytes whole, byte by byte, and cut at random points.
function splits(bytes, seed) {
  let s = seed;
  const rand = (n) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
  const out = [[bytes], [...bytes].map((b) => Uint8Array.of(b))];
  for (let k = 0; k < 20; k++) {
    const pieces = [];
    let i = 0;
    while (i < bytes.length) {
      const n = 1 + rand(40);
      pieces.push(bytes.subarray(i, i + n));
      i += n;
    }
    out.push(pieces);
  }
  return out;
}

const cases = [
  {
    file: 'deepseek-reasoner.sse',
    want: { text: '9.8 is greater.', reasoning: 'Compare 9.11 and 9.8.', tools: [], finish: 'stop', model: 'deepseek-reasoner', completion: 80, done: 1 },
  },
  {
    file: 'openai-parallel-tools.sse',
    want: {
      text: '',
      reasoning: '',
      tools: [
        { id: 'call_A', name: 'get_weather', args: '{"location": "Paris"}' },
        { id: 'call_B', name: 'get_weather', args: '{"location": "Tokyo"}' },
      ],
      finish: 'tool_calls',
      model: 'gpt-4.1-2025-04-14',
      completion: 40,
      done: 1,
    },
  },
  {
    file: 'whole-tool-calls-no-done.sse',
    want: {
      text: '',
      reasoning: 'User wants two cities.',
      tools: [
        { id: 'call_x1', name: 'get_weather', args: '{"city":"Paris"}' },
        { id: 'call_x2', name: 'get_weather', args: '{"city":"Oslo"}' },
      ],
      finish: 'tool_calls',
      model: 'qwen3:8b',
      completion: 38,
      done: 0,
    },
  },
  {
    file: 'vllm-crlf.sse',
    want: { text: 'Hello there', reasoning: '', tools: [], finish: 'length', model: 'meta-llama/Llama-3.1-8B-Instruct', completion: 2, done: 1 },
  },
];

for (const c of cases) {
  test(`stream ${c.file}: whole, byte by byte and at random splits`, async () => {
    const bytes = load(c.file);
    for (const [i, pieces] of splits(bytes, 7 + bytes.length).entries()) {
      const { reply, done } = await fold(pieces);
      const what = `${c.file} split ${i} (${pieces.length} pieces)`;
      assert.equal(reply.text, c.want.text, what);
      assert.equal(reply.reasoning, c.want.reasoning, what);
      assert.deepEqual(reply.tools, c.want.tools, what);
      assert.equal(reply.finish, c.want.finish, what);
      assert.equal(reply.model, c.want.model, what);
      assert.equal(reply.usage && reply.usage.completion_tokens, c.want.completion, what);
      assert.equal(done, c.want.done, what);
    }
  });
}

test('multi-byte characters split across chunks survive', async () => {
  const text = 'héllo — 日本語 🚀';
  const sse = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: text } }] })}\n\ndata: [DONE]\n\n`;
  for (const pieces of splits(new TextEncoder().encode(sse), 3)) {
    const { reply } = await fold(pieces);
    assert.equal(reply.text, text);
  }
});

test('SSE rules: CR, LF and CRLF endings, comments, multi-line data, event names, no final blank line', () => {
  const got = [];
  const p = new SSEParser((e) => got.push(e));
  p.push(': keep-alive\r\n');
  p.push('event: error\rdata: a\r');
  p.push('\ndata: b\n\n');
  p.push('data:no-space\r\n\r\n');
  p.push('id: 1\nretry: 5\n\n'); // no data: no event
  p.push('data: last');
  p.end();
  assert.deepEqual(got, [
    { event: 'error', data: 'a\nb' },
    { event: 'message', data: 'no-space' },
    { event: 'message', data: 'last' },
  ]);
});

test('a CR at the end of one chunk and an LF at the start of the next are one line end', () => {
  const got = [];
  const p = new SSEParser((e) => got.push(e.data));
  p.push('data: x\r');
  p.push('\n\r');
  p.push('\n');
  p.push('data: y\r\n\r\n');
  assert.deepEqual(got, ['x', 'y']);
});

test('a complete (non-stream) reply folds like one chunk', () => {
  const r = applyChunk(fresh(), {
    model: 'm',
    usage: { prompt_tokens: 1, completion_tokens: 2 },
    choices: [{ delta: { content: 'hi', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'stop' }],
  });
  assert.equal(r.text, 'hi');
  assert.deepEqual(r.tools, [{ id: 't', name: 'f', args: '{}' }]);
  assert.equal(r.finish, 'stop');
});

test('the playground tools field takes OpenAI tools or bare functions, and names what is wrong', () => {
  const fn = { name: 'f', parameters: { type: 'object' } };
  assert.deepEqual(toolsOf(JSON.stringify([fn])), [{ type: 'function', function: fn }]);
  assert.deepEqual(toolsOf(JSON.stringify(fn)), [{ type: 'function', function: fn }]);
  const full = { type: 'function', function: fn };
  assert.deepEqual(toolsOf(JSON.stringify([full])), [full]);
  assert.throws(() => toolsOf('[{'), /tools: not JSON/);
  assert.throws(() => toolsOf('[1]'), /tools\[0\]: not an object/);
  assert.throws(() => toolsOf('[{"description":"x"}]'), /tools\[0\]: want/);
});
