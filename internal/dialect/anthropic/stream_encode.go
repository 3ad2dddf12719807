package anthropic

import (
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// NewStreamEncoder returns an encoder for one streamed reply to req.
func (Dialect) NewStreamEncoder(req *llm.Request) dialect.StreamEncoder {
	e := &streamEncoder{blocks: make(map[int]int)}
	if req != nil {
		e.model = req.Model
	}
	return e
}

// streamEncoder writes the Anthropic event sequence
//
//	message_start (content_block_start content_block_delta* content_block_stop)*
//	message_delta message_stop
//
// from canonical events that may come from another dialect's decoder. It
// numbers blocks 0,1,2... in start order and keeps at most one block open,
// as Anthropic does: a block that starts while another is open closes the
// open one first, and the closed block's later deltas and stop are dropped.
type streamEncoder struct {
	model     string
	started   bool
	deltaSent bool
	stopped   bool
	// startUsage is what message_start reported, so message_delta can tell
	// which input counts changed.
	startUsage llm.Usage
	// blocks maps a canonical index to its Anthropic index, or -1 for a
	// block that has no Anthropic form (and whose events are dropped).
	blocks map[int]int
	next   int // next Anthropic index
	open   int // canonical index of the open block
	isOpen bool
	types  map[int]llm.PartType // by Anthropic index
}

// Encode appends the wire bytes for ev to dst.
func (e *streamEncoder) Encode(dst []byte, ev llm.Event) []byte {
	if e.stopped {
		return dst
	}
	switch ev.Type {
	case llm.EventMessageStart:
		if e.started {
			return dst
		}
		return e.start(dst, ev.ID, ev.Model, ev.Usage)
	case llm.EventPing:
		return sse.AppendEvent(dst, "ping", []byte(`{"type":"ping"}`))
	}
	if !e.started {
		dst = e.start(dst, "", "", nil)
	}
	switch ev.Type {
	case llm.EventBlockStart:
		return e.blockStart(dst, ev)
	case llm.EventBlockDelta:
		return e.blockDelta(dst, ev)
	case llm.EventBlockStop:
		if e.isOpen && ev.Index == e.open {
			return e.closeOpen(dst)
		}
		return dst
	case llm.EventMessageDelta:
		dst = e.closeOpen(dst)
		e.deltaSent = true
		return e.messageDelta(dst, ev.StopReason, ev.StopSequence, ev.Usage)
	case llm.EventMessageStop:
		dst = e.closeOpen(dst)
		if !e.deltaSent {
			e.deltaSent = true
			dst = e.messageDelta(dst, llm.StopEndTurn, "", nil)
		}
		e.stopped = true
		return sse.AppendEvent(dst, "message_stop", []byte(`{"type":"message_stop"}`))
	}
	return dst
}

// EncodeError appends an in-stream error event.
func (e *streamEncoder) EncodeError(dst []byte, err *llm.Error) []byte {
	e.stopped = true
	return sse.AppendEvent(dst, "error", errorBody(err))
}

func (e *streamEncoder) start(dst []byte, id, model string, u *llm.Usage) []byte {
	e.started = true
	if model == "" {
		model = e.model
	}
	if u != nil {
		e.startUsage = *u
	}
	msg := outResponse{
		ID:      messageID(id),
		Type:    "message",
		Role:    "assistant",
		Model:   model,
		Content: []any{},
		Usage:   usageOut(e.startUsage),
	}
	return appendJSON(dst, "message_start", struct {
		Type    string      `json:"type"`
		Message outResponse `json:"message"`
	}{"message_start", msg})
}

func (e *streamEncoder) blockStart(dst []byte, ev llm.Event) []byte {
	if _, seen := e.blocks[ev.Index]; seen || ev.Part == nil {
		return dst
	}
	block, typ := startBlock(ev.Part)
	if block == nil {
		e.blocks[ev.Index] = -1
		return dst
	}
	dst = e.closeOpen(dst)
	idx := e.next
	e.next++
	e.blocks[ev.Index] = idx
	if e.types == nil {
		e.types = make(map[int]llm.PartType)
	}
	e.types[idx] = typ
	e.open, e.isOpen = ev.Index, true
	dst = appendJSON(dst, "content_block_start", struct {
		Type         string `json:"type"`
		Index        int    `json:"index"`
		ContentBlock any    `json:"content_block"`
	}{"content_block_start", idx, block})
	// Content the start event carried goes out as deltas: Anthropic's
	// start blocks are always empty.
	var text string
	switch typ {
	case llm.PartText, llm.PartReasoning:
		text = ev.Part.Text
	case llm.PartToolCall:
		text = ev.Part.ToolCall.Arguments
	}
	return e.blockDelta(dst, llm.Event{Index: ev.Index, Text: text, Signature: ev.Part.Signature})
}

// startBlock is the empty content_block of a content_block_start.
func startBlock(p *llm.Part) (any, llm.PartType) {
	switch p.Type {
	case llm.PartText, llm.PartRefusal:
		return textBlock{Type: "text", Text: ""}, llm.PartText
	case llm.PartToolCall:
		if p.ToolCall == nil {
			return nil, ""
		}
		return toolUseBlock{Type: "tool_use", ID: toolID(p.ToolCall.ID), Name: p.ToolCall.Name,
			Input: json.RawMessage("{}")}, llm.PartToolCall
	case llm.PartReasoning:
		if p.Redacted != "" {
			return redactedThinkingBlock{Type: "redacted_thinking", Data: p.Redacted}, "redacted"
		}
		return thinkingBlock{Type: "thinking"}, llm.PartReasoning
	}
	return nil, ""
}

func (e *streamEncoder) blockDelta(dst []byte, ev llm.Event) []byte {
	if !e.isOpen || ev.Index != e.open {
		return dst // unknown, skipped or already closed block
	}
	idx := e.blocks[ev.Index]
	var delta any
	switch e.types[idx] {
	case llm.PartText:
		if ev.Text != "" {
			delta = struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}{"text_delta", ev.Text}
		}
	case llm.PartToolCall:
		if ev.Text != "" {
			delta = struct {
				Type        string `json:"type"`
				PartialJSON string `json:"partial_json"`
			}{"input_json_delta", ev.Text}
		}
	case llm.PartReasoning:
		if ev.Text != "" {
			delta = struct {
				Type     string `json:"type"`
				Thinking string `json:"thinking"`
			}{"thinking_delta", ev.Text}
		}
		if ev.Signature != "" {
			if delta != nil {
				dst = appendDelta(dst, idx, delta)
			}
			delta = struct {
				Type      string `json:"type"`
				Signature string `json:"signature"`
			}{"signature_delta", ev.Signature}
		}
	}
	if delta == nil {
		return dst
	}
	return appendDelta(dst, idx, delta)
}

