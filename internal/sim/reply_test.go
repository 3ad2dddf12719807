package sim

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/llm"
)

func testModel(edit func(*config.SimModel)) *model {
	d := config.SimModel{Latency: "off"}
	if edit != nil {
		edit(&d)
	}
	return newModel(config.Sim{Defaults: d}, "m")
}

func intp(n int) *int { return &n }

func userText(s string) llm.Message {
	return llm.Message{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartText, Text: s}}}
}

func newPlanner(m *model) planner {
	return planner{m: m, ids: rand.New(rand.NewPCG(1, 2)), text: rand.New(rand.NewPCG(3, 4)), prefix: prefixesByDialect["anthropic"]}
}

var weather = llm.Tool{Name: "get_weather", Parameters: json.RawMessage(`{"type":"object","properties":{"city":{"type":"string"}}}`)}
var clock = llm.Tool{Name: "get_time", Parameters: json.RawMessage(`{"type":"object","properties":{"tz":{"type":"string","enum":["UTC"]}}}`)}

func TestBuildPlan(t *testing.T) {
	f := false
	toolResult := llm.Message{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartToolResult, ToolResult: &llm.ToolResult{CallID: "toolu_1", Content: []llm.Part{{Type: llm.PartText, Text: "Sunny, 21C"}}}}}}
	tests := []struct {
		name      string
		edit      func(*config.SimModel)
		req       llm.Request
		wantText  string // of the last block
		wantTypes string
		stop      llm.StopReason
		out, reas int
	}{
		{name: "echo", req: llm.Request{Messages: []llm.Message{userText("Hello there, sim!")}},
			wantText: "Hello there, sim!", wantTypes: "text", stop: llm.StopEndTurn, out: 5},
		{name: "echo capped by output_tokens", edit: func(m *config.SimModel) { m.OutputTokens = intp(2) },
			req: llm.Request{Messages: []llm.Message{userText("one two three")}}, wantText: "one two", wantTypes: "text", stop: llm.StopEndTurn, out: 2},
		{name: "max tokens", req: llm.Request{MaxTokens: 3, Messages: []llm.Message{userText("a b c d e")}},
			wantText: "a b c", wantTypes: "text", stop: llm.StopMaxTokens, out: 3},
		{name: "stop sequence", req: llm.Request{Stop: []string{"c d"}, Messages: []llm.Message{userText("a b c d e")}},
			wantText: "a b", wantTypes: "text", stop: llm.StopSequence, out: 2},
		{name: "fixed ignores output_tokens", edit: func(m *config.SimModel) { m.Reply = "fixed"; m.Text = "The answer is 42."; m.OutputTokens = intp(1) },
			req: llm.Request{Messages: []llm.Message{userText("q")}}, wantText: "The answer is 42.", wantTypes: "text", stop: llm.StopEndTurn, out: 5},
		{name: "lorem length", edit: func(m *config.SimModel) { m.Reply = "lorem"; m.OutputTokens = intp(30) },
			req: llm.Request{Messages: []llm.Message{userText("q")}}, wantTypes: "text", stop: llm.StopEndTurn, out: 30},
		{name: "echo of nothing is lorem", req: llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: []llm.Part{{Type: llm.PartImage, Media: &llm.Media{URL: "https://x/y.png"}}}}}},
			wantTypes: "text", stop: llm.StopEndTurn, out: 24},
		{name: "tool call", req: llm.Request{Tools: []llm.Tool{weather, clock}, Messages: []llm.Message{userText("weather?")}},
			wantText: `{"city":"sample city"}`, wantTypes: "tool_call", stop: llm.StopToolUse, out: 10},
		{name: "parallel tool calls", edit: func(m *config.SimModel) { m.ParallelToolCalls = intp(3) },
			req:      llm.Request{Tools: []llm.Tool{weather, clock}, Messages: []llm.Message{userText("weather?")}},
			wantText: `{"tz":"UTC"}`, wantTypes: "tool_call,tool_call", stop: llm.StopToolUse, out: 10 + 9},
		{name: "parallel disabled by request", edit: func(m *config.SimModel) { m.ParallelToolCalls = intp(3) },
			req:      llm.Request{ParallelToolCalls: &f, Tools: []llm.Tool{weather, clock}, Messages: []llm.Message{userText("weather?")}},
			wantText: `{"city":"sample city"}`, wantTypes: "tool_call", stop: llm.StopToolUse, out: 10},
		{name: "named tool", req: llm.Request{ToolChoice: &llm.ToolChoice{Mode: llm.ToolChoiceTool, Name: "get_time"}, Tools: []llm.Tool{weather, clock}, Messages: []llm.Message{userText("time?")}},
			wantText: `{"tz":"UTC"}`, wantTypes: "tool_call", stop: llm.StopToolUse, out: 9},
		{name: "tool choice none", req: llm.Request{ToolChoice: &llm.ToolChoice{Mode: llm.ToolChoiceNone}, Tools: []llm.Tool{weather}, Messages: []llm.Message{userText("hi")}},
			wantText: "hi", wantTypes: "text", stop: llm.StopEndTurn, out: 1},
		{name: "tools never", edit: func(m *config.SimModel) { m.Tools = "never" }, req: llm.Request{Tools: []llm.Tool{weather}, Messages: []llm.Message{userText("hi")}},
			wantText: "hi", wantTypes: "text", stop: llm.StopEndTurn, out: 1},
		{name: "after tool results answer in text", req: llm.Request{Tools: []llm.Tool{weather}, Messages: []llm.Message{userText("weather?"),
			{Role: llm.RoleAssistant, Content: []llm.Part{{Type: llm.PartToolCall, ToolCall: &llm.ToolCall{ID: "toolu_1", Name: "get_weather", Arguments: "{}"}}}}, toolResult}},
			wantText: "Sunny, 21C", wantTypes: "text", stop: llm.StopEndTurn, out: 3},
		{name: "tool call that does not fit is dropped", req: llm.Request{MaxTokens: 5, Tools: []llm.Tool{weather}, Messages: []llm.Message{userText("weather?")}},
			wantTypes: "", stop: llm.StopMaxTokens, out: 0},
		{name: "reasoning first", req: llm.Request{Reasoning: &llm.Reasoning{BudgetTokens: 1024}, Messages: []llm.Message{userText("hi")}},
			wantText: "hi", wantTypes: "reasoning,text", stop: llm.StopEndTurn, out: 17, reas: 16},
		{name: "reasoning budget caps", req: llm.Request{Reasoning: &llm.Reasoning{BudgetTokens: 4}, Messages: []llm.Message{userText("hi")}},
			wantText: "hi", wantTypes: "reasoning,text", stop: llm.StopEndTurn, out: 5, reas: 4},
		{name: "reasoning cut by max tokens", req: llm.Request{MaxTokens: 10, Reasoning: &llm.Reasoning{Effort: "high"}, Messages: []llm.Message{userText("hi")}},
			wantTypes: "reasoning", stop: llm.StopMaxTokens, out: 10, reas: 10},
		{name: "reasoning disabled", req: llm.Request{Reasoning: &llm.Reasoning{Disabled: true}, Messages: []llm.Message{userText("hi")}},
			wantText: "hi", wantTypes: "text", stop: llm.StopEndTurn, out: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := newPlanner(testModel(tt.edit)).buildPlan(&tt.req)
			var types []string
			total := 0
			for _, b := range pl.blocks {
				types = append(types, string(b.part.Type))
				total += len(b.pieces)
			}
			if got := strings.Join(types, ","); got != tt.wantTypes {
				t.Fatalf("blocks %q, want %q", got, tt.wantTypes)
			}
			if pl.stop != tt.stop || pl.outputTokens != tt.out || pl.reasoningTokens != tt.reas {
				t.Fatalf("stop %s out %d reasoning %d, want %s %d %d", pl.stop, pl.outputTokens, pl.reasoningTokens, tt.stop, tt.out, tt.reas)
			}
			if total != pl.outputTokens {
				t.Fatalf("pieces %d != output tokens %d", total, pl.outputTokens)
			}
			if tt.wantText != "" {
				if got := pl.blocks[len(pl.blocks)-1].text(); got != tt.wantText {
					t.Fatalf("text %q, want %q", got, tt.wantText)
				}
			}
			for _, b := range pl.blocks {
				switch b.part.Type {
				case llm.PartToolCall:
					if !strings.HasPrefix(b.part.ToolCall.ID, "toolu_") || !json.Valid([]byte(b.text())) {
						t.Fatalf("tool call %+v %s", b.part.ToolCall, b.text())
					}
				case llm.PartReasoning:
					if b.signature == "" || b.signature != signature(b.text()) {
						t.Fatal("reasoning without its signature")
					}
				}
			}
		})
	}
}

