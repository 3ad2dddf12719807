package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/railyard-ai/railyard/internal/llm"
	"github.com/railyard-ai/railyard/internal/sse"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const realSig = "CikBcsjafFK168IbtVtoxVV0Tsn8O+eU45rzJahzwuKGmMbdMdfpmNpgBwplAXLI2nyA/pIFcnZwFm+"

func TestDecodeResponseFunctionCall(t *testing.T) {
	r, err := Dialect{}.DecodeResponse(fixture(t, "response_function_call.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != "qpc2afWVFJK4vr0Pq6WiyAU" || r.Model != "gemini-2.5-flash" || r.StopReason != llm.StopToolUse {
		t.Fatalf("id %q model %q stop %q", r.ID, r.Model, r.StopReason)
	}
	// candidatesTokenCount (14) excludes thoughts (104); the IR's output includes them.
	want := llm.Usage{InputTokens: 83, OutputTokens: 118, ReasoningTokens: 104}
	if r.Usage != want {
		t.Fatalf("usage %+v, want %+v", r.Usage, want)
	}
	if len(r.Content) != 1 || r.Content[0].Type != llm.PartToolCall {
		t.Fatalf("content %+v", r.Content)
	}
	p := r.Content[0]
	if p.ToolCall.Name != "getWeather" || p.ToolCall.Arguments != `{"location": "Tokyo"}` || p.ToolCall.ID != "call_qpc2afWVFJK4vr0Pq6WiyAU_0" {
		t.Fatalf("call %+v", p.ToolCall)
	}
	if !strings.HasPrefix(p.Signature, realSig) {
		t.Fatalf("thought signature lost: %q", p.Signature)
	}
}

func TestDecodeResponseBlockedPrompt(t *testing.T) {
	r, err := Dialect{}.DecodeResponse(fixture(t, "blocked_prompt.json"))
	if err != nil {
		t.Fatalf("a safety block is a stop reason, not an error: %v", err)
	}
	if r.StopReason != llm.StopContentFilter || len(r.Content) != 0 || r.Usage.InputTokens != 9 {
		t.Fatalf("%+v", r)
	}
}

func TestStopReasons(t *testing.T) {
	for _, tt := range []struct {
		finish string
		calls  bool
		want   llm.StopReason
	}{
		{"STOP", false, llm.StopEndTurn},
		{"STOP", true, llm.StopToolUse},
		{"MAX_TOKENS", false, llm.StopMaxTokens},
		{"SAFETY", false, llm.StopContentFilter},
		{"RECITATION", false, llm.StopContentFilter},
		{"PROHIBITED_CONTENT", false, llm.StopContentFilter},
		{"OTHER", false, llm.StopEndTurn},
	} {
		if got := stopReason(tt.finish, nil, tt.calls); got != tt.want {
			t.Errorf("%s calls=%v: %s, want %s", tt.finish, tt.calls, got, tt.want)
		}
	}
}

func TestDecodeError429(t *testing.T) {
	e := Dialect{}.DecodeError(429, http.Header{}, fixture(t, "error_429.json"))
	if e.Status != 429 || e.Kind != llm.ErrRateLimit || e.Code != "RESOURCE_EXHAUSTED" || e.RetryAfter != 34*time.Second {
		t.Fatalf("%+v", e)
	}
	if !strings.Contains(e.Message, "exceeded your current quota") {
		t.Fatalf("message %q", e.Message)
	}
	e = Dialect{}.DecodeError(502, nil, []byte("<html>bad gateway</html>"))
	if e.Status != 502 || e.Message != "<html>bad gateway</html>" {
		t.Fatalf("%+v", e)
	}
}

func TestEncodeError(t *testing.T) {
	for _, tt := range []struct {
		e    *llm.Error
		want string
	}{
		{llm.BadRequest("bad"), `{"error":{"code":400,"message":"bad","status":"INVALID_ARGUMENT"}}`},
		{&llm.Error{Status: 401, Kind: llm.ErrAuthentication, Message: "no"}, `{"error":{"code":401,"message":"no","status":"UNAUTHENTICATED"}}`},
		{&llm.Error{Status: 429, Kind: llm.ErrRateLimit, Message: "slow"}, `{"error":{"code":429,"message":"slow","status":"RESOURCE_EXHAUSTED"}}`},
		{&llm.Error{Status: 503, Kind: llm.ErrOverloaded, Message: "busy"}, `{"error":{"code":503,"message":"busy","status":"UNAVAILABLE"}}`},
	} {
		if got := string(Dialect{}.EncodeError(tt.e)); got != tt.want {
			t.Errorf("got %s\nwant %s", got, tt.want)
		}
	}
}

// summary renders events compactly for comparison.
func summary(evs []llm.Event) string {
	var sb strings.Builder
	for _, ev := range evs {
		switch ev.Type {
		case llm.EventMessageStart:
			sb.WriteString("start(" + ev.ID + "," + ev.Model + ")")
		case llm.EventBlockStart:
			sb.WriteString("[" + string(ev.Part.Type))
			if ev.Part.ToolCall != nil {
				sb.WriteString(":" + ev.Part.ToolCall.ID + ":" + ev.Part.ToolCall.Name)
			}
			if ev.Part.Signature != "" {
				sb.WriteString(":sig")
			}
		case llm.EventBlockDelta:
			sb.WriteString(ev.Text)
			if ev.Signature != "" {
				sb.WriteString("<sig>")
			}
		case llm.EventBlockStop:
			sb.WriteString("]")
		case llm.EventMessageDelta:
			sb.WriteString("stop(" + string(ev.StopReason) + ")")
			if ev.Usage != nil {
				b, _ := json.Marshal(ev.Usage)
				sb.Write(b)
			}
		case llm.EventMessageStop:
			sb.WriteString(".")
		}
	}
	return sb.String()
}

// decodeStream runs raw through the SSE reader and the decoder, feeding
// the bytes in chunks cut at the given points.
func decodeStream(t *testing.T, raw []byte, cuts []int) (string, error) {
	t.Helper()
	var r io.Reader = &chunkReader{data: raw, cuts: cuts}
	rd := sse.NewDecoder(r)
	d := Dialect{}.NewStreamDecoder()
	var evs []llm.Event
	for {
		ev, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if evs, err = d.Decode(evs, ev); err != nil {
			return summary(evs), err
		}
	}
	evs, err := d.Close(evs)
	return summary(evs), err
}

type chunkReader struct {
	data []byte
	cuts []int
	pos  int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if c.pos < len(c.cuts) {
		n = min(n, max(1, c.cuts[c.pos]))
		c.pos++
	}
	n = min(n, len(p))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func TestStreamDecodeFixtures(t *testing.T) {
	for _, tt := range []struct {
		file, want string
	}{
		{"stream_function_call.sse", `start(qpc2afWVFJK4vr0Pq6WiyAU,gemini-2.5-flash)[tool_call:call_qpc2afWVFJK4vr0Pq6WiyAU_0:getWeather:sig{"location": "Tokyo"}]stop(tool_use){"InputTokens":83,"OutputTokens":118,"CacheReadTokens":0,"CacheWriteTokens":0,"ReasoningTokens":104}.`},
		{"stream_text.sse", "start(45I2aaWZBumm2roPm8HR0Ao,gemini-2.5-flash)[text今日の東京の天気は曇りで、気温は22度です。\n]stop(end_turn){\"InputTokens\":138,\"OutputTokens\":15,\"CacheReadTokens\":0,\"CacheWriteTokens\":0,\"ReasoningTokens\":0}."},
	} {
		raw := fixture(t, tt.file)
		got, err := decodeStream(t, raw, nil)
		if err != nil || got != tt.want {
			t.Fatalf("%s: %v\ngot  %s\nwant %s", tt.file, err, got, tt.want)
		}
		// Byte by byte, then at random split points: the same events.
		ones := make([]int, len(raw))
		for i := range ones {
			ones[i] = 1
		}
		if got, err := decodeStream(t, raw, ones); err != nil || got != tt.want {
			t.Fatalf("%s byte by byte: %v\n%s", tt.file, err, got)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for range 50 {
			cuts := make([]int, 20)
			for i := range cuts {
				cuts[i] = 1 + rng.IntN(40)
			}
			if got, err := decodeStream(t, raw, cuts); err != nil || got != tt.want {
				t.Fatalf("%s split %v: %v\n%s", tt.file, cuts, err, got)
			}
		}
	}
}

func TestStreamDecodeCutAndErrors(t *testing.T) {
	raw := fixture(t, "stream_text.sse")
	first := raw[:bytes.Index(raw, []byte("\n\n"))+2]
	if _, err := decodeStream(t, first, nil); err == nil || !strings.Contains(err.Error(), "ended early") {
		t.Fatalf("a stream without finishReason must fail: %v", err)
	}
	in := []byte("data: {\"error\":{\"code\":503,\"message\":\"The model is overloaded.\",\"status\":\"UNAVAILABLE\"}}\n\n")
	_, err := decodeStream(t, in, nil)
	if e := llm.AsError(err); e.Status != 503 || e.Code != "UNAVAILABLE" {
		t.Fatalf("in-band error: %+v", e)
	}
	blocked := []byte("data: {\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{\"promptTokenCount\":9,\"totalTokenCount\":9}}\n\n")
	if got, err := decodeStream(t, blocked, nil); err != nil || !strings.Contains(got, "stop(content_filter)") {
		t.Fatalf("blocked: %v %s", err, got)
	}
}

func geminiRequest(t *testing.T, path string, body []byte) (*llm.Request, error) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	return Dialect{}.DecodeHTTPRequest(r, body)
}

func TestIngressRealRequest(t *testing.T) {
	req, err := geminiRequest(t, "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", fixture(t, "request_function_response.json"))
	if err != nil {
		t.Fatal(err)
	}
	if req.Model != "gemini-2.5-flash" || !req.Stream || len(req.Messages) != 3 || len(req.Tools) != 1 {
		t.Fatalf("%+v", req)
	}
	call := req.Messages[1].Content[0]
	result := req.Messages[2].Content[0]
	if call.Type != llm.PartToolCall || result.Type != llm.PartToolResult || call.ToolCall.ID != result.ToolResult.CallID {
		t.Fatalf("call %+v result %+v", call, result)
	}
	var schema map[string]any
	if err := json.Unmarshal(req.Tools[0].Parameters, &schema); err != nil || schema["type"] != "object" ||
		schema["properties"].(map[string]any)["unit"].(map[string]any)["type"] != "string" {
		t.Fatalf("OpenAPI types not lowered: %s", req.Tools[0].Parameters)
	}
	// And out again: the function name comes back from the call id.
	body, err := Dialect{}.EncodeRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"functionResponse":{"name":"getWeather","response":{`, `"thoughtSignature":"skip_thought_signature_validator"`, `"parametersJsonSchema":`} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("encoded request lacks %s:\n%s", want, body)
		}
	}
}

func TestIngressPathsAndRejects(t *testing.T) {
	ok := []byte(`{"contents":[{"parts":[{"text":"hi"}]}]}`)
	for _, tt := range []struct {
		path string
		body string
		want string // "" means accepted
	}{
		{"/v1beta/models/gemini-2.5-pro:generateContent", string(ok), ""},
		{"/v1beta/models/gemini-2.5-pro:streamGenerateContent", string(ok), "alt=sse"},
		{"/v1beta/models/gemini-2.5-pro:countTokens", string(ok), "not supported"},
		{"/v1beta/models/gemini-2.5-pro:generateContent", `{"contents":[]}`, "must not be empty"},
		{"/v1beta/models/gemini-2.5-pro:generateContent", `{"contents":[{"role":"system","parts":[{"text":"x"}]}]}`, "role"},
		{"/v1beta/models/gemini-2.5-pro:generateContent", `{"contents":[{"parts":[{"text":"x"}]}],"generationConfig":{"candidateCount":2}}`, "candidateCount"},
		{"/v1beta/models/gemini-2.5-pro:generateContent", `{"contents":[{"parts":[{"functionResponse":{"name":"f","response":{}}}]}]}`, "answers no functionCall"},
		{"/v1beta/models/gemini-2.5-pro:generateContent", `{"contents":[{"parts":[{"text":"x"}]}],"toolConfig":{"functionCallingConfig":{"mode":"MAYBE"}},"tools":[{"functionDeclarations":[{"name":"f"}]}]}`, "mode"},
		{"/v1beta/models/gemini-2.5-pro:generateContent", `{"contents":[{"parts":[{"text":"x"}]}]} {}`, "more than one"},
		{"/v1beta/models/gemini-2.5-pro:generateContent", `[]`, "invalid JSON"},
	} {
		_, err := geminiRequest(t, tt.path, []byte(tt.body))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s %s: %v", tt.path, tt.body, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s %s: error %v, want %q", tt.path, tt.body, err, tt.want)
		}
		if e := llm.AsError(err); err != nil && e.Status != 400 && e.Status != 404 {
			t.Errorf("%s: status %d", tt.path, e.Status)
		}
	}
}

func TestIngressConfigMapping(t *testing.T) {
	body := `{"systemInstruction":{"parts":[{"text":"be brief"}]},
	"contents":[{"role":"user","parts":[{"text":"look"},{"inlineData":{"mimeType":"image/png","data":"iVBORw0KGgo="}}]}],
	"tools":[{"functionDeclarations":[{"name":"a","parametersJsonSchema":{"type":"object"}},{"name":"b"},{"name":"c"}]}],
	"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["a","b"]}},
	"generationConfig":{"maxOutputTokens":50,"temperature":0.2,"topP":0.9,"topK":40,"stopSequences":["END"],
	 "responseMimeType":"application/json","responseSchema":{"type":"OBJECT","properties":{"x":{"type":"INTEGER","nullable":true}}},
	 "thinkingConfig":{"thinkingBudget":0}}}`
	req, err := geminiRequest(t, "/v1beta/models/m:generateContent", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if req.System[0].Text != "be brief" || req.Messages[0].Content[1].Type != llm.PartImage || req.Messages[0].Content[1].Media.MediaType != "image/png" {
		t.Fatalf("%+v", req)
	}
	if len(req.Tools) != 2 || req.ToolChoice.Mode != llm.ToolChoiceRequired {
		t.Fatalf("ANY with allowed names keeps those tools and requires one: %+v %+v", req.Tools, req.ToolChoice)
	}
	if req.MaxTokens != 50 || *req.Temperature != 0.2 || *req.TopP != 0.9 || *req.TopK != 40 || req.Stop[0] != "END" {
		t.Fatalf("generation config: %+v", req)
	}
	if req.ResponseFormat.Type != llm.FormatJSONSchema || string(req.ResponseFormat.Schema) != `{"properties":{"x":{"type":["integer","null"]}},"type":"object"}` {
		t.Fatalf("schema %s", req.ResponseFormat.Schema)
	}
	if req.Reasoning == nil || !req.Reasoning.Disabled {
		t.Fatalf("thinkingBudget 0 disables reasoning: %+v", req.Reasoning)
	}
	native, _ := geminiRequest(t, "/v1beta/models/m:generateContent", []byte(`{"contents":[{"parts":[{"text":"x"}]}],"tools":[{"googleSearch":{}}]}`))
	if native == nil || native.NativeOnly != "googleSearch" {
		t.Fatalf("google search is native-only: %+v", native)
	}
}

func TestEgressEncodeRequest(t *testing.T) {
	temp, k := 0.5, 3
	req := &llm.Request{
		Model:  "gemini-2.5-flash",
		System: []llm.Part{{Type: llm.PartText, Text: "sys"}},
		Messages: []llm.Message{
			{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: "weather?"}}},
			{Role: llm.RoleAssistant, Content: []llm.Part{
				{Type: llm.PartReasoning, Text: "thinking", Signature: "anthropic-sig"},
				{Type: llm.PartToolCall, Signature: "gsig", ToolCall: &llm.ToolCall{ID: "toolu_1", Name: "get", Arguments: `{"city":"Paris"}`}},
			}},
			{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartToolResult, ToolResult: &llm.ToolResult{CallID: "toolu_1", Content: []llm.Part{{Type: llm.PartText, Text: "sunny"}}}}}},
		},
		Tools:       []llm.Tool{{Name: "get", Parameters: json.RawMessage(`{"type":"object","additionalProperties":false}`)}},
		ToolChoice:  &llm.ToolChoice{Mode: llm.ToolChoiceTool, Name: "get"},
		MaxTokens:   100,
		Temperature: &temp,
		TopK:        &k,
		Reasoning:   &llm.Reasoning{Effort: "low"},
	}
	body, err := Dialect{}.EncodeRequest(req)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"contents":[{"role":"user","parts":[{"text":"weather?"}]},{"role":"model","parts":[{"thoughtSignature":"gsig","functionCall":{"name":"get","args":{"city":"Paris"}}}]},{"role":"user","parts":[{"functionResponse":{"name":"get","response":{"output":"sunny"}}}]}],"systemInstruction":{"parts":[{"text":"sys"}]},"tools":[{"functionDeclarations":[{"name":"get","parametersJsonSchema":{"type":"object","additionalProperties":false}}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get"]}},"generationConfig":{"maxOutputTokens":100,"temperature":0.5,"topK":3,"thinkingConfig":{"includeThoughts":true,"thinkingBudget":1024}}}`
	if string(body) != want {
		t.Fatalf("got\n%s\nwant\n%s", body, want)
	}
	if p := (Dialect{}).Path(req); p != "/models/gemini-2.5-flash:generateContent" {
		t.Fatal(p)
	}
	req.Stream = true
	if p := (Dialect{}).Path(req); p != "/models/gemini-2.5-flash:streamGenerateContent?alt=sse" {
		t.Fatal(p)
	}
	req.Messages[2].Content[0].ToolResult.CallID = "nope"
	if _, err := (Dialect{}).EncodeRequest(req); err == nil {
		t.Fatal("a result for an unknown call must be refused")
	}
}

// TestStreamRoundTrip encodes canonical events as a Gemini stream and
// decodes them back.
func TestStreamRoundTrip(t *testing.T) {
	u := llm.Usage{InputTokens: 10, OutputTokens: 7, ReasoningTokens: 2, CacheReadTokens: 4}
	evs := []llm.Event{
		{Type: llm.EventMessageStart, ID: "r1", Model: "m"},
		{Type: llm.EventBlockStart, Index: 0, Part: &llm.Part{Type: llm.PartReasoning}},
		{Type: llm.EventBlockDelta, Index: 0, Text: "hmm"},
		{Type: llm.EventBlockStop, Index: 0},
		{Type: llm.EventBlockStart, Index: 1, Part: &llm.Part{Type: llm.PartText}},
		{Type: llm.EventBlockDelta, Index: 1, Text: "Hel"},
		{Type: llm.EventBlockDelta, Index: 1, Text: "lo"},
		{Type: llm.EventBlockStop, Index: 1},
		{Type: llm.EventBlockStart, Index: 2, Part: &llm.Part{Type: llm.PartToolCall, Signature: "s", ToolCall: &llm.ToolCall{ID: "x", Name: "f"}}},
		{Type: llm.EventBlockDelta, Index: 2, Text: `{"a":`},
		{Type: llm.EventBlockDelta, Index: 2, Text: `1}`},
		{Type: llm.EventBlockStop, Index: 2},
		{Type: llm.EventMessageDelta, StopReason: llm.StopToolUse, Usage: &u},
		{Type: llm.EventMessageStop},
	}
	enc := Dialect{}.NewStreamEncoder(&llm.Request{Model: "m"})
	var raw []byte
	for _, ev := range evs {
		raw = enc.Encode(raw, ev)
	}
	got, err := decodeStream(t, raw, nil)
	want := `start(r1,m)[reasoninghmm][textHello][tool_call:call_r1_0:f:sig{"a":1}]stop(tool_use){"InputTokens":10,"OutputTokens":7,"CacheReadTokens":4,"CacheWriteTokens":0,"ReasoningTokens":2}.`
	if err != nil || got != want {
		t.Fatalf("%v\ngot  %s\nwant %s\nraw:\n%s", err, got, want, raw)
	}
}

func TestResponseRoundTrip(t *testing.T) {
	resp := &llm.Response{ID: "r", Model: "m", StopReason: llm.StopContentFilter, Usage: llm.Usage{InputTokens: 5, OutputTokens: 3, ReasoningTokens: 1},
		Content: []llm.Part{{Type: llm.PartText, Text: "hi", Signature: "sig"}}}
	b, err := Dialect{}.EncodeResponse(&llm.Request{}, resp)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Dialect{}.DecodeResponse(b)
	if err != nil || back.Usage != resp.Usage || back.StopReason != llm.StopContentFilter || back.Content[0].Signature != "sig" {
		t.Fatalf("%v %+v\n%s", err, back, b)
	}
	u, m := Dialect{}.ResponseUsage(b)
	if u != resp.Usage || m != "m" {
		t.Fatalf("passthrough usage %+v %q", u, m)
	}
}

// TestThoughtParts uses the shape Google documents for includeThoughts:
// thought summaries as parts with "thought": true, the signature on the
// first part after them.
func TestThoughtParts(t *testing.T) {
	body := `{"candidates":[{"content":{"role":"model","parts":[{"text":"Let me think.","thought":true},{"text":"42","thoughtSignature":"c2ln"}]},"finishReason":"STOP","index":0}],
	"usageMetadata":{"promptTokenCount":10,"cachedContentTokenCount":4,"candidatesTokenCount":1,"thoughtsTokenCount":20,"totalTokenCount":31},"modelVersion":"gemini-2.5-pro","responseId":"r"}`
	r, err := Dialect{}.DecodeResponse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Content) != 2 || r.Content[0].Type != llm.PartReasoning || r.Content[0].Text != "Let me think." ||
		r.Content[1].Type != llm.PartText || r.Content[1].Signature != "c2ln" {
		t.Fatalf("%+v", r.Content)
	}
	if r.Usage != (llm.Usage{InputTokens: 10, OutputTokens: 21, CacheReadTokens: 4, ReasoningTokens: 20}) {
		t.Fatalf("usage %+v", r.Usage)
	}
	// Streamed, split across chunks: a reasoning block, then text whose
	// signature arrives as a delta.
	stream := "data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"Let me \",\"thought\":true}]},\"index\":0}],\"responseId\":\"r\",\"modelVersion\":\"m\"}\r\n\r\n" +
		"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"think.\",\"thought\":true}]},\"index\":0}]}\r\n\r\n" +
		"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"42\"}]},\"index\":0}]}\r\n\r\n" +
		"data: {\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":\"\",\"thoughtSignature\":\"c2ln\"}]},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":10,\"candidatesTokenCount\":1,\"thoughtsTokenCount\":20,\"totalTokenCount\":31}}\r\n\r\n"
	got, err := decodeStream(t, []byte(stream), nil)
	want := `start(r,m)[reasoningLet me think.][text42<sig>]stop(end_turn){"InputTokens":10,"OutputTokens":21,"CacheReadTokens":0,"CacheWriteTokens":0,"ReasoningTokens":20}.`
	if err != nil || got != want {
		t.Fatalf("%v\ngot  %s\nwant %s", err, got, want)
	}
	// A Gemini client sending the turn back keeps thought and signature.
	in := `{"contents":[{"role":"user","parts":[{"text":"q"}]},{"role":"model","parts":[{"text":"Let me think.","thought":true,"thoughtSignature":"t"},{"text":"42","thoughtSignature":"c2ln"}]},{"role":"user","parts":[{"text":"and?"}]}]}`
	req, err := geminiRequest(t, "/v1beta/models/m:generateContent", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	m := req.Messages[1]
	if m.Content[0].Type != llm.PartReasoning || m.Content[0].Signature != "t" || m.Content[1].Signature != "c2ln" {
		t.Fatalf("%+v", m.Content)
	}
	out, _ := Dialect{}.EncodeRequest(req)
	if !bytes.Contains(out, []byte(`{"text":"42","thoughtSignature":"c2ln"}`)) {
		t.Errorf("signature not sent back: %s", out)
	}
}
