package openai

import "strconv"

// Every field the request decoder reads carries its param name
// ("messages[2].content") for the error it might return, and building
// those names cost a dozen allocations per request, errors or not. The
// names of the first messages' and tools' fields are built once here.

// msgParams are the param names of one message's fields.
type msgParams struct {
	base, role, name, content, refusal, reasoningContent, reasoning, toolCallID string
}

// toolParams are the param names of one tool's fields.
type toolParams struct {
	base, typ, function, name, description, parameters, strict string
}

const paramTable = 64

var (
	msgParamTable  = func() (t [paramTable]msgParams) { fillTable(t[:], newMsgParams); return t }()
	toolParamTable = func() (t [paramTable]toolParams) { fillTable(t[:], newToolParams); return t }()
)

func fillTable[T any](t []T, mk func(int) T) {
	for i := range t {
		t[i] = mk(i)
	}
}

func newMsgParams(i int) msgParams {
	b := "messages[" + strconv.Itoa(i) + "]"
	return msgParams{base: b, role: b + ".role", name: b + ".name", content: b + ".content", refusal: b + ".refusal",
		reasoningContent: b + ".reasoning_content", reasoning: b + ".reasoning", toolCallID: b + ".tool_call_id"}
}

func newToolParams(i int) toolParams {
	b := "tools[" + strconv.Itoa(i) + "]"
	f := b + ".function"
	return toolParams{base: b, typ: b + ".type", function: f, name: f + ".name", description: f + ".description",
		parameters: f + ".parameters", strict: f + ".strict"}
}

func messageParams(i int) *msgParams {
	if i < paramTable {
		return &msgParamTable[i]
	}
	p := newMsgParams(i)
	return &p
}

func toolParamsOf(i int) *toolParams {
	if i < paramTable {
		return &toolParamTable[i]
	}
	p := newToolParams(i)
	return &p
}
