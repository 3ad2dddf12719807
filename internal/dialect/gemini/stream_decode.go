package gemini

import (
	"bytes"
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// NewStreamDecoder returns a decoder for one streamGenerateContent?alt=sse
// reply.
func (Dialect) NewStreamDecoder() dialect.StreamDecoder { return &streamDecoder{} }

// streamDecoder turns Gemini's chunks (each a GenerateContentResponse with
// the parts generated since the last) into canonical events. Gemini has no
// blocks and no end marker: consecutive text (or thought) parts extend one
// block, each function call is a block of its own, and the stream is
// complete once a chunk carries a finishReason (or a prompt block).
type streamDecoder struct {
	started  bool
	done     bool
	finished bool
	finish   string
	blocked  *wirePromptFeedback
	usage    *llm.Usage
	ids      callIDs

	next     int
	open     bool
	openIdx  int
	openKind llm.PartType
}

var _ dialect.StreamDecoder = (*streamDecoder)(nil)

func (d *streamDecoder) Decode(dst []llm.Event, ev sse.Event) ([]llm.Event, error) {
	if d.done {
		return dst, nil
	}
	data := bytes.TrimSpace(ev.Data)
	if len(data) == 0 {
		return dst, nil
	}
	var w wireResponse
	if err := json.Unmarshal(data, &w); err != nil {
		return dst, badGateway("gemini: malformed stream chunk: %v", err)
	}
	if w.Error != nil {
		return dst, streamError(w.Error)
	}
	if !d.started {
		d.started = true
		d.ids.prefix = callPrefix(w.ResponseID)
		dst = append(dst, llm.Event{Type: llm.EventMessageStart, ID: w.ResponseID, Model: w.ModelVersion})
	}
	if w.UsageMetadata != nil {
		u := usageIn(w.UsageMetadata)
		d.usage = &u
	}
	if w.PromptFeedback != nil && w.PromptFeedback.BlockReason != "" {
		d.blocked = w.PromptFeedback
		d.finished = true
	}
	for i := range w.Candidates {
		c := &w.Candidates[i]
		if c.Index != 0 {
			continue // railyard asks for one candidate
		}
		if c.Content != nil {
			for j := range c.Content.Parts {
				dst = d.part(dst, &c.Content.Parts[j])
			}
		}
		if c.FinishReason != "" {
			d.finished, d.finish = true, c.FinishReason
		}
	}
	return dst, nil
}

// part appends the events of one streamed part.
func (d *streamDecoder) part(dst []llm.Event, wp *wirePart) []llm.Event {
	p, ok := partIn(wp, &d.ids)
	if !ok {
		return dst
	}
	switch p.Type {
	case llm.PartText, llm.PartReasoning:
		if !d.open || d.openKind != p.Type {
			if p.Text == "" && p.Signature != "" && d.open {
				// A bare signature closes the block it follows.
				return append(dst, llm.Event{Type: llm.EventBlockDelta, Index: d.openIdx, Signature: p.Signature})
			}
			dst = d.closeOpen(dst)
			dst = d.openBlock(dst, &llm.Part{Type: p.Type})
		}
		if p.Text != "" {
			dst = append(dst, llm.Event{Type: llm.EventBlockDelta, Index: d.openIdx, Text: p.Text})
		}
		if p.Signature != "" {
			dst = append(dst, llm.Event{Type: llm.EventBlockDelta, Index: d.openIdx, Signature: p.Signature})
		}
	case llm.PartToolCall:
		dst = d.closeOpen(dst)
		args := p.ToolCall.Arguments
		start := p
		start.ToolCall = &llm.ToolCall{ID: p.ToolCall.ID, Name: p.ToolCall.Name}
		dst = d.openBlock(dst, &start)
		dst = append(dst, llm.Event{Type: llm.EventBlockDelta, Index: d.openIdx, Text: args})
		dst = d.closeOpen(dst)
	default:
		dst = d.closeOpen(dst)
		dst = d.openBlock(dst, &p)
		dst = d.closeOpen(dst)
	}
	return dst
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

// Close ends the stream at EOF: complete when a finishReason came, cut
// short otherwise.
func (d *streamDecoder) Close(dst []llm.Event) ([]llm.Event, error) {
	if d.done {
		return dst, nil
	}
	if !d.finished {
		if !d.started {
			return dst, badGateway("gemini: stream ended before any chunk")
		}
		return dst, badGateway("gemini: stream ended early")
	}
	d.done = true
	dst = d.closeOpen(dst)
	dst = append(dst, llm.Event{Type: llm.EventMessageDelta, StopReason: stopReason(d.finish, d.blocked, d.ids.n > 0), Usage: d.usage})
	return append(dst, llm.Event{Type: llm.EventMessageStop}), nil
}