func TestLoremDeterministic(t *testing.T) {
	a := strings.Join(lorem(rand.New(rand.NewPCG(1, 0)), 40, ""), "")
	b := strings.Join(lorem(rand.New(rand.NewPCG(1, 0)), 40, ""), "")
	c := strings.Join(lorem(rand.New(rand.NewPCG(2, 0)), 40, ""), "")
	if a != b || a == c {
		t.Fatalf("lorem not a function of its seed:\n%s\n%s\n%s", a, b, c)
	}
	if CountTokens(a) != 40 {
		t.Fatalf("lorem of 40 tokens has %d: %q", CountTokens(a), a)
	}
	if a[0] < 'A' || a[0] > 'Z' {
		t.Fatalf("lorem starts lower case: %q", a)
	}
}

func TestApplyStop(t *testing.T) {
	ps := pieces("alpha beta gamma")
	tests := []struct {
		stops []string
		want  string
		seq   string
	}{
		{nil, "alpha beta gamma", ""},
		{[]string{"zeta"}, "alpha beta gamma", ""},
		{[]string{"gamma", " beta"}, "alpha", " beta"},
		{[]string{"ta g"}, "alpha be", "ta g"},
		{[]string{"alpha"}, "", "alpha"},
	}
	for _, tt := range tests {
		got, seq := applyStop(ps, tt.stops)
		if strings.Join(got, "") != tt.want || seq != tt.seq {
			t.Errorf("applyStop(%q) = %q %q", tt.stops, strings.Join(got, ""), seq)
		}
	}
}
