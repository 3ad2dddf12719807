// An incremental Server-Sent Events parser (the WHATWG event-stream rules):
// chunks may split anywhere — inside a line, between CR and LF, inside a
// multi-byte character (the TextDecoder in stream mode keeps those) — and
// lines end in LF, CRLF or CR. Comments (":") are skipped, "data" lines of
// one event are joined with "\n", a blank line dispatches.

export class SSEParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buf = '';
    this.pendingCR = false;
    this.reset();
  }

  reset() {
    this.event = '';
    this.data = [];
    this.hasData = false;
  }

  // push feeds decoded text.
  push(text) {
    if (this.pendingCR) {
      // A CR ended the previous chunk; an LF starting this one belongs to it.
      this.pendingCR = false;
      if (text.startsWith('\n')) text = text.slice(1);
    }
    this.buf += text;
    let start = 0;
    for (;;) {
      let i = start;
      const n = this.buf.length;
      while (i < n) {
        const c = this.buf.charCodeAt(i);
        if (c === 10 || c === 13) break;
        i++;
      }
      if (i >= n) break;
      const line = this.buf.slice(start, i);
      if (this.buf.charCodeAt(i) === 13) {
        if (i + 1 < n) {
          start = this.buf.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
        } else {
          this.pendingCR = true;
          start = i + 1;
        }
      } else {
        start = i + 1;
      }
      this.line(line);
    }
    this.buf = this.buf.slice(start);
  }

  // end flushes a final event the stream did not close with a blank line.
  end() {
    if (this.buf !== '') {
      this.line(this.buf);
      this.buf = '';
    }
    this.line('');
  }

  line(line) {
    if (line === '') {
      if (this.hasData) this.onEvent({ event: this.event || 'message', data: this.data.join('\n') });
      this.reset();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    let field = line;
    let value = '';
    if (colon >= 0) {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
    }
    if (field === 'data') {
      this.data.push(value);
      this.hasData = true;
    } else if (field === 'event') {
      this.event = value;
    }
  }
}

// readSSE reads a fetch Response body as SSE, calling onEvent per event,
// until the stream ends or signal aborts (then it rejects with AbortError).
export async function readSSE(res, onEvent) {
  const reader = res.body.getReader();
  const dec = new TextDecoder('utf-8');
  const p = new SSEParser(onEvent);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      p.push(dec.decode(value, { stream: true }));
    }
    p.push(dec.decode());
    p.end();
  } finally {
    reader.releaseLock();
  }
}
