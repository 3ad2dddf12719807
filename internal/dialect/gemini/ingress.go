package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// DecodeHTTPRequest reads the model and the method from the path
// (/v1beta/models/{model}:generateContent or :streamGenerateContent) and
// the rest from the body. Streams must ask for alt=sse: railyard does not
// speak the JSON-array stream framing.
func (d Dialect) DecodeHTTPRequest(r *http.Request, body []byte) (*llm.Request, error) {
	model, method, ok := ParsePath(r.URL.Path)
	if !ok {
		return nil, llm.Errorf(http.StatusNotFound, llm.ErrNotFound, "no route for %s: want /v1beta/models/{model}:generateContent or :streamGenerateContent", r.URL.Path)
	}
	req, err := decodeBody(body)
	if err != nil {
		return nil, err
	}
	req.Model = model
	switch method {
	case "generateContent":
	case "streamGenerateContent":
		if alt := r.URL.Query().Get("alt"); alt != "sse" {
			return nil, llm.BadRequest("streamGenerateContent needs ?alt=sse (the JSON-array stream is not supported)")
		}
		req.Stream, req.StreamUsage = true, true
	default:
		return nil, llm.Errorf(http.StatusNotFound, llm.ErrNotFound, "method %q is not supported: use generateContent or streamGenerateContent", method)
	}
	return req, nil
}

