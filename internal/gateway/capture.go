package gateway

import "net/http"

// CaptureLimit caps each body kept for the request log when the operator
// turned on log.prompts: enough to read a conversation, bounded so that a
// thousand kept requests stay a few tens of MiB at most.
const CaptureLimit = 32 << 10

// captureReply makes x keep the reply's first bytes for the request log
// when prompts are logged; otherwise the reply path is untouched.
func (g *Gateway) captureReply(x *exchange) {
	if g.prompts {
		x.capture = &captureWriter{ResponseWriter: x.w}
		x.w = x.capture
	}
}

// captureWriter keeps the first CaptureLimit bytes written to the client.
// It is installed only when prompts are logged, so without capture the
// reply path is untouched. Unwrap lets http.ResponseController reach the
// connection's Flush.
type captureWriter struct {
	http.ResponseWriter
	buf []byte
}

func (c *captureWriter) Write(p []byte) (int, error) {
	if room := CaptureLimit - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
	return c.ResponseWriter.Write(p)
}

// Unwrap implements the interface http.ResponseController looks for.
func (c *captureWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
