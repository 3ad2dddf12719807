package e2e

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	aoption "github.com/anthropics/anthropic-sdk-go/option"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
)

// resilientRoute is every attempt of model resilient: a provider nobody
// listens for, a simulator model that always answers 529, then a healthy one.
var resilientRoute = wantRoute{"sim-anthropic", "sim-claude",
	"failover: dead connect error -> sim-openai 529 -> sim-anthropic ok"}

func TestFailoverResilient(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	oa, an := e.openai(), e.anthropic()

	t.Run("openai", func(t *testing.T) {
		got, hr := oaChat(t, oa, oaGreeting("resilient"))
		checkHeaders(t, hr.Header, resilientRoute)
		if got.Choices[0].Message.Content != "Hello from the OpenAI SDK" {
			t.Errorf("reply %q", got.Choices[0].Message.Content)
		}
		acc, _, shr := oaStream(t, oa, oaGreeting("resilient"))
		checkHeaders(t, shr.Header, resilientRoute)
		if acc.Choices[0].Message.Content != "Hello from the OpenAI SDK" || acc.Choices[0].FinishReason != "stop" {
			t.Errorf("streamed %q %q", acc.Choices[0].Message.Content, acc.Choices[0].FinishReason)
		}
	})
	t.Run("anthropic", func(t *testing.T) {
		got, hr := anMessage(t, an, anGreeting("resilient"))
		checkHeaders(t, hr.Header, resilientRoute)
		if got.Content[0].Text != "Hello from the Anthropic SDK" {
			t.Errorf("reply %+v", got.Content)
		}
		acc, _, shr := anStream(t, an, anGreeting("resilient"))
		checkHeaders(t, shr.Header, resilientRoute)
		if acc.Content[0].Text != "Hello from the Anthropic SDK" || acc.StopReason != anthropic.StopReasonEndTurn {
			t.Errorf("streamed %+v %q", acc.Content, acc.StopReason)
		}
	})
}

// A disconnect after the first byte reached the client cannot fail over:
// the client sees the tokens that came, then a stream error.
func TestFailoverNotAfterFirstByte(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	committed := wantRoute{"sim-openai", "sim-dies", "failover: sim-openai ok"}

	t.Run("openai", func(t *testing.T) {
		var hr *http.Response
		oa := e.openai()
		s := oa.Chat.Completions.NewStreaming(context.Background(), oaGreeting("dies-midstream"), ooption.WithResponseInto(&hr))
		defer s.Close()
		text := ""
		for s.Next() {
			for _, ch := range s.Current().Choices {
				text += ch.Delta.Content
				if ch.FinishReason != "" {
					t.Errorf("finish_reason %q in a cut stream", ch.FinishReason)
				}
			}
		}
		if s.Err() == nil {
			t.Fatal("stream cut mid-way ended without an error")
		}
		checkHeaders(t, hr.Header, committed)
		if text != "Hello from the" {
			t.Errorf("client got %q before the cut, want the 3 tokens the simulator sent", text)
		}
	})
	t.Run("anthropic", func(t *testing.T) {
		var hr *http.Response
		an := e.anthropic()
		s := an.Messages.NewStreaming(context.Background(), anGreeting("dies-midstream"), aoption.WithResponseInto(&hr))
		defer s.Close()
		text := ""
		for s.Next() {
			ev := s.Current()
			if ev.Type == "content_block_delta" {
				text += ev.Delta.Text
			}
			if ev.Type == "message_stop" {
				t.Error("message_stop in a cut stream")
			}
		}
		err := s.Err()
		if err == nil {
			t.Fatal("stream cut mid-way ended without an error")
		}
		checkHeaders(t, hr.Header, committed)
		if text != "Hello from the" {
			t.Errorf("client got %q before the cut", text)
		}
	})
	t.Run("raw error event", func(t *testing.T) {
		// The gateway closes the stream with an error in the client's
		// dialect rather than leaving the client to guess from EOF.
		events := rawStream(t, e.gw.URL()+"/v1/chat/completions",
			`{"model":"dies-midstream","stream":true,"messages":[{"role":"user","content":"Hello from the raw client"}]}`, nil)
		last := events[len(events)-1]
		if !strings.Contains(last, `"error"`) {
			t.Errorf("last event %q is not an error", last)
		}
		for _, ev := range events {
			if ev == "[DONE]" {
				t.Errorf("a cut stream ended with [DONE]: %q", events)
			}
		}
	})
	t.Run("complete reply fails over", func(t *testing.T) {
		// Without streaming nothing reached the client when the upstream
		// broke off, so the next target answers.
		got, hr := oaChat(t, e.openai(), oaGreeting("dies-midstream"))
		if got.Choices[0].Message.Content != "Hello from the OpenAI SDK" || hr.Header.Get("x-railyard-provider") != "sim-anthropic" {
			t.Errorf("reply %q from %q", got.Choices[0].Message.Content, hr.Header.Get("x-railyard-provider"))
		}
		route := hr.Header.Get("x-railyard-route")
		if !strings.HasPrefix(route, "failover: sim-openai ") || !strings.HasSuffix(route, " -> sim-anthropic ok") {
			t.Errorf("route %q", route)
		}
	})
}