// ParsePath splits /v1beta/models/{model}:{method} (or /v1/...). ok is
// false for any other path.
func ParsePath(path string) (model, method string, ok bool) {
	rest, found := strings.CutPrefix(path, "/v1beta/models/")
	if !found {
		if rest, found = strings.CutPrefix(path, "/v1/models/"); !found {
			return "", "", false
		}
	}
	i := strings.LastIndexByte(rest, ':')
	if i <= 0 || strings.Contains(rest[:i], "/") {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

// DecodeRequest decodes a body that came without its URL: Gemini puts the
// model in the path, so this only serves callers that set Model after.
func (Dialect) DecodeRequest(body []byte) (*llm.Request, error) {
	req, err := decodeBody(body)
	if err != nil {
		return nil, err
	}
	return nil, llm.BadRequest("a Gemini request names its model in the URL (/v1beta/models/{model}:generateContent); the body alone has %d contents", len(req.Messages))
}

func decodeBody(body []byte) (*llm.Request, error) {
	var w wireRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&w); err != nil {
		return nil, llm.BadRequest("invalid JSON body: %v", err)
	}
	if dec.More() {
		return nil, llm.BadRequest("invalid JSON body: more than one value")
	}
	w.normalize()
	req := &llm.Request{}
	if w.CachedContent != "" {
		req.NativeOnly = "cachedContent"
	}
	if w.SystemInstruction != nil {
		for _, p := range w.SystemInstruction.Parts {
			if p.Text != nil && *p.Text != "" {
				req.System = append(req.System, llm.Part{Type: llm.PartText, Text: *p.Text})
			}
		}
	}
	if len(w.Contents) == 0 {
		return nil, llm.BadRequest("contents must not be empty")
	}
	var pending []pendingCall
	nextID := 0
	for i, c := range w.Contents {
		m := llm.Message{Role: llm.RoleUser}
		switch c.Role {
		case "", "user", "function", "tool":
		case "model":
			m.Role = llm.RoleAssistant
			pending = pending[:0]
		default:
			return nil, llm.BadRequest("contents[%d].role must be user or model, not %q", i, c.Role)
		}
		for j := range c.Parts {
			p, native, err := partFromClient(&c.Parts[j], m.Role, &pending, &nextID)
			if err != nil {
				return nil, llm.BadRequest("contents[%d].parts[%d]: %s", i, j, err.Message)
			}
			if native != "" && req.NativeOnly == "" {
				req.NativeOnly = native
			}
			if p != nil {
				m.Content = append(m.Content, *p)
			}
		}
		if len(m.Content) > 0 {
			req.Messages = append(req.Messages, m)
		}
	}
	if len(req.Messages) == 0 {
		return nil, llm.BadRequest("contents carry no parts railyard can send")
	}
	if err := decodeTools(&w, req); err != nil {
		return nil, err
	}
	if err := decodeGenerationConfig(w.GenerationConfig, req); err != nil {
		return nil, err
	}
	return req, nil
}

// pendingCall is a function call of the latest model turn, waiting for its
// functionResponse.
type pendingCall struct {
	id, name string
	answered bool
}

// partFromClient maps one request part. Calls get ids by position; a
// response takes the id of the first unanswered call of the same name.
func partFromClient(wp *wirePart, role llm.Role, pending *[]pendingCall, nextID *int) (*llm.Part, string, *llm.Error) {
	switch {
	case wp.ExecutableCode != nil:
		return nil, "executableCode", nil
	case wp.CodeExecutionResult != nil:
		return nil, "codeExecutionResult", nil
	case wp.FunctionCall != nil:
		if role != llm.RoleAssistant {
			return nil, "", llm.BadRequest("functionCall belongs in a model turn")
		}
		fc := wp.FunctionCall
		if fc.Name == "" {
			return nil, "", llm.BadRequest("functionCall needs a name")
		}
		args := bytes.TrimSpace(fc.Args)
		if len(args) == 0 || string(args) == "null" {
			args = []byte("{}")
		} else if args[0] != '{' {
			return nil, "", llm.BadRequest("functionCall.args must be an object")
		}
		id := fc.ID
		if id == "" {
			id = "call_" + itoa(*nextID)
			*nextID++
		}
		*pending = append(*pending, pendingCall{id: id, name: fc.Name})
		return &llm.Part{Type: llm.PartToolCall, Signature: wp.ThoughtSignature,
			ToolCall: &llm.ToolCall{ID: id, Name: fc.Name, Arguments: string(args)}}, "", nil
	case wp.FunctionResponse != nil:
		fr := wp.FunctionResponse
		if fr.Name == "" {
			return nil, "", llm.BadRequest("functionResponse needs a name")
		}
		id := fr.ID
		if id == "" {
			for k := range *pending {
				pc := &(*pending)[k]
				if !pc.answered && pc.name == fr.Name {
					pc.answered, id = true, pc.id
					break
				}
			}
		}
		if id == "" {
			return nil, "", llm.BadRequest("functionResponse %q answers no functionCall of the model turn before it", fr.Name)
		}
		resp := bytes.TrimSpace(fr.Response)
		if len(resp) == 0 || string(resp) == "null" {
			resp = []byte("{}")
		}
		text, isErr := resultText(resp)
		return &llm.Part{Type: llm.PartToolResult, ToolResult: &llm.ToolResult{CallID: id, IsError: isErr,
			Content: []llm.Part{{Type: llm.PartText, Text: text}}}}, "", nil
	case wp.InlineData != nil:
		b := wp.InlineData
		if b.MimeType == "" || b.Data == "" {
			return nil, "", llm.BadRequest("inlineData needs mimeType and data")
		}
		return &llm.Part{Type: mediaType(b.MimeType), Media: &llm.Media{MediaType: b.MimeType, Data: b.Data}}, "", nil
	case wp.FileData != nil:
		f := wp.FileData
		if f.FileURI == "" {
			return nil, "", llm.BadRequest("fileData needs a fileUri")
		}
		if !strings.HasPrefix(f.FileURI, "https://") && !strings.HasPrefix(f.FileURI, "http://") {
			// Files API and gs:// URIs mean nothing to other providers.
			return &llm.Part{Type: mediaType(f.MimeType), Media: &llm.Media{MediaType: f.MimeType, URL: f.FileURI}}, "fileData", nil
		}
		return &llm.Part{Type: mediaType(f.MimeType), Media: &llm.Media{MediaType: f.MimeType, URL: f.FileURI}}, "", nil
	case wp.Text != nil:
		if wp.Thought {
			if role != llm.RoleAssistant {
				return nil, "", nil
			}
			return &llm.Part{Type: llm.PartReasoning, Text: *wp.Text, Signature: wp.ThoughtSignature}, "", nil
		}
		if *wp.Text == "" && wp.ThoughtSignature == "" {
			return nil, "", nil
		}
		p := &llm.Part{Type: llm.PartText, Text: *wp.Text}
		if role == llm.RoleAssistant {
			p.Signature = wp.ThoughtSignature
		}
		return p, "", nil
	}
	return nil, "", nil
}

func mediaType(mime string) llm.PartType {
	if strings.HasPrefix(mime, "image/") {
		return llm.PartImage
	}
	return llm.PartDocument
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// decodeTools maps functionDeclarations and toolConfig. Google's own tools
// (search, code execution, URL context) are native-only.
func decodeTools(w *wireRequest, req *llm.Request) *llm.Error {
	for i, t := range w.Tools {
		switch {
		case t.GoogleSearch != nil || t.GoogleSearchRetrieval != nil:
			setNative(req, "googleSearch")
		case t.CodeExecution != nil:
			setNative(req, "codeExecution")
		case t.URLContext != nil:
			setNative(req, "urlContext")
		}
		for j, fd := range t.FunctionDeclarations {
			if fd.Name == "" {
				return llm.BadRequest("tools[%d].functionDeclarations[%d] needs a name", i, j)
			}
			tool := llm.Tool{Name: fd.Name, Description: fd.Description}
			switch {
			case len(fd.ParametersJSONSchema) > 0 && !isNull(fd.ParametersJSONSchema):
				tool.Parameters = fd.ParametersJSONSchema
			case len(fd.Parameters) > 0 && !isNull(fd.Parameters):
				s, err := openAPIToJSONSchema(fd.Parameters)
				if err != nil {
					return llm.BadRequest("tools[%d].functionDeclarations[%d].parameters: %v", i, j, err)
				}
				tool.Parameters = s
			}
			req.Tools = append(req.Tools, tool)
		}
	}
	fc := (*wireFunctionCallingConfig)(nil)
	if w.ToolConfig != nil {
		fc = w.ToolConfig.FunctionCallingConfig
	}
	if fc == nil || len(req.Tools) == 0 {
		return nil
	}
	switch fc.Mode {
	case "", "MODE_UNSPECIFIED", "AUTO", "VALIDATED":
		req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceAuto}
	case "NONE":
		req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceNone}
	case "ANY":
		switch len(fc.AllowedFunctionNames) {
		case 0:
			req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceRequired}
		case 1:
			req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceTool, Name: fc.AllowedFunctionNames[0]}
		default:
			// "Call one of these": offer only those tools and require one.
			allowed := map[string]bool{}
			for _, n := range fc.AllowedFunctionNames {
				allowed[n] = true
			}
			kept := req.Tools[:0]
			for _, t := range req.Tools {
				if allowed[t.Name] {
					kept = append(kept, t)
				}
			}
			req.Tools = kept
			req.ToolChoice = &llm.ToolChoice{Mode: llm.ToolChoiceRequired}
		}
		if req.ToolChoice.Mode == llm.ToolChoiceTool && !hasTool(req.Tools, req.ToolChoice.Name) {
			return llm.BadRequest("toolConfig allows function %q, which no functionDeclaration defines", req.ToolChoice.Name)
		}
		if len(req.Tools) == 0 {
			return llm.BadRequest("toolConfig.functionCallingConfig.allowedFunctionNames names no declared function")
		}
	default:
		return llm.BadRequest("unknown toolConfig.functionCallingConfig.mode %q (valid: AUTO, ANY, NONE)", fc.Mode)
	}
	return nil
}

