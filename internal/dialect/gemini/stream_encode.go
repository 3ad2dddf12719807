package gemini

import (
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// NewStreamEncoder returns an encoder for one streamed reply to req, in
// streamGenerateContent?alt=sse framing: every chunk a whole
// GenerateContentResponse carrying the parts since the last.
func (Dialect) NewStreamEncoder(req *llm.Request) dialect.StreamEncoder {
	e := &streamEncoder{blocks: map[int]*blockState{}}
	if req != nil {
		e.model = req.Model
	}
	return e
}

// streamEncoder writes text and thought deltas as they come; a function
// call goes out whole when its block stops, since Gemini never splits
// one. The last chunk carries finishReason and usageMetadata.
type streamEncoder struct {
	id, model string
	blocks    map[int]*blockState
	stop      llm.StopReason
	usage     llm.Usage
	ended     bool
}

type blockState struct {
	part llm.Part
	args []byte
}

var _ dialect.StreamEncoder = (*streamEncoder)(nil)

func (e *streamEncoder) Encode(dst []byte, ev llm.Event) []byte {
	if e.ended {
		return dst
	}
	switch ev.Type {
	case llm.EventMessageStart:
		e.id = ev.ID
		if ev.Model != "" {
			e.model = ev.Model
		}
	case llm.EventBlockStart:
		if ev.Part == nil {
			return dst
		}
		b := &blockState{part: *ev.Part}
		e.blocks[ev.Index] = b
		switch ev.Part.Type {
		case llm.PartToolCall:
			if ev.Part.ToolCall != nil {
				b.args = append(b.args, ev.Part.ToolCall.Arguments...)
			}
		case llm.PartText, llm.PartReasoning, llm.PartRefusal:
			if ev.Part.Text != "" || ev.Part.Signature != "" {
				return e.chunk(dst, e.textPart(b, ev.Part.Text, ev.Part.Signature), "", nil)
			}
		case llm.PartImage, llm.PartDocument:
			if wp, ok := mediaPart(ev.Part.Media); ok {
				return e.chunk(dst, []wirePart{wp}, "", nil)
			}
		}
	case llm.EventBlockDelta:
		b := e.blocks[ev.Index]
		if b == nil {
			return dst
		}
		if b.part.Type == llm.PartToolCall {
			b.args = append(b.args, ev.Text...)
			if ev.Signature != "" {
				b.part.Signature = ev.Signature
			}
			return dst
		}
		if ev.Text != "" || ev.Signature != "" {
			return e.chunk(dst, e.textPart(b, ev.Text, ev.Signature), "", nil)
		}
	case llm.EventBlockStop:
		b := e.blocks[ev.Index]
		delete(e.blocks, ev.Index)
		if b == nil || b.part.Type != llm.PartToolCall || b.part.ToolCall == nil {
			return dst
		}
		p := b.part
		tc := *p.ToolCall
		tc.Arguments = string(b.args)
		p.ToolCall = &tc
		if wp, ok := partOut(&p); ok {
			return e.chunk(dst, []wirePart{wp}, "", nil)
		}
	case llm.EventMessageDelta:
		if ev.StopReason != "" {
			e.stop = ev.StopReason
		}
		if ev.Usage != nil {
			e.usage = *ev.Usage
		}
	case llm.EventMessageStop:
		e.ended = true
		return e.chunk(dst, nil, finishReason(e.stop), usageOut(e.usage))
	}
	return dst
}

// textPart is a text or thought part of block b.
func (e *streamEncoder) textPart(b *blockState, text, sig string) []wirePart {
	wp := wirePart{Text: &text, ThoughtSignature: sig, Thought: b.part.Type == llm.PartReasoning}
	return []wirePart{wp}
}

// chunk appends one SSE event holding parts, and on the last chunk the
// finish reason and usage.
func (e *streamEncoder) chunk(dst []byte, parts []wirePart, finish string, usage *wireUsage) []byte {
	if parts == nil {
		parts = []wirePart{}
	}
	w := wireResponse{
		Candidates:    []wireCandidate{{Content: &wireContent{Role: "model", Parts: parts}, FinishReason: finish}},
		UsageMetadata: usage,
		ModelVersion:  e.model,
		ResponseID:    e.id,
	}
	b, _ := json.Marshal(w) // plain strings and numbers: cannot fail
	return appendEvent(dst, b)
}

// appendEvent frames one chunk as Gemini does: a data line and a blank
// line.
func appendEvent(dst, data []byte) []byte {
	return sse.AppendEvent(dst, "", data)
}

// EncodeError appends a mid-stream error as Gemini sends one: a chunk
// holding only {"error": ...}.
func (e *streamEncoder) EncodeError(dst []byte, err *llm.Error) []byte {
	e.ended = true
	return appendEvent(dst, Dialect{}.EncodeError(err))
}
