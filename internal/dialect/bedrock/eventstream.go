package bedrock

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream/eventstreamapi"

	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/sse"
)

// MaxMessageSize bounds one eventstream message, as sse.DefaultMaxEventSize
// bounds an SSE event: a hostile upstream cannot grow memory without limit.
const MaxMessageSize = sse.DefaultMaxEventSize

// preludeLen is the eventstream prelude: total length, headers length
// (both big-endian uint32) and the prelude's CRC.
const preludeLen = 12

// minMessageLen is a message without headers or payload: the prelude and
// the message CRC.
const minMessageLen = preludeLen + 4

// NewEventReader returns the reader of a ConverseStream body.
func (Dialect) NewEventReader(body io.Reader) dialect.EventReader {
	return &EventReader{r: bufio.NewReaderSize(body, 32<<10), dec: eventstream.NewDecoder()}
}

// EventReader decodes the AWS eventstream framing with the SDK's Decoder
// and yields each message as an sse.Event: Event is the :event-type header
// (or, for an exception or error message, its :exception-type or
// :error-code prefixed by "!"), Data the payload.
type EventReader struct {
	r   *bufio.Reader
	dec *eventstream.Decoder
	buf []byte
}

// Exception prefixes the sse.Event name of an exception or error message,
// so that no event type can be mistaken for one.
const Exception = "!"

// ErrTruncated is a stream that ended inside a message.
var ErrTruncated = errors.New("bedrock: eventstream ended inside a message")

// Next returns the next message as an event, or io.EOF at a clean end
// (between messages).
func (e *EventReader) Next() (sse.Event, error) {
	// The SDK's Decoder trusts the prelude's lengths; check them first so a
	// corrupt or hostile length cannot make it read without bound.
	pre, err := e.r.Peek(preludeLen)
	if err != nil {
		if errors.Is(err, io.EOF) {
			if len(pre) == 0 {
				return sse.Event{}, io.EOF
			}
			return sse.Event{}, ErrTruncated
		}
		return sse.Event{}, err
	}
	total := binary.BigEndian.Uint32(pre[0:4])
	headers := binary.BigEndian.Uint32(pre[4:8])
	if total > MaxMessageSize {
		return sse.Event{}, sse.ErrEventTooLarge
	}
	if total < minMessageLen || uint64(headers)+minMessageLen > uint64(total) {
		return sse.Event{}, fmt.Errorf("bedrock: eventstream message with bad lengths (total %d, headers %d)", total, headers)
	}
	lr := io.LimitedReader{R: e.r, N: int64(total)}
	msg, err := e.dec.Decode(&lr, e.buf[:0])
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return sse.Event{}, ErrTruncated
		}
		return sse.Event{}, fmt.Errorf("bedrock: eventstream: %w", err)
	}
	e.buf = msg.Payload
	return messageEvent(msg)
}

func headerString(m eventstream.Message, name string) string {
	v := m.Headers.Get(name)
	if v == nil {
		return ""
	}
	if s, ok := v.(eventstream.StringValue); ok {
		return string(s)
	}
	return v.String()
}

// messageEvent maps one message to an event.
func messageEvent(m eventstream.Message) (sse.Event, error) {
	data := bytes.Clone(m.Payload)
	switch t := headerString(m, eventstreamapi.MessageTypeHeader); t {
	case eventstreamapi.EventMessageType:
		name := headerString(m, eventstreamapi.EventTypeHeader)
		if name == "" {
			return sse.Event{}, errors.New("bedrock: eventstream event without :event-type")
		}
		return sse.Event{Event: name, Data: data}, nil
	case eventstreamapi.ExceptionMessageType:
		return sse.Event{Event: Exception + headerString(m, eventstreamapi.ExceptionTypeHeader), Data: data}, nil
	case eventstreamapi.ErrorMessageType:
		// An error message carries its code and text in headers.
		code := headerString(m, eventstreamapi.ErrorCodeHeader)
		msg, _ := json.Marshal(struct {
			Message string `json:"message"`
		}{headerString(m, eventstreamapi.ErrorMessageHeader)})
		return sse.Event{Event: Exception + code, Data: msg}, nil
	default:
		return sse.Event{}, fmt.Errorf("bedrock: eventstream message of unknown type %q", t)
	}
}

// AppendEvent appends one eventstream event message, encoded by the SDK's
// Encoder, with the headers Bedrock sends.
func AppendEvent(dst []byte, eventType string, payload []byte) []byte {
	var hs eventstream.Headers
	hs.Set(eventstreamapi.EventTypeHeader, eventstream.StringValue(eventType))
	hs.Set(eventstreamapi.ContentTypeHeader, eventstream.StringValue("application/json"))
	hs.Set(eventstreamapi.MessageTypeHeader, eventstream.StringValue(eventstreamapi.EventMessageType))
	return appendMessage(dst, eventstream.Message{Headers: hs, Payload: payload})
}

// AppendException appends one exception message (such as
// throttlingException) with payload {"message": ...}.
func AppendException(dst []byte, exceptionType string, payload []byte) []byte {
	var hs eventstream.Headers
	hs.Set(eventstreamapi.ExceptionTypeHeader, eventstream.StringValue(exceptionType))
	hs.Set(eventstreamapi.ContentTypeHeader, eventstream.StringValue("application/json"))
	hs.Set(eventstreamapi.MessageTypeHeader, eventstream.StringValue(eventstreamapi.ExceptionMessageType))
	return appendMessage(dst, eventstream.Message{Headers: hs, Payload: payload})
}

func appendMessage(dst []byte, m eventstream.Message) []byte {
	buf := bytes.NewBuffer(dst)
	if err := eventstream.NewEncoder().Encode(buf, m); err != nil {
		// Only over-long header values fail, and railyard's are short.
		return dst
	}
	return buf.Bytes()
}

// AppendRaw writes an event its EventReader yielded back as the same
// eventstream message: the fast path from a Bedrock upstream to a Bedrock
// client.
func (Dialect) AppendRaw(dst []byte, ev sse.Event) []byte {
	if name, ok := strings.CutPrefix(ev.Event, Exception); ok {
		return AppendException(dst, name, ev.Data)
	}
	return AppendEvent(dst, ev.Event, ev.Data)
}
