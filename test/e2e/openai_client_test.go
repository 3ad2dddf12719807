package e2e

import (
	"context"
	"net/http"
	"testing"

	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
)

// wantRoute is what a route that answered on its first target looks like.
type wantRoute struct {
	provider, model, route string
}

// checkHeaders asserts the headers every gateway reply carries.
func checkHeaders(t *testing.T, h http.Header, want wantRoute) {
	t.Helper()
	if h.Get("x-request-id") == "" {
		t.Errorf("no x-request-id header")
	}
	if got := h.Get("x-railyard-provider"); got != want.provider {
		t.Errorf("x-railyard-provider = %q, want %q", got, want.provider)
	}
	if got := h.Get("x-railyard-model"); got != want.model {
		t.Errorf("x-railyard-model = %q, want %q", got, want.model)
	}
	if got := h.Get("x-railyard-route"); got != want.route {
		t.Errorf("x-railyard-route = %q, want %q", got, want.route)
	}
}

// oaChat sends one non-streamed chat completion and returns it with the
// HTTP response.
func oaChat(t *testing.T, c openai.Client, p openai.ChatCompletionNewParams) (*openai.ChatCompletion, *http.Response) {
	t.Helper()
	var hr *http.Response
	got, err := c.Chat.Completions.New(context.Background(), p, ooption.WithResponseInto(&hr))
	if err != nil {
		t.Fatalf("chat completion for %s: %v", p.Model, err)
	}
	return got, hr
}

// oaStream streams one chat completion through the SDK's accumulator and
// returns the accumulated completion, every chunk, and the HTTP response.
func oaStream(t *testing.T, c openai.Client, p openai.ChatCompletionNewParams) (openai.ChatCompletionAccumulator, []openai.ChatCompletionChunk, *http.Response) {
	t.Helper()
	var hr *http.Response
	s := c.Chat.Completions.NewStreaming(context.Background(), p, ooption.WithResponseInto(&hr))
	defer s.Close()
	var acc openai.ChatCompletionAccumulator
	var chunks []openai.ChatCompletionChunk
	for s.Next() {
		ch := s.Current()
		if !acc.AddChunk(ch) {
			t.Fatalf("accumulator refused chunk %s", ch.RawJSON())
		}
		chunks = append(chunks, ch)
	}
	if err := s.Err(); err != nil {
		t.Fatalf("stream for %s: %v", p.Model, err)
	}
	if hr == nil {
		t.Fatal("no HTTP response recorded")
	}
	return acc, chunks, hr
}

// greeting is the conversation the text tests send: a system prompt and
// one user turn. The simulator echoes the user turn. Its prompt is 11
// tokens under the simulator's tokenizer: <system> You are terse . <user>
// Hello from the OpenAI SDK.
func oaGreeting(model string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model: model,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("You are terse."),
			openai.UserMessage("Hello from the OpenAI SDK"),
		},
	}
}

func TestOpenAIClientText(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.openai()
	for _, tc := range []struct {
		model string
		want  wantRoute
	}{
		{"claude-backed", wantRoute{"sim-anthropic", "sim-claude", "failover: sim-anthropic ok"}},
		{"gpt-backed", wantRoute{"sim-openai", "sim-gpt", "failover: sim-openai ok"}},
	} {
		t.Run(tc.model, func(t *testing.T) {
			const want = "Hello from the OpenAI SDK"
			got, hr := oaChat(t, c, oaGreeting(tc.model))
			checkHeaders(t, hr.Header, tc.want)
			if len(got.Choices) != 1 {
				t.Fatalf("%d choices", len(got.Choices))
			}
			ch := got.Choices[0]
			if ch.Message.Content != want || ch.FinishReason != "stop" || ch.Message.Role != "assistant" {
				t.Errorf("reply %q finish %q role %q", ch.Message.Content, ch.FinishReason, ch.Message.Role)
			}
			if got.Object != "chat.completion" || got.ID == "" {
				t.Errorf("object %q id %q", got.Object, got.ID)
			}
			if u := got.Usage; u.PromptTokens != 11 || u.CompletionTokens != 5 || u.TotalTokens != 16 {
				t.Errorf("usage %+v, want 11 prompt + 5 completion", u)
			}

			p := oaGreeting(tc.model)
			p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
			acc, chunks, shr := oaStream(t, c, p)
			checkHeaders(t, shr.Header, tc.want)
			if ct := shr.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Errorf("stream Content-Type %q", ct)
			}
			if len(chunks) < 5 {
				t.Errorf("%d chunks: the reply was not streamed token by token", len(chunks))
			}
			if len(acc.Choices) != 1 || acc.Choices[0].Message.Content != want || acc.Choices[0].FinishReason != "stop" {
				t.Fatalf("streamed %+v", acc.Choices)
			}
			if acc.Usage.PromptTokens != got.Usage.PromptTokens || acc.Usage.CompletionTokens != got.Usage.CompletionTokens {
				t.Errorf("streamed usage %+v, non-streamed %+v", acc.Usage, got.Usage)
			}
		})
	}
}

func TestOpenAIClientStopReasons(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.openai()
	for _, model := range []string{"claude-backed", "gpt-backed"} {
		for _, tc := range []struct {
			name       string
			edit       func(*openai.ChatCompletionNewParams)
			text       string
			finish     string
			completion int64
		}{
			{"max_tokens", func(p *openai.ChatCompletionNewParams) { p.MaxCompletionTokens = openai.Int(2) }, "Hello from", "length", 2},
			{"legacy max_tokens", func(p *openai.ChatCompletionNewParams) { p.MaxTokens = openai.Int(3) }, "Hello from the", "length", 3},
			{"stop sequence", func(p *openai.ChatCompletionNewParams) {
				p.Stop = openai.ChatCompletionNewParamsStopUnion{OfStringArray: []string{"OpenAI"}}
			}, "Hello from the", "stop", 3},
			{"end of turn", func(*openai.ChatCompletionNewParams) {}, "Hello from the OpenAI SDK", "stop", 5},
		} {
			t.Run(model+"/"+tc.name, func(t *testing.T) {
				p := oaGreeting(model)
				tc.edit(&p)
				got, _ := oaChat(t, c, p)
				ch := got.Choices[0]
				if ch.Message.Content != tc.text || string(ch.FinishReason) != tc.finish || got.Usage.CompletionTokens != tc.completion {
					t.Errorf("got %q finish %q completion %d; want %q %q %d",
						ch.Message.Content, ch.FinishReason, got.Usage.CompletionTokens, tc.text, tc.finish, tc.completion)
				}
				acc, _, _ := oaStream(t, c, p)
				if sc := acc.Choices[0]; sc.Message.Content != tc.text || string(sc.FinishReason) != tc.finish {
					t.Errorf("streamed %q finish %q; want %q %q", sc.Message.Content, sc.FinishReason, tc.text, tc.finish)
				}
			})
		}
	}
}

func TestOpenAIClientModels(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	c := e.openai()
	page, err := c.Models.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range page.Data {
		got = append(got, m.ID)
		if m.Object != "model" {
			t.Errorf("model %s object %q", m.ID, m.Object)
		}
	}
	if !equalStrings(got, modelNames) {
		t.Errorf("models %v\nwant %v", got, modelNames)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