func setNative(req *llm.Request, what string) {
	if req.NativeOnly == "" {
		req.NativeOnly = what
	}
}

func hasTool(tools []llm.Tool, name string) bool {
	for _, t := range tools {
		if t.Name == name {
			return true
		}
	}
	return false
}

func decodeGenerationConfig(g *wireGenerationConfig, req *llm.Request) *llm.Error {
	if g == nil {
		return nil
	}
	if g.CandidateCount != nil && *g.CandidateCount > 1 {
		return llm.BadRequest("generationConfig.candidateCount above 1 is not supported")
	}
	if g.MaxOutputTokens != nil {
		if *g.MaxOutputTokens < 1 {
			return llm.BadRequest("generationConfig.maxOutputTokens must be at least 1")
		}
		req.MaxTokens = *g.MaxOutputTokens
	}
	if g.Temperature != nil && (*g.Temperature < 0 || *g.Temperature > 2) {
		return llm.BadRequest("generationConfig.temperature must be between 0 and 2")
	}
	if g.TopP != nil && (*g.TopP < 0 || *g.TopP > 1) {
		return llm.BadRequest("generationConfig.topP must be between 0 and 1")
	}
	req.Temperature, req.TopP, req.Seed = g.Temperature, g.TopP, g.Seed
	req.PresencePenalty, req.FrequencyPenalty = g.PresencePenalty, g.FrequencyPenalty
	if g.TopK != nil {
		if *g.TopK < 1 || *g.TopK > 1e6 {
			return llm.BadRequest("generationConfig.topK must be a positive integer")
		}
		k := int(*g.TopK)
		req.TopK = &k
	}
	if len(g.StopSequences) > 0 {
		req.Stop = g.StopSequences
	}
	switch g.ResponseMimeType {
	case "", "text/plain":
	case "application/json":
		switch {
		case len(g.ResponseJSONSchema) > 0 && !isNull(g.ResponseJSONSchema):
			req.ResponseFormat = &llm.ResponseFormat{Type: llm.FormatJSONSchema, Name: "response", Schema: g.ResponseJSONSchema}
		case len(g.ResponseSchema) > 0 && !isNull(g.ResponseSchema):
			s, err := openAPIToJSONSchema(g.ResponseSchema)
			if err != nil {
				return llm.BadRequest("generationConfig.responseSchema: %v", err)
			}
			req.ResponseFormat = &llm.ResponseFormat{Type: llm.FormatJSONSchema, Name: "response", Schema: s}
		default:
			req.ResponseFormat = &llm.ResponseFormat{Type: llm.FormatJSONObject}
		}
	default:
		return llm.BadRequest("generationConfig.responseMimeType %q is not supported (use text/plain or application/json)", g.ResponseMimeType)
	}
	if tc := g.ThinkingConfig; tc != nil {
		switch {
		case tc.ThinkingBudget != nil && *tc.ThinkingBudget == 0:
			req.Reasoning = &llm.Reasoning{Disabled: true}
		case tc.ThinkingBudget != nil && *tc.ThinkingBudget > 0:
			req.Reasoning = &llm.Reasoning{BudgetTokens: *tc.ThinkingBudget}
		case tc.ThinkingLevel != "":
			lvl := strings.ToLower(tc.ThinkingLevel)
			if lvl != "minimal" && lvl != "low" && lvl != "medium" && lvl != "high" {
				return llm.BadRequest("generationConfig.thinkingConfig.thinkingLevel %q is not one of minimal, low, medium, high", tc.ThinkingLevel)
			}
			req.Reasoning = &llm.Reasoning{Effort: lvl}
		}
	}
	return nil
}

