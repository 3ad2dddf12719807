// Package sse is railyard's one Server-Sent Events codec, used by every
// dialect in both directions. It follows the WHATWG event-stream rules: lines
// end in LF, CRLF or a lone CR; a line starting with ':' is a comment; a
// field without a colon has an empty value; one optional space after the
// colon is removed; several data lines join with LF; a blank line dispatches.
package sse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Event is one dispatched event. Data is only valid until the next call to
// Decoder.Next.
type Event struct {
	Event string // the "event:" field; empty means "message"
	Data  []byte
	ID    string
	// Retry is the "retry:" field as sent, empty when absent.
	Retry string
}

// DefaultMaxEventSize bounds one event's bytes so a hostile upstream cannot
// grow memory without limit.
const DefaultMaxEventSize = 16 << 20

// ErrEventTooLarge is returned when an event exceeds the decoder's limit.
var ErrEventTooLarge = errors.New("sse: event too large")

// Decoder reads events from a stream. It never buffers more than one event
// plus one read.
type Decoder struct {
	r       io.Reader
	buf     []byte // unread bytes are buf[start:end]
	start   int
	end     int
	eof     bool
	skipLF  bool // the previous line ended in CR; a following LF belongs to it
	lineAt  int  // where in buf the line line returned last starts
	data    []byte
	hasData bool
	// inBuf: the event's data is buf[dataAt:dataEnd], not data. An event
	// with one data line (as every provider sends them) is dispatched
	// straight from the read buffer, without a copy; its data moves to
	// data only if a second data line follows or fill must move the
	// buffer before the event ends. So an open stream holds no data
	// buffer (it kept one as large as the largest event, message_start's
	// ~300 bytes at least).
	inBuf           bool
	dataAt, dataEnd int
	one             [1]byte // where wait reads, holding no buffer
	released        bool
	// MaxEventSize bounds one event; 0 means DefaultMaxEventSize.
	MaxEventSize int
}

// readSize is the decoder's read buffer, and keepData the most of an
// event's data it keeps between events. A stream that once carried a
// large event (a tool call's whole arguments, a provider that sends the
// reply in one event) goes back to these sizes after it: an open stream
// spends most of its life waiting, and should not wait holding the
// largest event it ever saw.
//
// The buffer starts at firstRead and grows to readSize only when a read
// fills it (the upstream had more to give at once). And a stream waits
// for its upstream, most of its life, holding no read buffer at all
// (wait): with nothing unread, the buffer goes back to its pool and the
// read takes one byte; the buffer comes back with it.
const (
	firstRead = 1024
	readSize  = 4096
	keepData  = 16 << 10
)

// NewDecoder returns a decoder reading from r. It takes its buffer when
// the first bytes come (wait); Release gives it back when the stream is
// done.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r}
}

// Next returns the next event, or io.EOF at a clean end of stream. An
// unterminated event at end of stream is dispatched, as browsers do not, but
// upstreams that omit the final blank line are common enough to forgive.
func (d *Decoder) Next() (Event, error) {
	if cap(d.data) > keepData {
		d.data = nil // the last event was large: let it go
	}
	d.data = d.data[:0]
	d.hasData, d.inBuf = false, false
	var ev Event // the fields so far (a local: the decoder an open stream holds is 64 bytes smaller)
	sawField := false
	for {
		line, err := d.line()
		if err == io.EOF {
			if sawField && d.hasData {
				return d.dispatch(ev), nil
			}
			return Event{}, io.EOF
		}
		if err != nil {
			return Event{}, err
		}
		if len(line) == 0 {
			if d.hasData {
				return d.dispatch(ev), nil
			}
			// A blank line with no data resets the event (spec), but a
			// bare "event:" block with no data is still dispatched so that
			// nothing an upstream sends is silently lost.
			if sawField && ev.Event != "" {
				return d.dispatch(ev), nil
			}
			sawField = false
			ev = Event{}
			continue
		}
		if line[0] == ':' {
			continue
		}
		sawField = true
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "data":
			if !d.hasData {
				d.hasData, d.inBuf = true, true
				d.dataEnd = d.lineAt + len(line) // value ends the line
				d.dataAt = d.dataEnd - len(value)
				if len(value) > d.max() {
					return Event{}, ErrEventTooLarge
				}
				continue
			}
			d.takeData()
			d.data = append(d.data, '\n')
			d.data = append(d.data, value...)
			if len(d.data) > d.max() {
				return Event{}, ErrEventTooLarge
			}
		case "event":
			ev.Event = eventName(value)
		case "id":
			if bytes.IndexByte(value, 0) < 0 {
				ev.ID = string(value)
			}
		case "retry":
			ev.Retry = string(value)
		}
	}
}

