package main

import (
	"net/http/httptest"
	"testing"

	"github.com/railyard-ai/railyard/internal/govern"
)

func TestPrincipalOfNamesConsoleAndAnonymous(t *testing.T) {
	r := httptest.NewRequest("POST", "/v1/chat/completions", nil)
	if k, team := principalOf(r); k != "" || team != "" {
		t.Errorf("no principal: %q %q", k, team)
	}
	r = r.WithContext(govern.WithConsole(r.Context()))
	if k, _ := principalOf(r); k != govern.ConsoleKeyID {
		t.Errorf("playground: key %q, want %q", k, govern.ConsoleKeyID)
	}
}
