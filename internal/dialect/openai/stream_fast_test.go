package openai

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

// FuzzTextChunk holds the hand-written text chunk (and the role, finish
// and usage chunks) to what encoding/json writes for the same chunk, for
// any text, id and model, with and without usage.
func FuzzTextChunk(f *testing.F) {
	f.Add("chatcmpl-abc", "gpt-4o-mini", int64(1741570283), "Hello", 0, true)
	f.Add("", "claude-<haiku>", int64(0), "line\nbreak \"quoted\" \u2028 \xff", 1, false)
	f.Add("msg_01", "m", int64(-1), "", 2, true)
	f.Fuzz(func(t *testing.T, id, model string, created int64, text string, field int, usage bool) {
		e := &streamEncoder{id: id, model: model, created: created, usage: usage}
		var d chunkDelta
		switch field % 3 {
		case 0:
			d.Content = &text
		case 1:
			d.Refusal = &text
		default:
			d.ReasoningContent = &text
		}
		want := e.chunkJSON(nil, d, nil)
		key, txt, ok := d.textOnly()
		if !ok {
			t.Fatal("textOnly refused a one-field delta")
		}
		got := e.textChunk([]byte("x"), key, txt)
		if !bytes.Equal(got[1:], want) {
			t.Fatalf("textChunk:\n%s\nencoding/json:\n%s", got[1:], want)
		}
		// The cached prefix must follow a change of model.
		e.model += "-2"
		want = e.chunkJSON(nil, d, nil)
		if got := e.textChunk(nil, key, txt); !bytes.Equal(got, want) {
			t.Fatalf("after a model change, textChunk:\n%s\nencoding/json:\n%s", got, want)
		}

		// The chunks every stream has once: role, finish, usage.
		want = e.chunkJSON(nil, chunkDelta{Role: "assistant", Content: ptr("")}, nil)
		if got := e.roleChunk(nil); !bytes.Equal(got, want) {
			t.Fatalf("roleChunk:\n%s\nencoding/json:\n%s", got, want)
		}
		want = e.chunkJSON(nil, chunkDelta{}, &text)
		if got := e.finishChunk(nil, text); !bytes.Equal(got, want) {
			t.Fatalf("finishChunk:\n%s\nencoding/json:\n%s", got, want)
		}
		raw, _ := json.Marshal(wireUsageOf(llm.Usage{InputTokens: len(text), OutputTokens: int(created % 1000), CacheReadTokens: field}))
		data, _ := json.Marshal(chatChunk{ID: e.id, Object: "chat.completion.chunk", Created: e.created, Model: e.model,
			Choices: []chunkChoice{}, Usage: raw})
		want = sse.AppendEvent(nil, "", data)
		if got := e.usageChunk(nil, raw); !bytes.Equal(got, want) {
			t.Fatalf("usageChunk:\n%s\nencoding/json:\n%s", got, want)
		}
	})
}

func TestTextOnly(t *testing.T) {
	s := "x"
	for _, tt := range []struct {
		d  chunkDelta
		ok bool
	}{
		{chunkDelta{Content: &s}, true},
		{chunkDelta{ReasoningContent: &s}, true},
		{chunkDelta{Refusal: &s}, true},
		{chunkDelta{}, false},
		{chunkDelta{Role: "assistant", Content: &s}, false},
		{chunkDelta{Content: &s, Refusal: &s}, false},
		{chunkDelta{Reasoning: &s}, false},
		{chunkDelta{ToolCalls: []wireToolCall{{}}}, false},
	} {
		if _, _, ok := tt.d.textOnly(); ok != tt.ok {
			t.Errorf("textOnly(%+v) = %v, want %v", tt.d, ok, tt.ok)
		}
	}
}
