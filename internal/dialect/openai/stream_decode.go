package openai

import (
	"bytes"
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// NewStreamDecoder returns a decoder for one streamed chat completion.
func (Dialect) NewStreamDecoder() dialect.StreamDecoder {
	return &streamDecoder{tools: map[int]toolBlock{}}
}

// toolBlock is a tool call seen in the stream: its canonical block index
// and id (to recognise servers that omit tool_calls[].index).
type toolBlock struct {
	block int
	id    string
}

// streamDecoder turns chat.completion.chunk events into canonical events.
// OpenAI has no explicit blocks, so it synthesises them: one block is open
// at a time, and a change of kind (reasoning, text, refusal, tool call k)
// closes it and opens the next.
type streamDecoder struct {
	started  bool
	done     bool
	finished bool
	finish   string
	usage    *llm.Usage

	next     int // index of the next block to open
	open     bool
	openIdx  int
	openKind llm.PartType
	openTool int // tool_calls index when openKind is a tool call
	tools    map[int]toolBlock
}

var _ dialect.StreamDecoder = (*streamDecoder)(nil)

func (d *streamDecoder) Decode(dst []llm.Event, ev sse.Event) ([]llm.Event, error) {
	if d.done {
		return dst, nil // nothing after [DONE] counts
	}
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 {
		return dst, nil
	}
	if string(data) == "[DONE]" {
		if !d.started {
			return dst, upstreamError("upstream stream ended before any chunk")
		}
		return d.end(dst), nil
	}
	var c chatChunk
	if err := json.Unmarshal(data, &c); err != nil {
		if ev.Event == "error" {
			return dst, upstreamError("upstream stream error: %s", llm.Truncate(data, maxErrorText))
		}
		return dst, upstreamError("malformed upstream stream chunk: %v", err)
	}
	if c.Error != nil {
		return dst, inBandError(c.Error)
	}
	if !d.started {
		d.started = true
		dst = append(dst, llm.Event{Type: llm.EventMessageStart, ID: c.ID, Model: c.Model})
	}
	if !isNull(c.Usage) {
		var w wireUsage
		if err := json.Unmarshal(c.Usage, &w); err != nil {
			return dst, upstreamError("malformed usage in upstream stream: %v", err)
		}
		u := usageOf(&w)
		d.usage = &u
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.Index != 0 {
			continue // railyard asks for one choice
		}
		var err error
		if dst, err = d.delta(dst, &ch.Delta); err != nil {
			return dst, err
		}
		if fr := deref(ch.FinishReason); fr != "" {
			dst = d.closeOpen(dst)
			d.finished, d.finish = true, fr
		}
	}
	return dst, nil
}

func (d *streamDecoder) delta(dst []llm.Event, delta *chunkDelta) ([]llm.Event, error) {
	if r := reasoningText(delta.ReasoningContent, delta.Reasoning); r != "" {
		dst = d.text(dst, llm.PartReasoning, r)
	}
	if t := deref(delta.Content); t != "" {
		dst = d.text(dst, llm.PartText, t)
	}
	if r := deref(delta.Refusal); r != "" {
		dst = d.text(dst, llm.PartRefusal, r)
	}
	for i := range delta.ToolCalls {
		var err error
		if dst, err = d.toolCall(dst, &delta.ToolCalls[i], i); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// text appends text to the open block of kind, opening one if needed.
func (d *streamDecoder) text(dst []llm.Event, kind llm.PartType, text string) []llm.Event {
	if !d.open || d.openKind != kind {
		dst = d.closeOpen(dst)
		dst = d.openBlock(dst, &llm.Part{Type: kind})
	}
	return append(dst, llm.Event{Type: llm.EventBlockDelta, Index: d.openIdx, Text: text})
}

// toolCall handles one tool_calls entry: the first sight of an index opens
// a tool-call block (with arguments at once, for servers that send a call
// whole); later entries append arguments.
func (d *streamDecoder) toolCall(dst []llm.Event, tc *wireToolCall, pos int) ([]llm.Event, error) {
	k := d.toolIndex(tc, pos)
	tb, seen := d.tools[k]
	if !seen {
		dst = d.closeOpen(dst)
		dst = d.openBlock(dst, &llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: tc.ID, Name: tc.Function.Name}})
		d.openTool = k
		d.tools[k] = toolBlock{block: d.openIdx, id: tc.ID}
	} else if !d.open || d.openKind != llm.PartToolCall || d.openIdx != tb.block {
		return dst, upstreamError("upstream stream resumed tool call %d after another block", k)
	}
	if tc.Function.Arguments != "" {
		dst = append(dst, llm.Event{Type: llm.EventBlockDelta, Index: d.openIdx, Text: tc.Function.Arguments})
	}
	return dst, nil
}

// toolIndex is the entry's tool_calls index. Servers that omit it get one
// by id: a new id is a new call, no id continues the open call.
func (d *streamDecoder) toolIndex(tc *wireToolCall, pos int) int {
	if tc.Index != nil {
		return *tc.Index
	}
	if tc.ID != "" {
		for k, tb := range d.tools {
			if tb.id == tc.ID {
				return k
			}
		}
		return len(d.tools)
	}
	if d.open && d.openKind == llm.PartToolCall {
		return d.openTool
	}
	return pos
}

func (d *streamDecoder) openBlock(dst []llm.Event, p *llm.Part) []llm.Event {
	d.open, d.openIdx, d.openKind = true, d.next, p.Type
	d.next++
	return append(dst, llm.Event{Type: llm.EventBlockStart, Index: d.openIdx, Part: p})
}

func (d *streamDecoder) closeOpen(dst []llm.Event) []llm.Event {
	if !d.open {
		return dst
	}
	d.open = false
	return append(dst, llm.Event{Type: llm.EventBlockStop, Index: d.openIdx})
}

// end emits what a finished stream owes: the open block's stop, the stop
// reason with the usage, and the message stop.
func (d *streamDecoder) end(dst []llm.Event) []llm.Event {
	d.done = true
	dst = d.closeOpen(dst)
	dst = append(dst, llm.Event{Type: llm.EventMessageDelta, StopReason: stopReason(d.finish), Usage: d.usage})
	return append(dst, llm.Event{Type: llm.EventMessageStop})
}

// Close ends the stream at EOF. Some compatible servers omit [DONE] after
// the finish_reason; without a finish_reason the stream was cut.
func (d *streamDecoder) Close(dst []llm.Event) ([]llm.Event, error) {
	switch {
	case d.done:
		return dst, nil
	case d.finished:
		return d.end(dst), nil
	default:
		return dst, upstreamError("upstream stream ended early")
	}
}
