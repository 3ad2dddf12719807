package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
	"github.com/tidwall/gjson"
)

// anthropicHeaders are what the Anthropic SDK sends besides its key.
var anthropicHeaders = map[string]string{"anthropic-version": "2023-06-01"}

// checkOpenAIErrorBody asserts OpenAI's error envelope and type.
func checkOpenAIErrorBody(t *testing.T, body []byte, typ string) {
	t.Helper()
	if !json.Valid(body) || gjson.GetBytes(body, "error.type").String() != typ || gjson.GetBytes(body, "error.message").String() == "" {
		t.Errorf("body %s, want an OpenAI error of type %s", body, typ)
	}
}

// checkAnthropicErrorBody asserts Anthropic's error envelope and type.
func checkAnthropicErrorBody(t *testing.T, body []byte, typ string) {
	t.Helper()
	if !json.Valid(body) || gjson.GetBytes(body, "type").String() != "error" ||
		gjson.GetBytes(body, "error.type").String() != typ || gjson.GetBytes(body, "error.message").String() == "" {
		t.Errorf("body %s, want an Anthropic error of type %s", body, typ)
	}
}

// Bad client input gets 400 in the client's dialect and never reaches the
// upstream; the spy in front of the simulator proves the latter.
func TestErrorsBadInputNeverReachesUpstream(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{maxBodyBytes: 8192})
	oaURL, anURL := e.gw.URL()+"/v1/chat/completions", e.gw.URL()+"/v1/messages"
	big := strings.Repeat("x", 9000)
	for _, tc := range []struct {
		name, url, body string
		status          int
		typ             string
	}{
		{"openai bad JSON", oaURL, `{"model":"spied-gpt","messages":[`, 400, "invalid_request_error"},
		{"openai not an object", oaURL, `["spied-gpt"]`, 400, "invalid_request_error"},
		{"openai empty body", oaURL, ``, 400, "invalid_request_error"},
		{"openai no messages", oaURL, `{"model":"spied-gpt"}`, 400, "invalid_request_error"},
		{"openai empty messages", oaURL, `{"model":"spied-gpt","messages":[]}`, 400, "invalid_request_error"},
		{"openai no model", oaURL, `{"messages":[{"role":"user","content":"hi"}]}`, 400, "invalid_request_error"},
		{"openai bad role", oaURL, `{"model":"spied-gpt","messages":[{"role":"wizard","content":"hi"}]}`, 400, "invalid_request_error"},
		{"openai wrong type", oaURL, `{"model":"spied-gpt","messages":"hi"}`, 400, "invalid_request_error"},
		{"openai unknown model", oaURL, `{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}`, 404, "invalid_request_error"},
		{"openai too large", oaURL, `{"model":"spied-gpt","messages":[{"role":"user","content":"` + big + `"}]}`, 413, "invalid_request_error"},
		{"anthropic bad JSON", anURL, `{"model":"spied-claude",`, 400, "invalid_request_error"},
		{"anthropic no max_tokens", anURL, `{"model":"spied-claude","messages":[{"role":"user","content":"hi"}]}`, 400, "invalid_request_error"},
		{"anthropic no messages", anURL, `{"model":"spied-claude","max_tokens":10}`, 400, "invalid_request_error"},
		{"anthropic no model", anURL, `{"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, 400, "invalid_request_error"},
		{"anthropic system role", anURL, `{"model":"spied-claude","max_tokens":10,"messages":[{"role":"system","content":"hi"}]}`, 400, "invalid_request_error"},
		{"anthropic bad block", anURL, `{"model":"spied-claude","max_tokens":10,"messages":[{"role":"user","content":[{"type":"text"}]}]}`, 400, "invalid_request_error"},
		{"anthropic unknown model", anURL, `{"model":"no-such-model","max_tokens":10,"messages":[{"role":"user","content":"hi"}]}`, 404, "not_found_error"},
		{"anthropic too large", anURL, `{"model":"spied-claude","max_tokens":10,"messages":[{"role":"user","content":"` + big + `"}]}`, 413, "request_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			header := map[string]string{"Authorization": "Bearer sk-unused"}
			anthropicEndpoint := tc.url == anURL
			if anthropicEndpoint {
				header = map[string]string{"x-api-key": "sk-unused", "anthropic-version": "2023-06-01"}
			}
			status, h, body := post(t, tc.url, tc.body, header)
			if status != tc.status {
				t.Errorf("status %d, want %d: %s", status, tc.status, body)
			}
			if h.Get("x-request-id") == "" || h.Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", h)
			}
			if anthropicEndpoint {
				checkAnthropicErrorBody(t, body, tc.typ)
			} else {
				checkOpenAIErrorBody(t, body, tc.typ)
			}
		})
	}

	// The same through the SDKs.
	oa, an := e.openai(), e.anthropic()
	_, err := oa.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "spied-gpt"})
	var oe *openai.Error
	if !errors.As(err, &oe) || oe.StatusCode != 400 || oe.Type != "invalid_request_error" {
		t.Errorf("OpenAI SDK without messages: %v", err)
	}
	_, err = oa.Chat.Completions.New(context.Background(), oaGreeting("no-such-model"))
	if !errors.As(err, &oe) || oe.StatusCode != 404 || oe.Code != "model_not_found" || oe.Param != "model" {
		t.Errorf("OpenAI SDK unknown model: %v (%s)", err, rawOf(oe))
	}
	p := oaGreeting("spied-gpt")
	p.Messages = append(p.Messages, openai.UserMessage(big))
	_, err = oa.Chat.Completions.New(context.Background(), p)
	if !errors.As(err, &oe) || oe.StatusCode != 413 {
		t.Errorf("OpenAI SDK too large: %v", err)
	}
	var ae *anthropic.Error
	_, err = an.Messages.New(context.Background(), anthropic.MessageNewParams{Model: "spied-claude",
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("hi"))}})
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Type() != "invalid_request_error" {
		t.Errorf("Anthropic SDK with max_tokens 0: %v", err)
	}
	_, err = an.Messages.New(context.Background(), anGreeting("no-such-model"))
	if !errors.As(err, &ae) || ae.StatusCode != 404 || ae.Type() != "not_found_error" {
		t.Errorf("Anthropic SDK unknown model: %v", err)
	}
	ap := anGreeting("spied-claude")
	ap.Messages = append(ap.Messages, anthropic.NewUserMessage(anthropic.NewTextBlock(big)))
	_, err = an.Messages.New(context.Background(), ap)
	if !errors.As(err, &ae) || ae.StatusCode != 413 || ae.Type() != "request_too_large" {
		t.Errorf("Anthropic SDK too large: %v", err)
	}

	if n := e.spy.requests(); n != 0 {
		t.Fatalf("%d bad requests reached the upstream", n)
	}
	// The spy does see good requests: the zero above means something.
	oaChat(t, oa, oaGreeting("spied-gpt"))
	anMessage(t, an, anGreeting("spied-claude"))
	if n := e.spy.requests(); n != 2 {
		t.Errorf("spy saw %d requests, want 2", n)
	}
}

func rawOf(e *openai.Error) string {
	if e == nil {
		return ""
	}
	return e.RawJSON()
}

func TestErrorsAuthentication(t *testing.T) {
	t.Parallel()
	const key = "sk-railyard-master-e2e"
	e := newEnv(t, envOptions{masterKey: key})
	for _, tc := range []struct {
		name, key string
		message   string // what the gateway's message starts with
	}{{"missing key", "", "missing API key"}, {"wrong key", "sk-wrong", "invalid API key"}} {
		t.Run(tc.name, func(t *testing.T) {
			oa := openai.NewClient(ooption.WithBaseURL(e.gw.URL()+"/v1"), ooption.WithAPIKey(tc.key), ooption.WithMaxRetries(0))
			_, err := oa.Chat.Completions.New(context.Background(), oaGreeting("spied-gpt"))
			var oe *openai.Error
			if !errors.As(err, &oe) || oe.StatusCode != 401 || oe.Type != "authentication_error" || !strings.HasPrefix(oe.Message, tc.message) {
				t.Errorf("OpenAI SDK: %v (%s)", err, rawOf(oe))
			}
			s := oa.Chat.Completions.NewStreaming(context.Background(), oaGreeting("spied-gpt"))
			for s.Next() {
				t.Errorf("chunk without a valid key: %s", s.Current().RawJSON())
			}
			if !errors.As(s.Err(), &oe) || oe.StatusCode != 401 {
				t.Errorf("OpenAI SDK stream: %v", s.Err())
			}
			s.Close()

			// The Anthropic SDK refuses to send without credentials, so the
			// missing-key case gives it one and deletes the header.
			anOpts := []aoption.RequestOption{aoption.WithBaseURL(e.gw.URL()), aoption.WithAPIKey(tc.key), aoption.WithMaxRetries(0)}
			if tc.key == "" {
				anOpts = append(anOpts, aoption.WithAPIKey("sk-dropped"), aoption.WithHeaderDel("x-api-key"))
			}
			an := anthropic.NewClient(anOpts...)
			_, err = an.Messages.New(context.Background(), anGreeting("spied-claude"))
			var ae *anthropic.Error
			if !errors.As(err, &ae) || ae.StatusCode != 401 || ae.Type() != "authentication_error" ||
				!strings.HasPrefix(gjson.Get(ae.RawJSON(), "error.message").String(), tc.message) {
				t.Errorf("Anthropic SDK: %v (%s)", err, ae.RawJSON())
			}
		})
	}
	t.Run("raw", func(t *testing.T) {
		status, _, body := post(t, e.gw.URL()+"/v1/chat/completions", `{"model":"spied-gpt","messages":[{"role":"user","content":"hi"}]}`, nil)
		if status != 401 {
			t.Errorf("status %d", status)
		}
		checkOpenAIErrorBody(t, body, "authentication_error")
		status, _, body = post(t, e.gw.URL()+"/v1/messages", `{"model":"spied-claude","max_tokens":9,"messages":[{"role":"user","content":"hi"}]}`,
			map[string]string{"x-api-key": "sk-wrong", "anthropic-version": "2023-06-01"})
		if status != 401 {
			t.Errorf("status %d", status)
		}
		checkAnthropicErrorBody(t, body, "authentication_error")
		if strings.Contains(string(body), "sk-wrong") || strings.Contains(string(body), key) {
			t.Errorf("error body quotes a key: %s", body)
		}
	})
	if n := e.spy.requests(); n != 0 {
		t.Fatalf("%d unauthenticated requests reached the upstream", n)
	}
	t.Run("right key", func(t *testing.T) {
		// Both headers the SDKs use carry the key.
		got, _ := oaChat(t, e.openai(), oaGreeting("spied-gpt"))
		if got.Choices[0].Message.Content != "Hello from the OpenAI SDK" {
			t.Errorf("reply %q", got.Choices[0].Message.Content)
		}
		msg, _ := anMessage(t, e.anthropic(), anGreeting("spied-claude"))
		if msg.Content[0].Text != "Hello from the Anthropic SDK" {
			t.Errorf("reply %+v", msg.Content)
		}
		oaModels := e.openai()
		if page, err := oaModels.Models.List(context.Background()); err != nil || len(page.Data) != len(modelNames) {
			t.Errorf("models with the key: %v", err)
		}
	})
	t.Run("model list needs the key", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, e.gw.URL()+"/v1/models", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("GET /v1/models without a key: %d, want 401", resp.StatusCode)
		}
	})
}
