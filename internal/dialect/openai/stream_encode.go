package openai

import (
	"encoding/json"
	"time"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// NewStreamEncoder returns an encoder of chat.completion.chunk events for
// one streamed reply to req.
func (Dialect) NewStreamEncoder(req *llm.Request) dialect.StreamEncoder {
	e := &streamEncoder{}
	if req != nil {
		e.model = req.Model
		e.usage = req.StreamUsage
	}
	return e
}

// encBlock remembers what an open canonical block turns into: its part
// type and, for tool calls, OpenAI's tool_calls index (a count of tool
// calls, not the block index, which also counts text and reasoning).
type encBlock struct {
	typ  llm.PartType
	tool int
}

type streamEncoder struct {
	id       string
	model    string
	created  int64
	usage    bool // the client asked for stream_options.include_usage
	started  bool
	finished bool
	blocks   dialect.Blocks[encBlock]
	tools    int

	// prefix is head's rendering of everything before a chunk's choices,
	// for the id, model and created it was made with.
	prefix        []byte
	prefixID      string
	prefixModel   string
	prefixCreated int64
}

var _ dialect.StreamEncoder = (*streamEncoder)(nil)

func (e *streamEncoder) Encode(dst []byte, ev llm.Event) []byte {
	if ev.Type == llm.EventPing {
		return dst
	}
	if ev.Type == llm.EventMessageStart {
		if ev.Model != "" {
			e.model = ev.Model
		}
		e.id = ev.ID
	}
	if !e.started {
		dst = e.start(dst)
	}
	switch ev.Type {
	case llm.EventBlockStart:
		dst = e.blockStart(dst, ev)
	case llm.EventBlockDelta:
		b, ok := e.blocks.Get(ev.Index)
		if !ok || ev.Text == "" {
			return dst // signature deltas and strays have no OpenAI form
		}
		dst = e.delta(dst, b, ev.Text)
	case llm.EventBlockStop:
		e.blocks.Delete(ev.Index)
	case llm.EventMessageDelta:
		dst = e.finish(dst, ev.StopReason, ev.Usage)
	case llm.EventMessageStop:
		if !e.finished {
			dst = e.finish(dst, llm.StopEndTurn, nil)
		}
		dst = sse.AppendEvent(dst, "", []byte("[DONE]"))
	}
	return dst
}

// start writes the first chunk, which OpenAI always sends: the assistant
// role with empty content.
func (e *streamEncoder) start(dst []byte) []byte {
	e.started = true
	e.id = completionID(e.id)
	e.created = time.Now().Unix()
	return e.roleChunk(dst)
}

func (e *streamEncoder) blockStart(dst []byte, ev llm.Event) []byte {
	if ev.Part == nil {
		return dst
	}
	b := encBlock{typ: ev.Part.Type}
	if b.typ == llm.PartToolCall {
		b.tool = e.tools
		e.tools++
		e.blocks.Set(ev.Index, b)
		tc := wireToolCall{Index: ptr(b.tool), Type: "function"}
		if c := ev.Part.ToolCall; c != nil {
			tc.ID, tc.Function = c.ID, wireFunction{Name: c.Name, Arguments: c.Arguments}
		}
		return e.chunk(dst, chunkDelta{ToolCalls: []wireToolCall{tc}}, nil)
	}
	e.blocks.Set(ev.Index, b)
	if ev.Part.Text != "" {
		dst = e.delta(dst, b, ev.Part.Text)
	}
	return dst
}

// delta writes text appended to a block, in the delta field its type uses.
// Text kinds go straight to textChunk: building a chunkDelta would move the
// text to the heap (its field is a pointer), an allocation per event.
func (e *streamEncoder) delta(dst []byte, b encBlock, text string) []byte {
	switch b.typ {
	case llm.PartText:
		return e.textChunk(dst, "content", text)
	case llm.PartReasoning:
		return e.textChunk(dst, "reasoning_content", text)
	case llm.PartRefusal:
		return e.textChunk(dst, "refusal", text)
	case llm.PartToolCall:
		d := chunkDelta{ToolCalls: []wireToolCall{{Index: ptr(b.tool), Function: wireFunction{Arguments: text}}}}
		return e.chunk(dst, d, nil)
	}
	return dst
}

// finish writes the finish_reason chunk and, when the client asked for
// usage, OpenAI's usage-only chunk with an empty choices array.
func (e *streamEncoder) finish(dst []byte, r llm.StopReason, u *llm.Usage) []byte {
	if e.finished {
		return dst
	}
	e.finished = true
	dst = e.finishChunk(dst, finishReason(r))
	if !e.usage {
		return dst
	}
	var usage llm.Usage
	if u != nil {
		usage = *u
	}
	var buf [256]byte
	return e.usageChunk(dst, appendUsage(buf[:0], usage))
}

func (e *streamEncoder) chunk(dst []byte, d chunkDelta, finish *string) []byte {
	if finish == nil {
		if key, text, ok := d.textOnly(); ok {
			return e.textChunk(dst, key, text)
		}
	}
	return e.chunkJSON(dst, d, finish)
}

// chunkJSON renders any chunk through encoding/json; textChunk is its
// hand-written twin for the common one, a text delta.
func (e *streamEncoder) chunkJSON(dst []byte, d chunkDelta, finish *string) []byte {
	c := chatChunk{ID: e.id, Object: "chat.completion.chunk", Created: e.created, Model: e.model,
		Choices: []chunkChoice{{Delta: d, FinishReason: finish}}}
	if e.usage {
		c.Usage = json.RawMessage("null") // as OpenAI writes it on every chunk
	}
	data, _ := json.Marshal(c) // strings, ints and raw JSON we wrote: cannot fail
	return sse.AppendEvent(dst, "", data)
}

// EncodeError writes an in-band error the way OpenAI reports a failure
// after the stream has started: a data event holding {"error": {...}}.
func (e *streamEncoder) EncodeError(dst []byte, err *llm.Error) []byte {
	return sse.AppendEvent(dst, "", Dialect{}.EncodeError(err))
}
