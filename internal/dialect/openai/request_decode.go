package openai

import (
	"encoding/json"
	"math"
	"sync"

	"github.com/railyard-ai/railyard/internal/jsonx"
	"github.com/railyard-ai/railyard/internal/llm"
)

// rawRequest holds the top-level fields railyard reads, undecoded, so that
// each can be checked with its own name. Unknown fields are ignored: the
// fast path forwards them untouched and the translated path cannot carry
// them anyway.
type rawRequest struct {
	Model               json.RawMessage `json:"model"`
	Messages            json.RawMessage `json:"messages"`
	Tools               json.RawMessage `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ParallelToolCalls   json.RawMessage `json:"parallel_tool_calls"`
	MaxCompletionTokens json.RawMessage `json:"max_completion_tokens"`
	MaxTokens           json.RawMessage `json:"max_tokens"`
	Temperature         json.RawMessage `json:"temperature"`
	TopP                json.RawMessage `json:"top_p"`
	TopK                json.RawMessage `json:"top_k"` // vLLM/SGLang extension
	Stop                json.RawMessage `json:"stop"`
	Seed                json.RawMessage `json:"seed"`
	PresencePenalty     json.RawMessage `json:"presence_penalty"`
	FrequencyPenalty    json.RawMessage `json:"frequency_penalty"`
	ResponseFormat      json.RawMessage `json:"response_format"`
	ReasoningEffort     json.RawMessage `json:"reasoning_effort"`
	Stream              json.RawMessage `json:"stream"`
	StreamOptions       json.RawMessage `json:"stream_options"`
	User                json.RawMessage `json:"user"`
	N                   json.RawMessage `json:"n"`
}

// DecodeRequest parses and validates a client's Chat Completions request.
// Every problem is a 400 *llm.Error whose Param names the field.
func (Dialect) DecodeRequest(body []byte) (*llm.Request, error) {
	sc := scratches.Get().(*decodeScratch)
	defer putScratch(sc)
	raw := &sc.raw
	if err := decodeBody(body, raw); err != nil {
		if _, ok := err.(*json.UnmarshalTypeError); ok {
			return nil, llm.BadRequest("The request body must be a JSON object.")
		}
		return nil, llm.BadRequest("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)")
	}
	req := &llm.Request{}
	var err error
	if req.Model, err = reqString(raw.Model, "model"); err != nil {
		return nil, err
	}
	if err = decodeMessages(raw.Messages, req, sc); err != nil {
		return nil, err
	}
	if err = decodeTools(raw, req, sc); err != nil {
		return nil, err
	}
	if err = decodeSampling(raw, req); err != nil {
		return nil, err
	}
	if req.ResponseFormat, err = decodeResponseFormat(raw.ResponseFormat); err != nil {
		return nil, err
	}
	effort, err := optString(raw.ReasoningEffort, "reasoning_effort")
	if err != nil {
		return nil, err
	}
	if effort != "" {
		req.Reasoning = &llm.Reasoning{Effort: effort}
	}
	if s, err := opt[bool](raw.Stream, "stream", "a boolean"); err != nil {
		return nil, err
	} else if s != nil {
		req.Stream = *s
	}
	if !isNull(raw.StreamOptions) {
		var so struct {
			IncludeUsage json.RawMessage `json:"include_usage"`
		}
		if err := decodeAs(raw.StreamOptions, "stream_options", "an object", &so); err != nil {
			return nil, err
		}
		iu, err := opt[bool](so.IncludeUsage, "stream_options.include_usage", "a boolean")
		if err != nil {
			return nil, err
		}
		req.StreamUsage = req.Stream && iu != nil && *iu
	}
	if req.User, err = optString(raw.User, "user"); err != nil {
		return nil, err
	}
	if n, err := opt[int64](raw.N, "n", "an integer"); err != nil {
		return nil, err
	} else if n != nil && *n != 1 {
		return nil, badParam("n", "Invalid 'n': railyard returns one choice; n must be 1.")
	}
	return req, nil
}

// decodeScratch is DecodeRequest's undecoded values: the top-level fields,
// the message and tool lists, one message and one tool at a time. They
// escaped through decodeAs (about ten allocations and 1 KB per request),
// so they come from a pool and go back cleared (their slices point into
// the client's body). Nothing keeps a pointer to them: the request holds
// copies of what it needs, or slices of the body itself.
type decodeScratch struct {
	raw   rawRequest
	msgs  []json.RawMessage
	msg   rawMessage
	tools []json.RawMessage
	tool  rawTool
}

var scratches = sync.Pool{New: func() any { return new(decodeScratch) }}

// maxPooledList keeps a huge request's message or tool list out of the pool.
const maxPooledList = 1024

func putScratch(sc *decodeScratch) {
	msgs, tools := sc.msgs, sc.tools
	clear(msgs[:cap(msgs)])
	clear(tools[:cap(tools)])
	if cap(msgs) > maxPooledList {
		msgs = nil
	}
	if cap(tools) > maxPooledList {
		tools = nil
	}
	*sc = decodeScratch{msgs: msgs[:0], tools: tools[:0]}
	scratches.Put(sc)
}

// decodeBody is json.Unmarshal(body, raw) in two quick passes instead of
// two slow ones: jsonx.Valid (json.Valid's answer at three times its
// speed), then jsonx.SplitInto.
func decodeBody(body []byte, raw *rawRequest) error {
	if !jsonx.Valid(body) {
		return json.Unmarshal(body, raw) // the same syntax error
	}
	if handled, err := jsonx.SplitInto(body, raw); handled {
		return err
	}
	return json.Unmarshal(body, raw)
}

// decodeSampling reads the output limit and sampling parameters, with
// OpenAI's ranges.
func decodeSampling(raw *rawRequest, req *llm.Request) error {
	for _, f := range []struct {
		raw   json.RawMessage
		param string
	}{{raw.MaxTokens, "max_tokens"}, {raw.MaxCompletionTokens, "max_completion_tokens"}} {
		n, err := opt[int64](f.raw, f.param, "an integer")
		if err != nil {
			return err
		}
		if n == nil {
			continue
		}
		if *n < 1 || *n > math.MaxInt32 {
			return badParam(f.param, "Invalid '%s': integer out of range. Expected a value >= 1.", f.param)
		}
		req.MaxTokens = int(*n) // max_completion_tokens is read last and wins
	}
	var err error
	if req.Temperature, err = optRange(raw.Temperature, "temperature", 0, 2); err != nil {
		return err
	}
	if req.TopP, err = optRange(raw.TopP, "top_p", 0, 1); err != nil {
		return err
	}
	if req.PresencePenalty, err = optRange(raw.PresencePenalty, "presence_penalty", -2, 2); err != nil {
		return err
	}
	if req.FrequencyPenalty, err = optRange(raw.FrequencyPenalty, "frequency_penalty", -2, 2); err != nil {
		return err
	}
	if req.TopK, err = opt[int](raw.TopK, "top_k", "an integer"); err != nil {
		return err
	}
	if req.Seed, err = opt[int64](raw.Seed, "seed", "an integer"); err != nil {
		return err
	}
	if !isNull(raw.Stop) {
		if raw.Stop[0] == '"' {
			s, err := optString(raw.Stop, "stop")
			if err != nil {
				return err
			}
			req.Stop = []string{s}
		} else if err := decodeAs(raw.Stop, "stop", "a string or an array of strings", &req.Stop); err != nil {
			return err
		}
	}
	return nil
}

// decodeResponseFormat reads response_format: text, json_object or
// json_schema.
func decodeResponseFormat(raw json.RawMessage) (*llm.ResponseFormat, error) {
	if isNull(raw) {
		return nil, nil
	}
	var rf struct {
		Type       json.RawMessage `json:"type"`
		JSONSchema json.RawMessage `json:"json_schema"`
	}
	if err := decodeAs(raw, "response_format", "an object", &rf); err != nil {
		return nil, err
	}
	typ, err := reqString(rf.Type, "response_format.type")
	if err != nil {
		return nil, err
	}
	switch llm.ResponseFormatType(typ) {
	case llm.FormatText, llm.FormatJSONObject:
		return &llm.ResponseFormat{Type: llm.ResponseFormatType(typ)}, nil
	case llm.FormatJSONSchema:
	default:
		return nil, badParam("response_format.type", "Invalid value: '%s'. Supported values are: 'text', 'json_object' and 'json_schema'.", typ)
	}
	if isNull(rf.JSONSchema) {
		return nil, badParam("response_format.json_schema", "Missing required parameter: 'response_format.json_schema'.")
	}
	var js struct {
		Name   json.RawMessage `json:"name"`
		Schema json.RawMessage `json:"schema"`
		Strict json.RawMessage `json:"strict"`
	}
	if err := decodeAs(rf.JSONSchema, "response_format.json_schema", "an object", &js); err != nil {
		return nil, err
	}
	out := &llm.ResponseFormat{Type: llm.FormatJSONSchema}
	if out.Name, err = reqString(js.Name, "response_format.json_schema.name"); err != nil {
		return nil, err
	}
	if !isNull(js.Schema) {
		if js.Schema[0] != '{' {
			return nil, badParam("response_format.json_schema.schema", "Invalid type for 'response_format.json_schema.schema': expected an object, but got %s instead.", jsonKind(js.Schema))
		}
		out.Schema = append(json.RawMessage(nil), js.Schema...)
	}
	if out.Strict, err = opt[bool](js.Strict, "response_format.json_schema.strict", "a boolean"); err != nil {
		return nil, err
	}
	return out, nil
}

// decodeTools reads tools, tool_choice and parallel_tool_calls.
func decodeTools(raw *rawRequest, req *llm.Request, sc *decodeScratch) error {
	if !isNull(raw.Tools) {
		if err := decodeAs(raw.Tools, "tools", "an array", &sc.tools); err != nil {
			return err
		}
		tools := sc.tools
		// Room for every tool at once.
		req.Tools = make([]llm.Tool, 0, len(tools))
		for i, t := range tools {
			tool, err := decodeTool(t, toolParamsOf(i), &sc.tool)
			if err != nil {
				return err
			}
			req.Tools = append(req.Tools, tool)
		}
		if len(req.Tools) == 0 {
			req.Tools = nil // as before the room was made
		}
	}
	var err error
	if req.ToolChoice, err = decodeToolChoice(raw.ToolChoice); err != nil {
		return err
	}
	req.ParallelToolCalls, err = opt[bool](raw.ParallelToolCalls, "parallel_tool_calls", "a boolean")
	return err
}

// rawTool is a tool and its function, undecoded: decodeTool's scratch.
type rawTool struct {
	t struct {
		Type     json.RawMessage `json:"type"`
		Function json.RawMessage `json:"function"`
	}
	f struct {
		Name        json.RawMessage `json:"name"`
		Description json.RawMessage `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		Strict      json.RawMessage `json:"strict"`
	}
}

