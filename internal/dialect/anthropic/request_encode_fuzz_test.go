package anthropic

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

// FuzzEncodeRequestMatchesJSON holds appendRequest to marshal byte for
// byte on three sources of requests made from the same input: the input as
// an Anthropic request body (what ingress can express), an llm.Request
// built from its bytes (what other dialects' ingress can express: images by
// URL, documents, tool results with images, thinking, cache TTLs, every
// tool_choice mode, floats at encoding/json's format edges, strings with
// HTML characters, U+2028, invalid UTF-8 and control bytes), and an
// outRequest built directly (raw messages from the input, blocks of types
// appendRequest leaves to encoding/json, deep tool results). The first two
// must never fall back.
func FuzzEncodeRequestMatchesJSON(f *testing.F) {
	addFixtures(f, "request_*.json")
	f.Add([]byte{})
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7"))
	f.Add([]byte("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff{ \"a\" : \"<b> \\\" \" }"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if req, err := (Dialect{}).DecodeRequest(data); err == nil {
			checkSameAsMarshal(t, newOutRequest(req), true)
		}
		g := fuzzGen{b: data}
		req := g.request()
		checkSameAsMarshal(t, newOutRequest(req), true)
		checkAppendRequest(t, req)
		g = fuzzGen{b: data}
		checkSameAsMarshal(t, g.outRequest(), false)
	})
}

// fuzzGen turns fuzz bytes into values; once the bytes run out every
// choice is the first one, so any input gives a finite value.
type fuzzGen struct{ b []byte }

func (g *fuzzGen) u8() byte {
	if len(g.b) == 0 {
		return 0
	}
	c := g.b[0]
	g.b = g.b[1:]
	return c
}

func (g *fuzzGen) n(k int) int { return int(g.u8()) % k }

func (g *fuzzGen) bit() bool { return g.u8()&1 == 1 }

var fuzzStrings = []string{
	"", "hi", "<b>&amp;</b>", "a\u2028b\u2029", "bad \xff\xfe utf8", "\xe2\x80", "\x00\x01\x1f\x7f",
	"tab\t\"quote\"\\ \n\r\b\f", "日本語 🚀", "ephemeral", "1h", "text/plain", "image/png", "a/b",
}

// str is one of fuzzStrings or up to 31 bytes of the input.
func (g *fuzzGen) str() string {
	c := g.u8()
	if c < 128 {
		return fuzzStrings[int(c)%len(fuzzStrings)]
	}
	n := min(int(c)%32, len(g.b))
	s := string(g.b[:n])
	g.b = g.b[n:]
	return s
}

var fuzzFloats = []float64{
	0, 1, 0.7, 0.95, 1e-7, -1e-7, 1e-6, 9.99999e-7, 1e21, -1e21, 1e20, 999999999999999999999.9,
	1e300, 5e-324, math.MaxFloat64, 123456789.125, 1.0 / 3, math.NaN(), math.Inf(1), math.Inf(-1),
}

// float is nil, one of fuzzFloats, -0, or eight bytes of the input.
func (g *fuzzGen) float() *float64 {
	var f float64
	switch c := g.u8(); {
	case c < 64:
		return nil
	case c == 64:
		f = math.Copysign(0, -1)
	case c >= 192 && len(g.b) >= 8:
		f = math.Float64frombits(binary.LittleEndian.Uint64(g.b))
		g.b = g.b[8:]
	default:
		f = fuzzFloats[int(c)%len(fuzzFloats)]
	}
	return &f
}

func (g *fuzzGen) int() int {
	switch g.n(4) {
	case 0:
		return 0
	case 1:
		return int(g.u8())
	case 2:
		return -int(g.u8())
	}
	if len(g.b) < 8 {
		return math.MaxInt
	}
	v := int(int64(binary.LittleEndian.Uint64(g.b)))
	g.b = g.b[8:]
	return v
}

var fuzzRaw = []string{
	"", `{}`, `{"type":"object"}`, ` { "a" : [1, 2 ,"x y\" ]"] } `, "{\n\t\"s\":\"<&>\u2028\"\r\n}", `[1]`,
	`"str"`, `{bad`, `null`, "{\"a\":\"\xff\"}", `{"a":1e5,"b":-0.0,"c":true,"d":null}`,
}

// raw is nil, one of fuzzRaw, or up to 63 bytes of the input.
func (g *fuzzGen) raw() []byte {
	c := g.u8()
	switch {
	case c == 0:
		return nil
	case c < 128:
		return []byte(fuzzRaw[int(c)%len(fuzzRaw)])
	}
	n := min(int(c)%64, len(g.b))
	r := g.b[:n:n]
	g.b = g.b[n:]
	return r
}

func (g *fuzzGen) cache() *llm.CacheControl {
	switch g.n(4) {
	case 0, 1:
		return nil
	case 2:
		return &llm.CacheControl{}
	}
	return &llm.CacheControl{Type: g.str(), TTL: g.str()}
}

func (g *fuzzGen) media() *llm.Media {
	if g.n(8) == 0 {
		return nil
	}
	m := &llm.Media{MediaType: g.str(), Data: g.str(), URL: g.str(), Title: g.str()}
	switch g.n(4) {
	case 0:
		m.Data = "" // by URL
	case 1:
		m.MediaType, m.Data = "text/plain", "aGk8Pmkg4oCoIP8=" // a text document: hi<>i \u2028 \xff
	}
	return m
}

