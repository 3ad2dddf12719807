package bedrock

import (
	"encoding/json"
	"strings"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// NewStreamDecoder returns a decoder for one ConverseStream reply, read
// through NewEventReader.
func (Dialect) NewStreamDecoder() dialect.StreamDecoder { return &streamDecoder{} }

// streamDecoder maps ConverseStream events to canonical ones. Converse
// sends contentBlockStart only for tool calls: a text or reasoning block
// starts with its first delta, so the decoder opens it then. The stop
// reason (messageStop) and the usage (metadata, which follows it) arrive
// apart; the canonical MessageDelta and MessageStop go out at metadata, or
// at the end of the body if metadata never came.
type streamDecoder struct {
	started  bool
	stopped  bool // messageStop seen
	done     bool // MessageStop emitted
	stop     llm.StopReason
	blocks   map[int]blockState // by Converse index
	next     int
	hadUsage bool
}

type blockState struct {
	index int // canonical
	typ   llm.PartType
	open  bool
}

// Decode appends the canonical events for one eventstream message.
func (d *streamDecoder) Decode(dst []llm.Event, ev sse.Event) ([]llm.Event, error) {
	if name, ok := strings.CutPrefix(ev.Event, Exception); ok {
		return dst, streamException(name, ev.Data)
	}
	if d.done {
		return dst, nil
	}
	switch ev.Event {
	case "messageStart", "contentBlockStart", "contentBlockDelta", "contentBlockStop", "messageStop", "metadata":
	default:
		return dst, nil // Bedrock may add event types; ignore unknown ones
	}
	if ev.Event != "messageStart" && !d.started {
		return dst, badGateway("bedrock: %s before messageStart", ev.Event)
	}
	switch ev.Event {
	case "messageStart":
		var m streamMessageStart
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			return dst, badGateway("bedrock: malformed messageStart: %v", err)
		}
		if d.started {
			return dst, badGateway("bedrock: second messageStart")
		}
		d.started = true
		d.blocks = make(map[int]blockState)
		return append(dst, llm.Event{Type: llm.EventMessageStart, Usage: &llm.Usage{}}), nil
	case "contentBlockStart":
		var s streamBlockStart
		if err := json.Unmarshal(ev.Data, &s); err != nil || s.ContentBlockIndex == nil {
			return dst, badGateway("bedrock: malformed contentBlockStart")
		}
		if s.Start == nil || s.Start.ToolUse == nil {
			return dst, nil // a start railyard does not translate; deltas open it
		}
		p := llm.Part{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: s.Start.ToolUse.ToolUseID, Name: s.Start.ToolUse.Name}}
		return d.open(dst, *s.ContentBlockIndex, p)
	case "contentBlockDelta":
		return d.delta(dst, ev.Data)
	case "contentBlockStop":
		var s streamBlockStop
		if err := json.Unmarshal(ev.Data, &s); err != nil || s.ContentBlockIndex == nil {
			return dst, badGateway("bedrock: malformed contentBlockStop")
		}
		st, ok := d.blocks[*s.ContentBlockIndex]
		if !ok || !st.open {
			return dst, nil // an empty block, or one railyard skipped
		}
		st.open = false
		d.blocks[*s.ContentBlockIndex] = st
		return append(dst, llm.Event{Type: llm.EventBlockStop, Index: st.index}), nil
	case "messageStop":
		var s streamMessageStop
		if err := json.Unmarshal(ev.Data, &s); err != nil {
			return dst, badGateway("bedrock: malformed messageStop: %v", err)
		}
		d.stopped = true
		d.stop = stopReasonIn(s.StopReason)
		return d.closeBlocks(dst), nil
	case "metadata":
		var m streamMetadata
		if err := json.Unmarshal(ev.Data, &m); err != nil {
			return dst, badGateway("bedrock: malformed metadata: %v", err)
		}
		if !d.stopped {
			return dst, badGateway("bedrock: metadata before messageStop")
		}
		d.hadUsage = m.Usage != nil
		return d.finish(dst, usageIn(m.Usage)), nil
	}
	return dst, nil
}

func (d *streamDecoder) open(dst []llm.Event, idx int, p llm.Part) ([]llm.Event, error) {
	if _, dup := d.blocks[idx]; dup {
		return dst, badGateway("bedrock: content block %d started twice", idx)
	}
	if d.stopped {
		return dst, badGateway("bedrock: content block after messageStop")
	}
	st := blockState{index: d.next, typ: p.Type, open: true}
	d.next++
	d.blocks[idx] = st
	return append(dst, llm.Event{Type: llm.EventBlockStart, Index: st.index, Part: &p}), nil
}

func (d *streamDecoder) delta(dst []llm.Event, data []byte) ([]llm.Event, error) {
	var s streamBlockDelta
	if err := json.Unmarshal(data, &s); err != nil || s.ContentBlockIndex == nil || s.Delta == nil {
		return dst, badGateway("bedrock: malformed contentBlockDelta")
	}
	idx := *s.ContentBlockIndex
	ev := llm.Event{Type: llm.EventBlockDelta}
	var typ llm.PartType
	start := llm.Part{}
	switch dl := s.Delta; {
	case dl.Text != nil:
		typ, ev.Text = llm.PartText, *dl.Text
	case dl.ToolUse != nil:
		typ, ev.Text = llm.PartToolCall, dl.ToolUse.Input
	case dl.ReasoningContent != nil:
		typ, ev.Text, ev.Signature = llm.PartReasoning, dl.ReasoningContent.Text, dl.ReasoningContent.Signature
		start.Redacted = dl.ReasoningContent.RedactedContent
	default:
		return dst, nil // citations and future delta kinds
	}
	st, ok := d.blocks[idx]
	if !ok {
		if typ == llm.PartToolCall {
			return dst, badGateway("bedrock: tool input for block %d without contentBlockStart", idx)
		}
		start.Type = typ
		var err error
		if dst, err = d.open(dst, idx, start); err != nil {
			return dst, err
		}
		st = d.blocks[idx]
		if start.Redacted != "" {
			return dst, nil
		}
	}
	if !st.open {
		return dst, badGateway("bedrock: contentBlockDelta for stopped block %d", idx)
	}
	if typ != st.typ {
		return dst, badGateway("bedrock: %s delta in a %s block", typ, st.typ)
	}
	if ev.Text == "" && ev.Signature == "" {
		return dst, nil
	}
	ev.Index = st.index
	return append(dst, ev), nil
}

// closeBlocks stops blocks the upstream left open, in canonical order.
func (d *streamDecoder) closeBlocks(dst []llm.Event) []llm.Event {
	for i := range d.next {
		for k, st := range d.blocks {
			if st.index == i && st.open {
				st.open = false
				d.blocks[k] = st
				dst = append(dst, llm.Event{Type: llm.EventBlockStop, Index: i})
			}
		}
	}
	return dst
}

func (d *streamDecoder) finish(dst []llm.Event, u llm.Usage) []llm.Event {
	d.done = true
	return append(dst,
		llm.Event{Type: llm.EventMessageDelta, StopReason: d.stop, Usage: &u},
		llm.Event{Type: llm.EventMessageStop})
}

// Close ends the stream: a stream cut before messageStop is an error; one
// whose metadata never came ends without usage.
func (d *streamDecoder) Close(dst []llm.Event) ([]llm.Event, error) {
	switch {
	case d.done:
		return dst, nil
	case !d.stopped:
		return dst, badGateway("bedrock: stream ended before messageStop")
	}
	return d.finish(dst, llm.Usage{}), nil
}