func decodeTool(raw json.RawMessage, tp *toolParams, scratch *rawTool) (llm.Tool, error) {
	param := tp.base
	*scratch = rawTool{}
	t, f := &scratch.t, &scratch.f
	if err := decodeAs(raw, param, "an object", t); err != nil {
		return llm.Tool{}, err
	}
	typ, err := reqString(t.Type, tp.typ)
	if err != nil {
		return llm.Tool{}, err
	}
	if typ != "function" {
		return llm.Tool{}, badParam(tp.typ, "Invalid value: '%s'. Supported values are: 'function'.", typ)
	}
	if isNull(t.Function) {
		return llm.Tool{}, badParam(tp.function, "Missing required parameter: '%s.function'.", param)
	}
	fp := tp.function
	if err := decodeAs(t.Function, fp, "an object", f); err != nil {
		return llm.Tool{}, err
	}
	var tool llm.Tool
	if tool.Name, err = reqString(f.Name, tp.name); err != nil {
		return tool, err
	}
	if tool.Description, err = optString(f.Description, tp.description); err != nil {
		return tool, err
	}
	if !isNull(f.Parameters) {
		if f.Parameters[0] != '{' {
			return tool, badParam(tp.parameters, "Invalid type for '%s.parameters': expected an object, but got %s instead.", fp, jsonKind(f.Parameters))
		}
		tool.Parameters = append(json.RawMessage(nil), f.Parameters...)
	}
	tool.Strict, err = opt[bool](f.Strict, tp.strict, "a boolean")
	return tool, err
}