// Every target failing gives the client the last failure in gateway terms.
func TestFailoverExhausted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	oa, an := e.openai(), e.anthropic()
	for _, tc := range []struct {
		model      string
		status     int
		oaType     string
		anType     string
		route      string
		retryAfter string
	}{
		{"all-fail", 502, "api_error", "api_error", "failover: dead connect error -> sim-openai 500", ""},
		{"all-overloaded", 503, "server_error", "overloaded_error", "failover: sim-anthropic 529 -> sim-openai 529", ""},
		{"rate-limited", 429, "rate_limit_error", "rate_limit_error", "failover: sim-openai 429 -> sim-anthropic 429", "7"},
	} {
		t.Run(tc.model, func(t *testing.T) {
			_, err := oa.Chat.Completions.New(context.Background(), oaGreeting(tc.model))
			var oe *openai.Error
			if !errors.As(err, &oe) {
				t.Fatalf("OpenAI SDK error %v", err)
			}
			if oe.StatusCode != tc.status || oe.Type != tc.oaType || oe.Message == "" {
				t.Errorf("OpenAI error %d %q %q, want %d %q", oe.StatusCode, oe.Type, oe.Message, tc.status, tc.oaType)
			}
			if got := oe.Response.Header.Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tc.retryAfter)
			}
			if got := oe.Response.Header.Get("x-railyard-route"); got != tc.route {
				t.Errorf("route %q, want %q", got, tc.route)
			}

			_, err = an.Messages.New(context.Background(), anGreeting(tc.model))
			var ae *anthropic.Error
			if !errors.As(err, &ae) {
				t.Fatalf("Anthropic SDK error %v", err)
			}
			if ae.StatusCode != tc.status || string(ae.Type()) != tc.anType {
				t.Errorf("Anthropic error %d %q, want %d %q: %s", ae.StatusCode, ae.Type(), tc.status, tc.anType, ae.RawJSON())
			}
			if got := ae.Response.Header.Get("Retry-After"); got != tc.retryAfter {
				t.Errorf("Retry-After %q, want %q", got, tc.retryAfter)
			}

			// A stream that fails before its first byte gets a plain
			// error reply, not a 200 stream.
			s := oa.Chat.Completions.NewStreaming(context.Background(), oaGreeting(tc.model))
			for s.Next() {
				t.Errorf("chunk %s from a failed route", s.Current().RawJSON())
			}
			if !errors.As(s.Err(), &oe) || oe.StatusCode != tc.status {
				t.Errorf("stream error %v, want status %d", s.Err(), tc.status)
			}
			s.Close()
		})
	}
}
