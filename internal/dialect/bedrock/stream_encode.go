package bedrock

import (
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// NewStreamEncoder returns an encoder for one ConverseStream reply: binary
// eventstream messages, not SSE (see Dialect.ContentType).
func (Dialect) NewStreamEncoder(*llm.Request) dialect.StreamEncoder {
	return &streamEncoder{blocks: make(map[int]encBlock)}
}

// streamEncoder writes the ConverseStream sequence
//
//	messageStart (contentBlockStart? contentBlockDelta* contentBlockStop)*
//	messageStop metadata
//
// from canonical events. As Bedrock does, it sends contentBlockStart only
// for tool calls; blocks are numbered in start order.
type streamEncoder struct {
	started bool
	stopped bool
	blocks  map[int]encBlock // by canonical index
	next    int
}

type encBlock struct {
	index int
	typ   llm.PartType
	open  bool
}

// Encode appends the eventstream messages for ev to dst.
func (e *streamEncoder) Encode(dst []byte, ev llm.Event) []byte {
	if e.stopped || ev.Type == llm.EventPing {
		return dst
	}
	if !e.started {
		e.started = true
		dst = appendJSON(dst, "messageStart", streamMessageStart{Role: "assistant"})
		if ev.Type == llm.EventMessageStart {
			return dst
		}
	}
	switch ev.Type {
	case llm.EventBlockStart:
		return e.blockStart(dst, ev)
	case llm.EventBlockDelta:
		return e.blockDelta(dst, ev)
	case llm.EventBlockStop:
		b, ok := e.blocks[ev.Index]
		if !ok || !b.open {
			return dst
		}
		b.open = false
		e.blocks[ev.Index] = b
		return appendJSON(dst, "contentBlockStop", streamBlockStop{ContentBlockIndex: &b.index})
	case llm.EventMessageDelta:
		e.stopped = true
		dst = appendJSON(dst, "messageStop", streamMessageStop{StopReason: stopReasonOut(ev.StopReason)})
		u := llm.Usage{}
		if ev.Usage != nil {
			u = *ev.Usage
		}
		return appendJSON(dst, "metadata", streamMetadata{Usage: usageOut(u), Metrics: &wireMetrics{}})
	case llm.EventMessageStop:
		return e.Encode(dst, llm.Event{Type: llm.EventMessageDelta, StopReason: llm.StopEndTurn})
	}
	return dst
}

func (e *streamEncoder) blockStart(dst []byte, ev llm.Event) []byte {
	if _, seen := e.blocks[ev.Index]; seen || ev.Part == nil {
		return dst
	}
	p := ev.Part
	typ := p.Type
	switch typ {
	case llm.PartText, llm.PartRefusal:
		typ = llm.PartText
	case llm.PartToolCall:
		if p.ToolCall == nil {
			return dst
		}
	case llm.PartReasoning:
	default:
		return dst
	}
	b := encBlock{index: e.next, typ: typ, open: true}
	e.next++
	e.blocks[ev.Index] = b
	switch {
	case typ == llm.PartToolCall:
		start := map[string]any{"toolUse": map[string]string{"toolUseId": p.ToolCall.ID, "name": p.ToolCall.Name}}
		dst = appendJSON(dst, "contentBlockStart", map[string]any{"contentBlockIndex": b.index, "start": start})
		return e.blockDelta(dst, llm.Event{Index: ev.Index, Text: p.ToolCall.Arguments})
	case typ == llm.PartReasoning && p.Redacted != "":
		return appendDelta(dst, b.index, map[string]any{"reasoningContent": map[string]string{"redactedContent": p.Redacted}})
	}
	return e.blockDelta(dst, llm.Event{Index: ev.Index, Text: p.Text, Signature: p.Signature})
}

func (e *streamEncoder) blockDelta(dst []byte, ev llm.Event) []byte {
	b, ok := e.blocks[ev.Index]
	if !ok || !b.open {
		return dst
	}
	switch b.typ {
	case llm.PartText:
		if ev.Text != "" {
			dst = appendDelta(dst, b.index, map[string]string{"text": ev.Text})
		}
	case llm.PartToolCall:
		if ev.Text != "" {
			dst = appendDelta(dst, b.index, map[string]any{"toolUse": map[string]string{"input": ev.Text}})
		}
	case llm.PartReasoning:
		if ev.Text != "" {
			dst = appendDelta(dst, b.index, map[string]any{"reasoningContent": map[string]string{"text": ev.Text}})
		}
		if ev.Signature != "" {
			dst = appendDelta(dst, b.index, map[string]any{"reasoningContent": map[string]string{"signature": ev.Signature}})
		}
	}
	return dst
}

func appendDelta(dst []byte, idx int, delta any) []byte {
	return appendJSON(dst, "contentBlockDelta", map[string]any{"contentBlockIndex": idx, "delta": delta})
}

// EncodeError appends an exception message, as ConverseStream reports a
// failure after its first event.
func (e *streamEncoder) EncodeError(dst []byte, err *llm.Error) []byte {
	e.stopped = true
	name := exceptionName(err)
	return AppendException(dst, string(name[0]|0x20)+name[1:], errorBody(err))
}

// appendJSON appends one event; the payloads are maps and structs of
// strings and numbers, so marshal cannot fail (if it did, nothing is
// written rather than a broken event).
func appendJSON(dst []byte, eventType string, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return dst
	}
	return AppendEvent(dst, eventType, b)
}

// ForwardEvent is always true: railyard never asks Bedrock for anything the
// client did not, so every event is the client's.
func (Dialect) ForwardEvent(*llm.Request, sse.Event) bool { return true }
