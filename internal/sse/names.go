package sse

import "bytes"

// eventName returns the "event:" field as a string, without allocating for
// the names the providers' streams repeat on every event.
func eventName(b []byte) string {
	switch string(b) { // compiled to comparisons: no allocation
	case "content_block_delta":
		return "content_block_delta"
	case "content_block_start":
		return "content_block_start"
	case "content_block_stop":
		return "content_block_stop"
	case "message_start":
		return "message_start"
	case "message_delta":
		return "message_delta"
	case "message_stop":
		return "message_stop"
	case "ping":
		return "ping"
	case "error":
		return "error"
	}
	return string(b)
}

// indexLineEnd is bytes.IndexAny(b, "\r\n") with two vectorised byte
// searches instead of a set lookup per byte.
func indexLineEnd(b []byte) int {
	i := bytes.IndexByte(b, '\n')
	end := b
	if i >= 0 {
		end = b[:i]
	}
	if j := bytes.IndexByte(end, '\r'); j >= 0 {
		return j
	}
	return i
}