func decodeToolChoice(raw json.RawMessage) (*llm.ToolChoice, error) {
	const param = "tool_choice"
	if isNull(raw) {
		return nil, nil
	}
	if raw[0] == '"' {
		s, err := optString(raw, param)
		if err != nil {
			return nil, err
		}
		switch llm.ToolChoiceMode(s) {
		case llm.ToolChoiceAuto, llm.ToolChoiceNone, llm.ToolChoiceRequired:
			return &llm.ToolChoice{Mode: llm.ToolChoiceMode(s)}, nil
		}
		return nil, badParam(param, "Invalid value: '%s'. Supported values are: 'none', 'auto', and 'required'.", s)
	}
	var tc struct {
		Type     json.RawMessage `json:"type"`
		Function json.RawMessage `json:"function"`
	}
	if err := decodeAs(raw, param, "a string or an object", &tc); err != nil {
		return nil, err
	}
	typ, err := reqString(tc.Type, param+".type")
	if err != nil {
		return nil, err
	}
	if typ != "function" {
		return nil, badParam(param+".type", "Invalid value: '%s'. Supported values are: 'function'.", typ)
	}
	var fn struct {
		Name json.RawMessage `json:"name"`
	}
	if isNull(tc.Function) {
		return nil, badParam(param+".function", "Missing required parameter: 'tool_choice.function'.")
	}
	if err := decodeAs(tc.Function, param+".function", "an object", &fn); err != nil {
		return nil, err
	}
	name, err := reqString(fn.Name, param+".function.name")
	if err != nil {
		return nil, err
	}
	return &llm.ToolChoice{Mode: llm.ToolChoiceTool, Name: name}, nil
}
