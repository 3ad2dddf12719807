// Folding an OpenAI chat-completions stream into the reply the playground
// shows: text, reasoning, tool calls (arguments arrive in pieces, keyed by
// index), usage from the final chunk, finish reason.

// fresh is an empty reply.
export const fresh = () => ({ text: '', reasoning: '', tools: [], usage: null, finish: '', model: '' });

// applyChunk folds one chat.completion.chunk into the reply being built.
export function applyChunk(reply, chunk) {
  if (chunk.model) reply.model = chunk.model;
  if (chunk.usage) reply.usage = chunk.usage;
  for (const c of chunk.choices || []) {
    if (c.index !== undefined && c.index !== 0) continue;
    const d = c.delta || {};
    if (typeof d.content === 'string') reply.text += d.content;
    if (typeof d.reasoning_content === 'string') reply.reasoning += d.reasoning_content;
    if (typeof d.reasoning === 'string') reply.reasoning += d.reasoning;
    if (typeof d.refusal === 'string') reply.text += d.refusal;
    for (const tc of d.tool_calls || []) {
      const i = tc.index ?? reply.tools.length;
      const t = reply.tools[i] || (reply.tools[i] = { id: '', name: '', args: '' });
      if (tc.id) t.id = tc.id;
      if (tc.function && tc.function.name && !t.name) t.name = tc.function.name;
      if (tc.function && typeof tc.function.arguments === 'string') t.args += tc.function.arguments;
    }
    if (c.finish_reason) reply.finish = c.finish_reason;
  }
  return reply;
}

// toolsOf reads the tools field: a JSON array of OpenAI tools, or of bare
// function definitions ({name, description, parameters}) wrapped here.
export function toolsOf(text) {
  let v;
  try {
    v = JSON.parse(text);
  } catch (x) {
    throw new Error('tools: not JSON: ' + x.message);
  }
  if (!Array.isArray(v)) v = [v];
  return v.map((t, i) => {
    if (!t || typeof t !== 'object') throw new Error(`tools[${i}]: not an object`);
    if (t.type === 'function' && t.function) return t;
    if (typeof t.name === 'string') return { type: 'function', function: t };
    throw new Error(`tools[${i}]: want {"type":"function","function":{...}} or {"name":...,"parameters":{...}}`);
  });
}
