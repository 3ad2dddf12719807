package sim

import (
	"encoding/json"
	"testing"
)

func TestArgumentsFor(t *testing.T) {
	tests := []struct {
		name, schema, want string
	}{
		{"empty", ``, `{}`},
		{"invalid", `{"type":`, `{}`},
		{"no properties", `{"type":"object"}`, `{}`},
		{"weather (OpenAI docs)", `{"type":"object","properties":{"location":{"type":"string","description":"The city and state, e.g. San Francisco, CA"},"unit":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location"]}`,
			`{"location":"sample location","unit":"celsius"}`},
		{"scalars in order", `{"type":"object","properties":{"z":{"type":"integer","minimum":3},"a":{"type":"number"},"b":{"type":"boolean"},"n":{"type":["null","integer"]}}}`,
			`{"z":3,"a":1.5,"b":true,"n":1}`},
		{"const and default", `{"properties":{"k":{"const":{"x": 1}},"d":{"type":"string","default":"hi"}}}`, `{"k":{"x":1},"d":"hi"}`},
		{"nested", `{"type":"object","properties":{"tags":{"type":"array","items":{"type":"string"}},"when":{"type":"string","format":"date-time"},"o":{"type":"object","properties":{"q":{"anyOf":[{"type":"integer"},{"type":"string"}]}}}}}`,
			`{"tags":["sample tags"],"when":"2025-01-01T00:00:00Z","o":{"q":1}}`},
		{"ref", `{"type":"object","properties":{"r":{"$ref":"#/defs/x"}}}`, `{"r":null}`},
		{"top level not object", `{"type":"string"}`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := argumentsFor([]byte(tt.schema))
			if got != tt.want {
				t.Fatalf("got %s\nwant %s", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Fatalf("invalid JSON %s", got)
			}
		})
	}
}

func TestArgumentsForDeepSchema(t *testing.T) {
	s := `{"type":"string"}`
	for range 50 {
		s = `{"type":"object","properties":{"a":` + s + `}}`
	}
	got := argumentsFor([]byte(s))
	if !json.Valid([]byte(got)) {
		t.Fatalf("invalid JSON %s", got)
	}
}

// FuzzArgumentsFor: tool schemas come from clients; any input must yield a
// JSON object and never panic.
func FuzzArgumentsFor(f *testing.F) {
	f.Add([]byte(`{"type":"object","properties":{"a":{"type":"array","items":{"enum":[1]}}}}`))
	f.Add([]byte(`{"properties":{"x":{"const":"\u0000"}}}`))
	f.Fuzz(func(t *testing.T, schema []byte) {
		got := argumentsFor(schema)
		if !json.Valid([]byte(got)) || got[0] != '{' {
			t.Fatalf("argumentsFor(%q) = %s", schema, got)
		}
	})
}