func (d *Decoder) max() int {
	if d.MaxEventSize > 0 {
		return d.MaxEventSize
	}
	return DefaultMaxEventSize
}

func (d *Decoder) dispatch(ev Event) Event {
	ev.Data = d.data
	if d.inBuf {
		// Capacity cut at the data's end: a caller's append must not
		// write over the unread bytes that follow it.
		ev.Data = d.buf[d.dataAt:d.dataEnd:d.dataEnd]
	}
	return ev
}

// takeData moves the event's data from the read buffer to data, before
// the buffer's bytes move or another data line joins it.
func (d *Decoder) takeData() {
	if d.inBuf {
		d.data = append(d.data[:0], d.buf[d.dataAt:d.dataEnd]...)
		d.inBuf = false
	}
}

// line returns the next line without its terminator. The slice is valid
// until the next call.
func (d *Decoder) line() ([]byte, error) {
	scanned := 0 // bytes of buf[start:end] already known to hold no line end
	for {
		if d.skipLF && d.start < d.end {
			if d.buf[d.start] == '\n' {
				d.start++
			}
			d.skipLF = false
		}
		if !d.skipLF {
			if i := indexLineEnd(d.buf[d.start+scanned : d.end]); i >= 0 {
				j := d.start + scanned + i
				line := d.buf[d.start:j]
				d.lineAt = d.start
				d.skipLF = d.buf[j] == '\r'
				d.start = j + 1
				return line, nil
			}
			scanned = d.end - d.start
		}
		if d.eof {
			if d.start < d.end {
				line := d.buf[d.start:d.end]
				d.lineAt = d.start
				d.start = d.end
				return line, nil
			}
			return nil, io.EOF
		}
		if err := d.fill(); err != nil {
			return nil, err
		}
	}
}

// fill reads more bytes, compacting or growing the buffer as needed.
func (d *Decoder) fill() error {
	if d.released {
		return errReleased
	}
	d.takeData() // the bytes below move now
	if d.start > 0 {
		n := copy(d.buf, d.buf[d.start:d.end])
		d.end = n
		d.start = 0
	}
	if d.end == 0 {
		return d.wait()
	}
	if len(d.buf) > readSize && d.end <= readSize/2 {
		// A large line grew the buffer and is consumed: shrink back.
		d.grow(readSize)
	}
	if d.end == len(d.buf) {
		if len(d.buf) >= d.max()+readSize {
			return ErrEventTooLarge
		}
		d.grow(2 * len(d.buf))
	}
	n, err := d.r.Read(d.buf[d.end:])
	full := d.end+n == len(d.buf)
	d.end += n
	if full && len(d.buf) < readSize {
		d.grow(readSize)
	}
	return d.readErr(err)
}

// wait reads with nothing unread, which is where a stream waits for its
// upstream: the read buffer goes back to its pool, the read takes one
// byte into the decoder itself, and a buffer of the size the stream had
// (a larger one shrinks back to readSize) comes back with it. Only the
// waits cost something (a second, short read for the rest of what came,
// which the upstream connection's own buffer already holds), and an open
// stream holds 1 KiB less. No line or data points into the buffer here:
// fill moved the event's data out (takeData) and every line was read.
func (d *Decoder) wait() error {
	size := firstRead
	if len(d.buf) >= readSize {
		size = readSize
	}
	putBuf(d.buf)
	d.buf = nil
	n, err := d.r.Read(d.one[:])
	d.buf = getBuf(size)
	d.buf[0] = d.one[0]
	d.end = n
	return d.readErr(err)
}

func (d *Decoder) readErr(err error) error {
	if err == io.EOF {
		d.eof = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("sse: read: %w", err)
	}
	return nil
}

// AppendEvent appends the wire form of an event named name (omitted when
// empty) carrying data to dst. Data containing newlines becomes several
// data lines, so any payload round-trips.
func AppendEvent(dst []byte, name string, data []byte) []byte {
	if name != "" {
		dst = append(dst, "event: "...)
		dst = append(dst, name...)
		dst = append(dst, '\n')
	}
	for {
		i := indexLineEnd(data)
		if i < 0 {
			break
		}
		dst = append(dst, "data: "...)
		dst = append(dst, data[:i]...)
		dst = append(dst, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	dst = append(dst, "data: "...)
	dst = append(dst, data...)
	dst = append(dst, '\n', '\n')
	return dst
}
