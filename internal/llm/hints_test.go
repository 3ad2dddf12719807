package llm

import (
	"strings"
	"testing"
)

func TestThinkingBudget(t *testing.T) {
	tests := []struct {
		r    *Reasoning
		want int
	}{
		{nil, 0},
		{&Reasoning{Disabled: true, BudgetTokens: 5000}, 0},
		{&Reasoning{Effort: "minimal"}, 0},
		{&Reasoning{Effort: "low"}, 2048},
		{&Reasoning{Effort: "medium"}, 8192},
		{&Reasoning{Effort: "high"}, 24576},
		{&Reasoning{BudgetTokens: 10}, MinThinkingBudget},
		{&Reasoning{BudgetTokens: 3000, Effort: "high"}, 3000},
	}
	for _, tt := range tests {
		if got := tt.r.ThinkingBudget(); got != tt.want {
			t.Errorf("%+v: %d, want %d", tt.r, got, tt.want)
		}
	}
}

func TestJSONInstructionAndForcesTool(t *testing.T) {
	if JSONInstruction(nil) != "" || JSONInstruction(&ResponseFormat{Type: FormatText}) != "" {
		t.Error("instruction without a JSON mode")
	}
	s := JSONInstruction(&ResponseFormat{Type: FormatJSONSchema, Name: "point", Schema: []byte(`{"type":"object"}`)})
	if !strings.Contains(s, "(point)") || !strings.HasSuffix(s, `{"type":"object"}`) {
		t.Errorf("schema instruction %q", s)
	}
	r := &Request{Tools: []Tool{{Name: "f"}}, ToolChoice: &ToolChoice{Mode: ToolChoiceTool, Name: "f"}}
	if !r.ForcesTool() || (&Request{ToolChoice: &ToolChoice{Mode: ToolChoiceRequired}}).ForcesTool() {
		t.Error("ForcesTool")
	}
}
