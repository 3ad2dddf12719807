package llm

import "encoding/json"

// MinThinkingBudget is the smallest thinking budget Claude models accept,
// on Anthropic's API and on Bedrock alike.
const MinThinkingBudget = 1024

// ThinkingBudget is the Claude thinking budget r asks for: BudgetTokens, or
// OpenAI's reasoning effort mapped to a budget (low 2048, medium 8192, high
// 24576; minimal or unknown means none), raised to MinThinkingBudget. 0
// means no thinking.
func (r *Reasoning) ThinkingBudget() int {
	if r == nil || r.Disabled {
		return 0
	}
	b := r.BudgetTokens
	if b == 0 {
		switch r.Effort {
		case "low":
			b = 2048
		case "medium":
			b = 8192
		case "high":
			b = 24576
		}
	}
	if b > 0 && b < MinThinkingBudget {
		b = MinThinkingBudget
	}
	return b
}

// ForcesTool reports a tool choice of any tool or a named one. Claude does
// not allow thinking together with a forced tool; the client's hard
// constraint wins over the thinking hint.
func (r *Request) ForcesTool() bool {
	c := r.ToolChoice
	return len(r.Tools) > 0 && c != nil && (c.Mode == ToolChoiceRequired || c.Mode == ToolChoiceTool)
}

// JSONInstruction is the system text that stands in for a JSON output mode
// on a provider that has none (Anthropic Messages, Bedrock Converse); ""
// when f asks for no JSON. The reply is not validated.
func JSONInstruction(f *ResponseFormat) string {
	if f == nil {
		return ""
	}
	switch f.Type {
	case FormatJSONObject:
		return "Respond with a single valid JSON object and nothing else: no prose, no code fences."
	case FormatJSONSchema:
		s := "Respond with a single valid JSON value and nothing else: no prose, no code fences."
		if len(f.Schema) > 0 && json.Valid(f.Schema) {
			s += " It must conform to this JSON Schema"
			if f.Name != "" {
				s += " (" + f.Name + ")"
			}
			s += ":\n" + string(f.Schema)
		}
		return s
	}
	return ""
}
