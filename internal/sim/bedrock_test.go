package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect"
	"github.com/railyard-ai/railyard/internal/dialect/bedrock"
	"github.com/railyard-ai/railyard/internal/llm"
)

func newBedrockSim(t *testing.T, cfg config.Sim) *httptest.Server {
	t.Helper()
	cfg.Defaults.Latency = "off"
	ts := httptest.NewServer(New(cfg, map[string]dialect.Ingress{"bedrock": bedrock.Dialect{}}, nil))
	t.Cleanup(ts.Close)
	return ts
}

const bedrockBody = `{"messages":[{"role":"user","content":[{"text":"What is the most popular song on WZPZ?"}]}],"inferenceConfig":{"maxTokens":64}}`

func TestBedrockConverse(t *testing.T) {
	ts := newBedrockSim(t, config.Sim{})
	path := bedrock.Dialect{}.Path(&llm.Request{Model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0"})
	resp, body := postRaw(t, ts.URL+path, []byte(bedrockBody), nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	r, err := bedrock.Dialect{}.DecodeResponse(body)
	if err != nil || len(r.Content) == 0 || r.Content[0].Text == "" || r.Usage.InputTokens == 0 || r.Usage.OutputTokens == 0 {
		t.Fatalf("%+v %v\n%s", r, err, body)
	}
}

func TestBedrockConverseStream(t *testing.T) {
	ts := newBedrockSim(t, config.Sim{})
	path := bedrock.Dialect{}.Path(&llm.Request{Model: "amazon.nova-lite-v1:0", Stream: true})
	resp, body := postRaw(t, ts.URL+path, []byte(bedrockBody), nil)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != bedrock.StreamContentType {
		t.Fatalf("%d %s %q", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	er := bedrock.Dialect{}.NewEventReader(bytes.NewReader(body))
	sd := bedrock.Dialect{}.NewStreamDecoder()
	var evs []llm.Event
	for {
		ev, err := er.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if evs, err = sd.Decode(evs, ev); err != nil {
			t.Fatal(err)
		}
	}
	evs, err := sd.Close(evs)
	if err != nil {
		t.Fatal(err)
	}
	var text string
	for _, e := range evs {
		text += e.Text
	}
	last := evs[len(evs)-2]
	if text == "" || last.Type != llm.EventMessageDelta || last.Usage.OutputTokens == 0 || evs[len(evs)-1].Type != llm.EventMessageStop {
		t.Fatalf("events %+v", evs)
	}
}

func TestBedrockErrors(t *testing.T) {
	ts := newBedrockSim(t, config.Sim{})
	path := bedrock.Dialect{}.Path(&llm.Request{Model: "m"})
	for _, tc := range []struct {
		body, fault string
		status      int
		errType     string
	}{
		{`{"messages":[]}`, "", 400, "ValidationException"},
		{bedrockBody, "429", 429, "ThrottlingException"},
		{bedrockBody, "503", 503, "ServiceUnavailableException"},
	} {
		h := map[string]string{}
		if tc.fault != "" {
			h["x-sim-fault"] = tc.fault
		}
		resp, body := postRaw(t, ts.URL+path, []byte(tc.body), h)
		var msg struct{ Message string }
		if resp.StatusCode != tc.status || resp.Header.Get("x-amzn-ErrorType") != tc.errType || json.Unmarshal(body, &msg) != nil || msg.Message == "" {
			t.Errorf("%s: %d %s %s", tc.fault, resp.StatusCode, resp.Header.Get("x-amzn-ErrorType"), body)
		}
		e := bedrock.Dialect{}.DecodeError(resp.StatusCode, resp.Header, body)
		if e.Code != tc.errType {
			t.Errorf("decoded %+v", e)
		}
	}
	resp, _ := postRaw(t, ts.URL+"/model/m/invoke", []byte(bedrockBody), nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown operation: %d", resp.StatusCode)
	}
}

func TestBedrockInvokeEmbeddings(t *testing.T) {
	ts := newBedrockSim(t, config.Sim{})
	d := bedrock.Dialect{}
	for _, tc := range []struct {
		model string
		input []string
		dims  int
	}{
		{"amazon.titan-embed-text-v2:0", []string{"hello"}, 32},
		{"cohere.embed-multilingual-v3", []string{"a", "b"}, 0},
	} {
		req := &llm.EmbedRequest{Model: tc.model, Input: tc.input, Dimensions: tc.dims}
		body, err := d.EncodeEmbedRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		resp, raw := postRaw(t, ts.URL+d.EmbedPath(tc.model), body, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", tc.model, resp.StatusCode, raw)
		}
		out, err := d.DecodeEmbedResponse(raw)
		want := max(tc.dims, DefaultEmbedDimensions*btoi(tc.dims == 0))
		if err != nil || len(out.Vectors) != len(tc.input) || len(out.Vectors[0]) != want {
			t.Errorf("%s: %+v %v", tc.model, out, err)
		}
	}
	resp, _ := postRaw(t, ts.URL+"/model/m/invoke", []byte(`{"prompt":"x"}`), nil)
	if resp.StatusCode != 400 || resp.Header.Get("x-amzn-ErrorType") != "ValidationException" {
		t.Errorf("bad body: %d %v", resp.StatusCode, resp.Header)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestBedrockStreamFaults: mid-stream faults reach a Bedrock client as a
// truncated eventstream (malformed) or a cut connection (disconnect).
func TestBedrockStreamFaults(t *testing.T) {
	ts := newBedrockSim(t, config.Sim{})
	path := bedrock.Dialect{}.Path(&llm.Request{Model: "m", Stream: true})
	for _, fault := range []string{"malformed", "disconnect:2"} {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+path, bytes.NewReader([]byte(bedrockBody)))
		req.Header.Set("x-sim-fault", fault)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		er := bedrock.Dialect{}.NewEventReader(resp.Body)
		sd := bedrock.Dialect{}.NewStreamDecoder()
		var failed error
		for failed == nil {
			ev, err := er.Next()
			if err == io.EOF {
				_, failed = sd.Close(nil)
				break
			}
			if err != nil {
				failed = err
				break
			}
			_, failed = sd.Decode(nil, ev)
		}
		resp.Body.Close()
		if failed == nil {
			t.Errorf("%s: the stream decoded cleanly", fault)
		}
	}
}
