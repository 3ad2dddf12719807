package bedrock

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/railyard-ai/railyard/internal/llm"
)

func TestDecodeResponse(t *testing.T) {
	cases := []struct {
		file  string
		stop  llm.StopReason
		usage llm.Usage
		types []llm.PartType
	}{
		{"response_text.json", llm.StopEndTurn, llm.Usage{InputTokens: 21, OutputTokens: 27}, []llm.PartType{llm.PartText}},
		{"response_tool_use.json", llm.StopToolUse, llm.Usage{InputTokens: 375, OutputTokens: 55}, []llm.PartType{llm.PartToolCall}},
		// inputTokens 4 excludes the 10030 cached tokens.
		{"response_reasoning_cache.json", llm.StopEndTurn, llm.Usage{InputTokens: 10034, OutputTokens: 212, CacheReadTokens: 10030},
			[]llm.PartType{llm.PartReasoning, llm.PartText}},
		{"response_guardrail.json", llm.StopContentFilter, llm.Usage{InputTokens: 12, OutputTokens: 9}, []llm.PartType{llm.PartText}},
	}
	for _, tc := range cases {
		body := fixture(t, tc.file)
		r, err := Dialect{}.DecodeResponse(body)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		var types []llm.PartType
		for _, p := range r.Content {
			types = append(types, p.Type)
		}
		if r.StopReason != tc.stop || r.Usage != tc.usage || !reflect.DeepEqual(types, tc.types) {
			t.Errorf("%s: %+v", tc.file, r)
		}
		if u, _ := (Dialect{}).ResponseUsage(body); u != tc.usage {
			t.Errorf("%s: ResponseUsage %+v", tc.file, u)
		}
		// EncodeResponse and DecodeResponse are inverses.
		out, err := Dialect{}.EncodeResponse(nil, r)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Dialect{}.DecodeResponse(out)
		if err != nil || !reflect.DeepEqual(back, r) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v\n%s", tc.file, back, r, out)
		}
	}
	// Unknown block kinds are skipped.
	r, err := Dialect{}.DecodeResponse([]byte(`{"output":{"message":{"role":"assistant","content":[{"futureBlock":{"x":1}},{"text":"hi"}]}},"stopReason":"end_turn"}`))
	if err != nil || len(r.Content) != 1 || r.Content[0].Text != "hi" {
		t.Errorf("unknown block: %+v %v", r, err)
	}
	tc, _ := Dialect{}.DecodeResponse(fixture(t, "response_tool_use.json"))
	if c := tc.Content[0].ToolCall; c.ID != "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q" || c.Name != "top_song" || c.Arguments != `{"sign":"WZPZ"}` {
		t.Errorf("tool call %+v", c)
	}
	for _, bad := range []string{`{`, `{}`, `{"output":{"message":{"role":"assistant","content":[{"toolUse":{"name":"x"}}]}}}`} {
		if _, err := (Dialect{}).DecodeResponse([]byte(bad)); llm.AsError(err).Status != http.StatusBadGateway {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestStopReasons(t *testing.T) {
	for in, want := range map[string]llm.StopReason{
		"end_turn": llm.StopEndTurn, "tool_use": llm.StopToolUse, "max_tokens": llm.StopMaxTokens,
		"stop_sequence": llm.StopSequence, "guardrail_intervened": llm.StopContentFilter,
		"content_filtered": llm.StopContentFilter, "model_context_window_exceeded": llm.StopMaxTokens,
	} {
		if got := stopReasonIn(in); got != want {
			t.Errorf("%s: %s", in, got)
		}
	}
	for in, want := range map[llm.StopReason]string{
		llm.StopEndTurn: "end_turn", llm.StopToolUse: "tool_use", llm.StopMaxTokens: "max_tokens",
		llm.StopSequence: "stop_sequence", llm.StopContentFilter: "content_filtered", llm.StopRefusal: "content_filtered",
		llm.StopPauseTurn: "end_turn",
	} {
		if got := stopReasonOut(in); got != want {
			t.Errorf("%s: %s", in, got)
		}
	}
}

func TestDecodeError(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header string
		body   []byte
		kind   llm.ErrorKind
		code   string
		msg    string
	}{
		{"validation", 400, "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/", fixture(t, "error_validation.json"),
			llm.ErrInvalidRequest, "ValidationException", "The model returned the following errors: messages.0.content: Field required"},
		{"throttling", 429, "ThrottlingException", fixture(t, "error_throttling.json"), llm.ErrRateLimit, "ThrottlingException", "Too many requests, please wait before trying again."},
		{"not ready via __type", 429, "", fixture(t, "error_model_not_ready.json"), llm.ErrOverloaded, "ModelNotReadyException", "Model is not ready for inference. Wait and try your request again."},
		{"unavailable", 503, "ServiceUnavailableException", []byte(`{"message":"Bedrock is unable to process your request."}`), llm.ErrUnavailable, "ServiceUnavailableException", "Bedrock is unable to process your request."},
		{"timeout", 408, "ModelTimeoutException", []byte(`{"message":"Model has timed out in processing the request."}`), llm.ErrTimeout, "ModelTimeoutException", "Model has timed out in processing the request."},
		{"denied", 403, "AccessDeniedException", []byte(`{"Message":"You don't have access to the model with the specified model ID."}`), llm.ErrPermission, "AccessDeniedException", "You don't have access to the model with the specified model ID."},
		{"not found", 404, "ResourceNotFoundException", []byte(`{"message":"Model not found."}`), llm.ErrNotFound, "ResourceNotFoundException", "Model not found."},
		{"html", 502, "", []byte("<html>bad gateway</html>"), llm.ErrAPI, "", "<html>bad gateway</html>"},
		{"empty", 500, "InternalServerException", nil, llm.ErrAPI, "InternalServerException", "upstream returned 500 InternalServerException"},
	}
	for _, tc := range cases {
		h := http.Header{}
		if tc.header != "" {
			h.Set("x-amzn-ErrorType", tc.header)
		}
		e := Dialect{}.DecodeError(tc.status, h, tc.body)
		if e.Status != tc.status || e.Kind != tc.kind || e.Code != tc.code || e.Message != tc.msg {
			t.Errorf("%s: %+v", tc.name, e)
		}
	}
}

func TestEncodeError(t *testing.T) {
	h := http.Header{}
	e := &llm.Error{Status: 429, Kind: llm.ErrBudgetExhausted, Message: "key over its limit"}
	Dialect{}.ErrorHeaders(h, e)
	if h.Get("x-amzn-ErrorType") != "ThrottlingException" || string(Dialect{}.EncodeError(e)) != `{"__type":"ThrottlingException","message":"budget exceeded: key over its limit"}` {
		t.Errorf("%v %s", h, Dialect{}.EncodeError(e))
	}
	// What railyard writes, it reads back as the same kind.
	for _, k := range []llm.ErrorKind{llm.ErrInvalidRequest, llm.ErrPermission, llm.ErrNotFound, llm.ErrRateLimit, llm.ErrTimeout, llm.ErrAPI} {
		in := &llm.Error{Status: 400, Kind: k, Message: "m"}
		// The body alone (its __type) is enough.
		if out := (Dialect{}).DecodeError(400, nil, Dialect{}.EncodeError(in)); out.Kind != k || out.Message != "m" {
			t.Errorf("%s: %+v", k, out)
		}
	}
}
