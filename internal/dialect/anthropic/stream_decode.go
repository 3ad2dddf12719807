package anthropic

import (
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// NewStreamDecoder returns a decoder for one streamed Messages reply.
func (Dialect) NewStreamDecoder() dialect.StreamDecoder { return &streamDecoder{} }

// streamDecoder maps Anthropic stream events to canonical ones. It keeps
// message_start's usage so that message_delta's (which may omit counts that
// did not change) can be completed into the whole call's usage, and it
// renumbers blocks so that blocks it skips (server tool blocks) leave no
// gaps in the canonical indexes.
type streamDecoder struct {
	started    bool
	sawDelta   bool
	stopped    bool
	usage      llm.Usage
	blocks     dialect.Blocks[blockState] // by Anthropic index
	nextIndex  int                        // next canonical index
	stopReason llm.StopReason
	stopSeq    string
	text       textArena // the text deltas' strings (stream_text.go)
}

type blockState struct {
	index int // canonical
	typ   llm.PartType
	open  bool
}

// streamEvent is the union of every stream event's payload.
type streamEvent struct {
	Type         string       `json:"type"`
	Message      *inResponse  `json:"message"`
	Index        *int         `json:"index"`
	ContentBlock *inBlock     `json:"content_block"`
	Delta        *streamDelta `json:"delta"`
	Usage        *inUsage     `json:"usage"`
}

type streamDelta struct {
	Type         string  `json:"type"`
	Text         string  `json:"text"`
	PartialJSON  string  `json:"partial_json"`
	Thinking     string  `json:"thinking"`
	Signature    string  `json:"signature"`
	StopReason   *string `json:"stop_reason"`
	StopSequence *string `json:"stop_sequence"`
}

// Decode appends the canonical events for one upstream event.
func (d *streamDecoder) Decode(dst []llm.Event, ev sse.Event) ([]llm.Event, error) {
	if d.stopped {
		return dst, nil // nothing follows message_stop
	}
	name := ev.Event
	if name == "" {
		// A stream without event: lines; the payload's type names it.
		var t struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(ev.Data, &t) != nil {
			return dst, badGateway("anthropic: malformed stream event")
		}
		name = t.Type
	}
	switch name {
	case "ping":
		return append(dst, llm.Event{Type: llm.EventPing}), nil
	case "error":
		return dst, streamError(ev.Data)
	case "message_start", "content_block_start", "content_block_delta",
		"content_block_stop", "message_delta", "message_stop":
	default:
		return dst, nil // Anthropic may add event types; ignore unknown ones
	}
	if name != "message_start" && !d.started {
		return dst, badGateway("anthropic: %s before message_start", name)
	}
	if name == "content_block_delta" {
		if idx, text, ok := cutTextDelta(ev.Data, &d.text); ok {
			delta := streamDelta{Type: "text_delta", Text: text}
			return d.blockDelta(dst, &streamEvent{Index: &idx, Delta: &delta})
		}
	}
	// se stays on the stack: encoding/json, which would move it to the
	// heap (an allocation per event), decodes into one of its own.
	var se streamEvent
	if !decodeEventFast(ev.Data, &se) {
		slow, err := decodeEventJSON(ev.Data)
		if err != nil {
			return dst, badGateway("anthropic: malformed %s event: %v", name, err)
		}
		se = *slow
	}
	return d.decodeEvent(dst, name, &se)
}

// decodeEventJSON is the slow path: encoding/json.
func decodeEventJSON(data []byte) (*streamEvent, error) {
	se := new(streamEvent)
	return se, json.Unmarshal(data, se)
}

// decodeEvent handles an event other than a text delta.
func (d *streamDecoder) decodeEvent(dst []llm.Event, name string, se *streamEvent) ([]llm.Event, error) {
	switch name {
	case "message_start":
		return d.messageStart(dst, se)
	case "content_block_start":
		return d.blockStart(dst, se)
	case "content_block_delta":
		return d.blockDelta(dst, se)
	case "content_block_stop":
		return d.blockStop(dst, se)
	case "message_delta":
		if se.Delta != nil {
			if se.Delta.StopReason != nil {
				d.stopReason = llm.StopReason(*se.Delta.StopReason)
			}
			if se.Delta.StopSequence != nil {
				d.stopSeq = *se.Delta.StopSequence
			}
		}
		if se.Usage != nil {
			d.usage = usageIn(d.usage, se.Usage)
		}
		d.sawDelta = true
		return append(dst, d.deltaEvent()), nil
	case "message_stop":
		d.stopped = true
		if !d.sawDelta {
			dst = append(dst, d.deltaEvent())
		}
		return append(dst, llm.Event{Type: llm.EventMessageStop}), nil
	}
	return dst, nil
}

func (d *streamDecoder) deltaEvent() llm.Event {
	u := d.usage
	return llm.Event{Type: llm.EventMessageDelta, StopReason: d.stopReason, StopSequence: d.stopSeq, Usage: &u}
}

func (d *streamDecoder) messageStart(dst []llm.Event, se *streamEvent) ([]llm.Event, error) {
	if d.started {
		return dst, badGateway("anthropic: second message_start")
	}
	if se.Message == nil {
		return dst, badGateway("anthropic: message_start without message")
	}
	d.started = true
	if se.Message.Usage != nil {
		d.usage = usageIn(llm.Usage{}, se.Message.Usage)
	}
	u := d.usage
	return append(dst, llm.Event{Type: llm.EventMessageStart, ID: se.Message.ID, Model: se.Message.Model, Usage: &u}), nil
}

func (d *streamDecoder) blockStart(dst []llm.Event, se *streamEvent) ([]llm.Event, error) {
	if se.Index == nil || se.ContentBlock == nil {
		return dst, badGateway("anthropic: content_block_start without index or content_block")
	}
	if _, dup := d.blocks.Get(*se.Index); dup {
		return dst, badGateway("anthropic: content block %d started twice", *se.Index)
	}
	p, ok := replyPart(se.ContentBlock)
	if !ok {
		// Not a block railyard translates: remember it so that its deltas
		// and stop are skipped too.
		d.blocks.Set(*se.Index, blockState{index: -1})
		return dst, nil
	}
	st := blockState{index: d.nextIndex, typ: p.Type, open: true}
	d.nextIndex++
	d.blocks.Set(*se.Index, st)
	// The start carries the block's type and identity; any initial text,
	// arguments or signature are delivered as deltas, as the IR expects.
	start := llm.Part{Type: p.Type, Redacted: p.Redacted}
	if p.ToolCall != nil {
		start.ToolCall = &llm.ToolCall{ID: p.ToolCall.ID, Name: p.ToolCall.Name}
	}
	dst = append(dst, llm.Event{Type: llm.EventBlockStart, Index: st.index, Part: &start})
	if p.Text != "" || p.Signature != "" {
		dst = append(dst, llm.Event{Type: llm.EventBlockDelta, Index: st.index, Text: p.Text, Signature: p.Signature})
	}
	if p.ToolCall != nil && p.ToolCall.Arguments != "{}" {
		dst = append(dst, llm.Event{Type: llm.EventBlockDelta, Index: st.index, Text: p.ToolCall.Arguments})
	}
	return dst, nil
}

func (d *streamDecoder) block(se *streamEvent, what string) (blockState, error) {
	if se.Index == nil {
		return blockState{}, badGateway("anthropic: %s without index", what)
	}
	st, ok := d.blocks.Get(*se.Index)
	if !ok {
		return blockState{}, badGateway("anthropic: %s for unknown block %d", what, *se.Index)
	}
	if st.index >= 0 && !st.open {
		return blockState{}, badGateway("anthropic: %s for stopped block %d", what, *se.Index)
	}
	return st, nil
}

func (d *streamDecoder) blockDelta(dst []llm.Event, se *streamEvent) ([]llm.Event, error) {
	st, err := d.block(se, "content_block_delta")
	if err != nil || st.index < 0 || se.Delta == nil {
		return dst, err
	}
	ev := llm.Event{Type: llm.EventBlockDelta, Index: st.index}
	switch se.Delta.Type {
	case "text_delta":
		ev.Text = se.Delta.Text
	case "input_json_delta":
		ev.Text = se.Delta.PartialJSON
	case "thinking_delta":
		ev.Text = se.Delta.Thinking
	case "signature_delta":
		ev.Signature = se.Delta.Signature
	default:
		return dst, nil // citations_delta and future kinds
	}
	if ev.Text == "" && ev.Signature == "" {
		return dst, nil
	}
	return append(dst, ev), nil
}

func (d *streamDecoder) blockStop(dst []llm.Event, se *streamEvent) ([]llm.Event, error) {
	st, err := d.block(se, "content_block_stop")
	if err != nil || st.index < 0 {
		return dst, err
	}
	st.open = false
	d.blocks.Set(*se.Index, st)
	return append(dst, llm.Event{Type: llm.EventBlockStop, Index: st.index}), nil
}

// Close reports a stream that ended before message_stop: the reply is cut
// off and must not pass for a complete one.
func (d *streamDecoder) Close(dst []llm.Event) ([]llm.Event, error) {
	if !d.stopped {
		return dst, badGateway("anthropic: stream ended before message_stop")
	}
	return dst, nil
}