// openAPIToJSONSchema turns Gemini's OpenAPI-subset schema into JSON
// Schema: type names are upper case there ("OBJECT") and lower case in
// JSON Schema; "nullable": true becomes a type list with "null".
func openAPIToJSONSchema(raw json.RawMessage) (json.RawMessage, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, errNotObject
	}
	out, err := json.Marshal(lowerTypes(v, 0))
	return out, err
}

var errNotObject = errors.New("a schema must be a JSON object")

// lowerTypes walks a schema; depth bounds recursion on hostile input.
func lowerTypes(v any, depth int) any {
	if depth > 64 {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if k == "properties" || k == "$defs" || k == "definitions" {
				if props, ok := val.(map[string]any); ok {
					for pk, pv := range props {
						props[pk] = lowerTypes(pv, depth+1)
					}
					continue
				}
			}
			if k == "type" {
				if s, ok := val.(string); ok {
					x[k] = strings.ToLower(s)
					continue
				}
			}
			if k == "enum" || k == "required" || k == "example" || k == "default" {
				continue
			}
			x[k] = lowerTypes(val, depth+1)
		}
		if n, ok := x["nullable"].(bool); ok {
			delete(x, "nullable")
			if t, ok := x["type"].(string); ok && n {
				x["type"] = []any{t, "null"}
			}
		}
		return x
	case []any:
		for i := range x {
			x[i] = lowerTypes(x[i], depth+1)
		}
		return x
	}
	return v
}

// resultText is the text of a functionResponse.response: the string of a
// lone "output" (or "error") key, as Google's docs shape results and as
// railyard sends them, else the whole object as JSON.
func resultText(resp []byte) (string, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(resp, &m) == nil && len(m) == 1 {
		for k, v := range m {
			var s string
			if (k == "output" || k == "error") && json.Unmarshal(v, &s) == nil {
				return s, k == "error"
			}
		}
	}
	return string(resp), false
}
