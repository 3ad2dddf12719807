package llm

// EventType names a canonical stream event. The sequence is always
//
//	MessageStart (BlockStart BlockDelta* BlockStop)* MessageDelta MessageStop
//
// Block indexes count from 0 in the order blocks start. Decoders of dialects
// without explicit blocks (OpenAI) synthesise BlockStart and BlockStop.
// Blocks of different indexes may interleave (parallel tool calls).
type EventType uint8

const (
	EventMessageStart EventType = iota + 1
	EventBlockStart
	EventBlockDelta
	EventBlockStop
	// EventMessageDelta carries the stop reason and the final usage.
	EventMessageDelta
	EventMessageStop
	// EventPing is a keep-alive; encoders may forward or drop it.
	EventPing
)

// Event is one canonical stream event.
type Event struct {
	Type EventType

	// MessageStart: the reply's id and answering model; Usage may carry the
	// input counts already known.
	ID    string
	Model string

	// Block events: Index of the content block. BlockStart sets Part with the
	// block's type and, for tool calls, ToolCall.ID and ToolCall.Name (and
	// empty Arguments).
	Index int
	Part  *Part

	// BlockDelta: Text is appended to the block's text, reasoning text or
	// tool-call arguments (by the block's type). Signature is a reasoning
	// signature delta.
	Text      string
	Signature string

	// MessageDelta: why the model stopped and the usage so far (cumulative,
	// the whole call's counts once the stream ends).
	StopReason   StopReason
	StopSequence string
	Usage        *Usage
}
