package openai

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/railyard-ai/railyard/internal/benchdata"
	"github.com/railyard-ai/railyard/internal/llm"
)

// TestDecodeScratchReuse: DecodeRequest's pooled scratch leaves nothing
// behind. Requests decoded one after another (some through
// encoding/json's fallback, whose RawMessage decoding appends into
// whatever slice a field holds) come out as each decoded alone, earlier
// results stay intact, and no body is written to.
func TestDecodeScratchReuse(t *testing.T) {
	bodies := [][]byte{
		benchdata.ChatRequest("m", false),
		benchdata.ChatRequest("m", true),
		// Escaped keys: jsonx.SplitInto declines, json.Unmarshal decodes.
		[]byte(`{"model":"m","messages":[{"r\u006fle":"user","content":"one"},{"role":"assistant","c\u006fntent":"two"},{"role":"user","content":"three"}],"tools":[{"typ\u0065":"function","function":{"n\u0061me":"f","parameters":{"type":"object"}}}]}`),
		[]byte(`{"m\u006fdel":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}]}`),
		// A message read in place, then one through the fallback, whose
		// shorter content would land in the first's bytes if its
		// rawMessage were reused uncleared.
		[]byte(`{"model":"m","messages":[{"role":"user","content":"a longer first"},{"r\u006fle":"assistant","content":"short"}]}`),
		[]byte(`{"model":"m","messages":[{"role":"user","content":"x"}],"tools":[]}`),
		[]byte(`{"model":"m","messages":[{"role":"system","content":"only"}]}`),
	}
	for _, name := range chatCassettes(t) {
		bodies = append(bodies, []byte(cassette(t, name).Request.Body))
	}
	if len(bodies) < 20 {
		t.Fatalf("only %d bodies", len(bodies))
	}
	type result struct {
		req *llm.Request
		err string
	}
	decode := func(b []byte) result {
		req, err := Dialect{}.DecodeRequest(b)
		if err != nil {
			return result{err: err.Error()}
		}
		return result{req: req}
	}
	copies := make([][]byte, len(bodies))
	alone := make([]result, len(bodies))
	for i, b := range bodies {
		copies[i] = bytes.Clone(b)
		alone[i] = decode(bytes.Clone(b)) // on its own body, before any reuse below
	}
	type keptResult struct {
		body int
		r    result
	}
	var kept []keptResult
	for round := range 3 {
		for i := range bodies {
			j := (i + round*5) % len(bodies) // every body, in a rotated order
			got := decode(bodies[j])
			if !reflect.DeepEqual(got, alone[j]) {
				t.Fatalf("round %d, body %d: decoded differently after other requests:\n%+v\nwant\n%+v", round, j, got, alone[j])
			}
			kept = append(kept, keptResult{j, got})
		}
	}
	for k, kr := range kept {
		if !reflect.DeepEqual(kr.r, alone[kr.body]) {
			t.Fatalf("result %d (body %d) changed after later requests", k, kr.body)
		}
	}
	for i := range bodies {
		if !bytes.Equal(bodies[i], copies[i]) {
			t.Fatalf("body %d was written to", i)
		}
	}
}