func (g *fuzzGen) part(depth int) llm.Part {
	p := llm.Part{Cache: g.cache()}
	switch g.n(8) {
	case 0:
		p.Type, p.Text = llm.PartText, g.str()
	case 1:
		p.Type, p.Text = llm.PartRefusal, g.str()
	case 2:
		p.Type, p.Media = llm.PartImage, g.media()
	case 3:
		p.Type, p.Media = llm.PartDocument, g.media()
	case 4:
		p.Type = llm.PartToolCall
		if g.n(8) != 0 {
			p.ToolCall = &llm.ToolCall{ID: g.str(), Name: g.str(), Arguments: string(g.raw())}
		}
	case 5:
		p.Type = llm.PartToolResult
		if g.n(8) != 0 {
			p.ToolResult = &llm.ToolResult{CallID: g.str(), IsError: g.bit()}
			if depth < 2 {
				for range g.n(4) {
					p.ToolResult.Content = append(p.ToolResult.Content, g.part(depth+1))
				}
			}
		}
	case 6:
		p.Type, p.Text, p.Signature = llm.PartReasoning, g.str(), g.str()
	default:
		p.Type, p.Redacted = llm.PartReasoning, g.str()
	}
	return p
}

var toolChoiceModes = []llm.ToolChoiceMode{llm.ToolChoiceAuto, llm.ToolChoiceNone, llm.ToolChoiceRequired, llm.ToolChoiceTool, "other"}

// request is an llm.Request as any ingress could produce it.
func (g *fuzzGen) request() *llm.Request {
	r := &llm.Request{Model: g.str(), MaxTokens: g.int(), Temperature: g.float(), TopP: g.float(),
		Stream: g.bit(), User: g.str()}
	if g.bit() {
		k := g.int()
		r.TopK = &k
	}
	for range g.n(3) {
		r.Stop = append(r.Stop, g.str())
	}
	switch g.n(4) {
	case 1:
		r.Reasoning = &llm.Reasoning{BudgetTokens: g.int(), Effort: g.str()}
	case 2:
		r.Reasoning = &llm.Reasoning{Effort: []string{"low", "medium", "high"}[g.n(3)]}
	case 3:
		r.Reasoning = &llm.Reasoning{Disabled: true}
	}
	if g.bit() {
		r.ResponseFormat = &llm.ResponseFormat{Type: []llm.ResponseFormatType{llm.FormatText, llm.FormatJSONObject, llm.FormatJSONSchema}[g.n(3)],
			Name: g.str(), Schema: g.raw()}
	}
	for range g.n(3) {
		r.System = append(r.System, llm.Part{Type: llm.PartText, Text: g.str(), Cache: g.cache()})
	}
	for range g.n(3) {
		r.Tools = append(r.Tools, llm.Tool{Name: g.str(), Description: g.str(), Parameters: g.raw(), Cache: g.cache()})
	}
	if g.bit() {
		r.ToolChoice = &llm.ToolChoice{Mode: toolChoiceModes[g.n(len(toolChoiceModes))], Name: g.str(), DisableParallel: g.bit()}
	}
	if g.bit() {
		p := g.bit()
		r.ParallelToolCalls = &p
	}
	for range g.n(5) {
		m := llm.Message{Role: llm.RoleUser}
		if g.bit() {
			m.Role = llm.RoleAssistant
		}
		for range g.n(5) {
			m.Content = append(m.Content, g.part(0))
		}
		r.Messages = append(r.Messages, m)
	}
	return r
}

// outRequest is a wire value EncodeRequest would not build: raw messages
// as the input has them, nil and foreign blocks, deep tool results.
func (g *fuzzGen) outRequest() outRequest {
	w := newOutRequest(g.request())
	switch g.n(4) {
	case 0:
		w.Messages = nil
	case 1:
		w.Messages = []outMessage{}
	}
	for range g.n(3) {
		w.Tools = append(w.Tools, outTool{Name: g.str(), InputSchema: g.raw()})
	}
	for range g.n(3) {
		m := outMessage{Role: g.str()}
		for range g.n(4) {
			m.Content = append(m.Content, g.block(0))
		}
		w.Messages = append(w.Messages, m)
	}
	return w
}

func (g *fuzzGen) block(depth int) any {
	switch g.n(8) {
	case 0:
		return nil
	case 1:
		return &textBlock{Type: "text", Text: g.str()}
	case 2:
		return toolUseBlock{Type: g.str(), ID: g.str(), Name: g.str(), Input: g.raw()}
	case 3:
		return json.RawMessage(g.raw())
	case 4:
		tr := toolResultBlock{Type: "tool_result", ToolUseID: g.str(), IsError: g.bit()}
		if g.bit() {
			tr.Content = []any{}
		}
		for range g.n(3) {
			if depth < maxBlockDepth+2 {
				tr.Content = append(tr.Content, g.block(depth+1))
			}
		}
		return tr
	case 5:
		return imageBlock{Type: g.str(), Source: outSource{Type: g.str(), MediaType: g.str(), Data: g.str(), URL: g.str()}}
	case 6:
		return documentBlock{Type: g.str(), Title: g.str(), CacheControl: &wireCache{Type: g.str(), TTL: g.str()}}
	}
	return textBlock{Type: g.str(), Text: g.str()}
}