func appendDelta(dst []byte, idx int, delta any) []byte {
	return appendJSON(dst, "content_block_delta", struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
		Delta any    `json:"delta"`
	}{"content_block_delta", idx, delta})
}

func (e *streamEncoder) closeOpen(dst []byte) []byte {
	if !e.isOpen {
		return dst
	}
	e.isOpen = false
	return appendJSON(dst, "content_block_stop", struct {
		Type  string `json:"type"`
		Index int    `json:"index"`
	}{"content_block_stop", e.blocks[e.open]})
}

// deltaUsage is message_delta's usage. The SDK's Message.Accumulate
// overwrites output_tokens always and each input count only when present,
// so input counts are sent when they differ from message_start's (an
// OpenAI upstream reports them only at the end) and omitted otherwise.
type deltaUsage struct {
	InputTokens              *int `json:"input_tokens,omitempty"`
	CacheCreationInputTokens *int `json:"cache_creation_input_tokens,omitempty"`
	CacheReadInputTokens     *int `json:"cache_read_input_tokens,omitempty"`
	OutputTokens             int  `json:"output_tokens"`
}

func (e *streamEncoder) messageDelta(dst []byte, reason llm.StopReason, seq string, u *llm.Usage) []byte {
	du := deltaUsage{OutputTokens: e.startUsage.OutputTokens}
	if u != nil {
		final, first := usageOut(*u), usageOut(e.startUsage)
		du.OutputTokens = final.OutputTokens
		if final.InputTokens != first.InputTokens || final.CacheCreationInputTokens != first.CacheCreationInputTokens ||
			final.CacheReadInputTokens != first.CacheReadInputTokens {
			du.InputTokens = &final.InputTokens
			du.CacheCreationInputTokens = &final.CacheCreationInputTokens
			du.CacheReadInputTokens = &final.CacheReadInputTokens
		}
	}
	type delta struct {
		StopReason   string  `json:"stop_reason"`
		StopSequence *string `json:"stop_sequence"`
	}
	return appendJSON(dst, "message_delta", struct {
		Type  string     `json:"type"`
		Delta delta      `json:"delta"`
		Usage deltaUsage `json:"usage"`
	}{"message_delta", delta{string(stopReason(reason)), strPtr(seq)}, du})
}

// appendJSON appends one named event. The payloads are built from strings
// and numbers only, so marshal cannot fail; if it ever did, nothing is
// written rather than a broken event.
func appendJSON(dst []byte, name string, v any) []byte {
	b, err := marshal(v)
	if err != nil {
		return dst
	}
	return sse.AppendEvent(dst, name, b)
}
