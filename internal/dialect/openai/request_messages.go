package openai

import (
	"cmp"
	"encoding/json"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// rawMessage is one client message, undecoded.
type rawMessage struct {
	Role       json.RawMessage `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       json.RawMessage `json:"name"`
	Refusal    json.RawMessage `json:"refusal"`
	ToolCalls  json.RawMessage `json:"tool_calls"`
	ToolCallID json.RawMessage `json:"tool_call_id"`
	// ReasoningContent is the extension DeepSeek, vLLM and Qwen clients send
	// back on assistant turns; Reasoning is the name some servers use.
	ReasoningContent json.RawMessage `json:"reasoning_content"`
	Reasoning        json.RawMessage `json:"reasoning"`
}

// rawPart is one content part, undecoded.
type rawPart struct {
	Type     json.RawMessage `json:"type"`
	Text     json.RawMessage `json:"text"`
	Refusal  json.RawMessage `json:"refusal"`
	ImageURL json.RawMessage `json:"image_url"`
	File     json.RawMessage `json:"file"`
}

// decodeMessages fills req.System and req.Messages. System and developer
// messages go to System wherever they stand; consecutive tool messages fold
// into one user message of tool results.
func decodeMessages(raw json.RawMessage, req *llm.Request, sc *decodeScratch) error {
	if isNull(raw) {
		return badParam("messages", "Missing required parameter: 'messages'.")
	}
	if err := decodeAs(raw, "messages", "an array", &sc.msgs); err != nil {
		return err
	}
	msgs := sc.msgs
	if len(msgs) == 0 {
		return badParam("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
	}
	lastWasTool := false
	// Room for every message at once (appending grew the slice two or
	// three times); each message is decoded into the scratch's one
	// rawMessage.
	req.Messages = make([]llm.Message, 0, len(msgs))
	for i, m := range msgs {
		pm := messageParams(i)
		param := pm.base
		sc.msg = rawMessage{}
		if err := decodeAs(m, param, "an object", &sc.msg); err != nil {
			return err
		}
		rm := &sc.msg
		role, err := reqString(rm.Role, pm.role)
		if err != nil {
			return err
		}
		name, err := optString(rm.Name, pm.name)
		if err != nil {
			return err
		}
		isTool := false
		switch role {
		case "system", "developer":
			if isString(rm.Content) { // textContent's common case, without its one-string slice
				t, err := optString(rm.Content, pm.content)
				if err != nil {
					return err
				}
				req.System = append(req.System, llm.Part{Type: llm.PartText, Text: t, Developer: role == "developer"})
				break
			}
			texts, err := textContent(rm.Content, pm.content)
			if err != nil {
				return err
			}
			for _, t := range texts {
				req.System = append(req.System, llm.Part{Type: llm.PartText, Text: t, Developer: role == "developer"})
			}
		case "user":
			parts, err := userContent(rm.Content, pm.content, &req.NativeOnly)
			if err != nil {
				return err
			}
			req.Messages = append(req.Messages, llm.Message{Role: llm.RoleUser, Content: parts, Name: name})
		case "assistant":
			msg, err := assistantMessage(*rm, pm)
			if err != nil {
				return err
			}
			msg.Name = name
			req.Messages = append(req.Messages, msg)
		case "tool":
			part, err := toolResult(*rm, pm)
			if err != nil {
				return err
			}
			if lastWasTool {
				last := &req.Messages[len(req.Messages)-1]
				last.Content = append(last.Content, part)
			} else {
				req.Messages = append(req.Messages, llm.Message{Role: llm.RoleUser, Content: []llm.Part{part}})
			}
			isTool = true
		default:
			return badParam(pm.role, "Invalid value: '%s'. Supported values are: 'system', 'developer', 'user', 'assistant', and 'tool'.", role)
		}
		lastWasTool = isTool
	}
	// A conversation of system or developer messages alone is valid on
	// OpenAI (see testdata/recorded/chat-detailed-usage.yaml), so
	// req.Messages may be empty here (nil, as before the room was made).
	if len(req.Messages) == 0 {
		req.Messages = nil
	}
	return nil
}

// isString reports whether raw is a JSON string (and so neither absent
// nor null).
func isString(raw json.RawMessage) bool { return len(raw) > 0 && raw[0] == '"' }

// textContent reads content that may only hold text: a string or an array
// of text parts (system, developer and tool messages).
func textContent(raw json.RawMessage, param string) ([]string, error) {
	if isNull(raw) {
		return nil, badParam(param, "Missing required parameter: '%s'.", param)
	}
	if raw[0] == '"' {
		s, err := optString(raw, param)
		return []string{s}, err
	}
	var parts []json.RawMessage
	if err := decodeAs(raw, param, "a string or an array", &parts); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(parts))
	for i, p := range parts {
		pp := index(param, i)
		var rp rawPart
		if err := decodeAs(p, pp, "an object", &rp); err != nil {
			return nil, err
		}
		typ, err := reqString(rp.Type, pp+".type")
		if err != nil {
			return nil, err
		}
		if typ != "text" {
			return nil, badParam(pp+".type", "Invalid value: '%s'. Supported values are: 'text'.", typ)
		}
		t, err := optString(rp.Text, pp+".text")
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// userContent reads a user message's content: a string or an array of
// text, image_url and file parts. Parts only OpenAI itself can take (audio
// input, uploaded file ids) are left out and named in *native, so the
// request still works on the fast path (llm.Request.NativeOnly).
func userContent(raw json.RawMessage, param string, native *string) ([]llm.Part, error) {
	if isNull(raw) {
		return nil, badParam(param, "Invalid value for '%s': expected a string or an array of content parts, but got null instead.", param)
	}
	if raw[0] == '"' {
		s, err := optString(raw, param)
		return []llm.Part{{Type: llm.PartText, Text: s}}, err
	}
	var parts []json.RawMessage
	if err := decodeAs(raw, param, "a string or an array", &parts); err != nil {
		return nil, err
	}
	out := make([]llm.Part, 0, len(parts))
	for i, p := range parts {
		part, err := userPart(p, index(param, i))
		if no, ok := err.(*nativeOnly); ok {
			*native = cmp.Or(*native, no.reason)
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, part)
	}
	return out, nil
}

func userPart(raw json.RawMessage, param string) (llm.Part, error) {
	var rp rawPart
	if err := decodeAs(raw, param, "an object", &rp); err != nil {
		return llm.Part{}, err
	}
	typ, err := reqString(rp.Type, param+".type")
	if err != nil {
		return llm.Part{}, err
	}
	switch typ {
	case "text":
		t, err := optString(rp.Text, param+".text")
		return llm.Part{Type: llm.PartText, Text: t}, err
	case "image_url":
		m, err := imagePart(rp.ImageURL, param+".image_url")
		return llm.Part{Type: llm.PartImage, Media: m}, err
	case "file":
		m, err := filePartMedia(rp.File, param+".file")
		return llm.Part{Type: llm.PartDocument, Media: m}, err
	case "input_audio":
		return llm.Part{}, &nativeOnly{reason: param + ".type \"input_audio\""}
	}
	// Anything newer has no place in the canonical IR; refusing beats
	// silently dropping what the user sent.
	return llm.Part{}, badParam(param+".type", "Invalid value: '%s'. Supported values are: 'text', 'image_url' and 'file'.", typ)
}

// imagePart reads {url, detail} (or, as older clients send it, a bare URL
// string).
func imagePart(raw json.RawMessage, param string) (*llm.Media, error) {
	if isNull(raw) {
		return nil, badParam(param, "Missing required parameter: '%s'.", param)
	}
	var img struct {
		URL    json.RawMessage `json:"url"`
		Detail json.RawMessage `json:"detail"`
	}
	if raw[0] == '"' {
		img.URL = raw
	} else if err := decodeAs(raw, param, "an object", &img); err != nil {
		return nil, err
	}
	url, err := reqString(img.URL, param+".url")
	if err != nil {
		return nil, err
	}
	m := &llm.Media{}
	if m.Detail, err = optString(img.Detail, param+".detail"); err != nil {
		return nil, err
	}
	switch {
	case strings.HasPrefix(url, "data:"):
		if m.MediaType, m.Data, err = parseDataURL(url, param+".url"); err != nil {
			return nil, err
		}
	case strings.HasPrefix(url, "https://"), strings.HasPrefix(url, "http://"):
		m.URL = url
	default:
		return nil, badParam(param+".url", "Invalid '%s.url': expected an http(s) URL or a base64 data URL.", param)
	}
	return m, nil
}

// filePartMedia reads {file_data, filename}. Uploaded files (file_id) live
// in OpenAI's file store, which no other provider can read, so they make
// the request native-only rather than reach a provider that cannot resolve
// them.
func filePartMedia(raw json.RawMessage, param string) (*llm.Media, error) {
	if isNull(raw) {
		return nil, badParam(param, "Missing required parameter: '%s'.", param)
	}
	var f struct {
		FileData json.RawMessage `json:"file_data"`
		FileID   json.RawMessage `json:"file_id"`
		Filename json.RawMessage `json:"filename"`
	}
	if err := decodeAs(raw, param, "an object", &f); err != nil {
		return nil, err
	}
	if !isNull(f.FileID) {
		return nil, &nativeOnly{reason: param + ".file_id"}
	}
	data, err := reqString(f.FileData, param+".file_data")
	if err != nil {
		return nil, err
	}
	m := &llm.Media{}
	if m.Title, err = optString(f.Filename, param+".filename"); err != nil {
		return nil, err
	}
	if m.MediaType, m.Data, err = parseDataURL(data, param+".file_data"); err != nil {
		return nil, err
	}
	return m, nil
}

// parseDataURL splits "data:<media type>;base64,<data>". Only base64 data
// URLs are accepted: every provider wants base64.
func parseDataURL(url, param string) (mediaType, data string, err error) {
	rest, ok := strings.CutPrefix(url, "data:")
	meta, payload, found := strings.Cut(rest, ",")
	if !ok || !found {
		return "", "", badParam(param, "Invalid '%s': expected a data URL of the form data:<media type>;base64,<data>.", param)
	}
	mediaType, isB64 := strings.CutSuffix(meta, ";base64")
	if !isB64 || !isBase64(payload) {
		return "", "", badParam(param, "Invalid '%s': expected base64 data (data:<media type>;base64,<data>).", param)
	}
	return mediaType, payload, nil
}

// isBase64 checks the alphabet (standard or URL-safe, padded or not)
// without decoding, which would cost a copy of every image.
func isBase64(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9',
			c == '+', c == '/', c == '-', c == '_', c == '=':
		default:
			return false
		}
	}
	return true
}

// assistantMessage reads an assistant turn: reasoning (compat extension)
// first, then content, refusal and tool calls.
func assistantMessage(rm rawMessage, pm *msgParams) (llm.Message, error) {
	param := pm.base
	msg := llm.Message{Role: llm.RoleAssistant}
	for _, f := range [...]struct {
		raw  json.RawMessage
		name string
	}{{rm.ReasoningContent, pm.reasoningContent}, {rm.Reasoning, pm.reasoning}} {
		r, err := optString(f.raw, f.name)
		if err != nil {
			return msg, err
		}
		if r != "" {
			msg.Content = append(msg.Content, llm.Part{Type: llm.PartReasoning, Text: r})
			break
		}
	}
	if !isNull(rm.Content) {
		parts, err := assistantContent(rm.Content, pm.content)
		if err != nil {
			return msg, err
		}
		if msg.Content == nil {
			msg.Content = parts // fresh and unshared: no second copy
		} else {
			msg.Content = append(msg.Content, parts...)
		}
	}
	refusal, err := optString(rm.Refusal, pm.refusal)
	if err != nil {
		return msg, err
	}
	if refusal != "" {
		msg.Content = append(msg.Content, llm.Part{Type: llm.PartRefusal, Text: refusal})
	}
	if !isNull(rm.ToolCalls) {
		var calls []json.RawMessage
		if err := decodeAs(rm.ToolCalls, param+".tool_calls", "an array", &calls); err != nil {
			return msg, err
		}
		for i, c := range calls {
			tc, err := toolCall(c, index(param+".tool_calls", i))
			if err != nil {
				return msg, err
			}
			msg.Content = append(msg.Content, llm.Part{Type: llm.PartToolCall, ToolCall: tc})
		}
	}
	if isNull(rm.Content) && isNull(rm.ToolCalls) && refusal == "" {
		return msg, badParam(param+".content", "Invalid value for '%s.content': expected a string or an array of content parts when the message has no tool_calls.", param)
	}
	return msg, nil
}

// assistantContent reads a string or an array of text and refusal parts.
// An empty string adds no part.
func assistantContent(raw json.RawMessage, param string) ([]llm.Part, error) {
	if raw[0] == '"' {
		s, err := optString(raw, param)
		if err != nil || s == "" {
			return nil, err
		}
		return []llm.Part{{Type: llm.PartText, Text: s}}, nil
	}
	var parts []json.RawMessage
	if err := decodeAs(raw, param, "a string or an array", &parts); err != nil {
		return nil, err
	}
	var out []llm.Part
	for i, p := range parts {
		pp := index(param, i)
		var rp rawPart
		if err := decodeAs(p, pp, "an object", &rp); err != nil {
			return nil, err
		}
		typ, err := reqString(rp.Type, pp+".type")
		if err != nil {
			return nil, err
		}
		switch typ {
		case "text":
			t, err := optString(rp.Text, pp+".text")
			if err != nil {
				return nil, err
			}
			out = append(out, llm.Part{Type: llm.PartText, Text: t})
		case "refusal":
			t, err := optString(rp.Refusal, pp+".refusal")
			if err != nil {
				return nil, err
			}
			out = append(out, llm.Part{Type: llm.PartRefusal, Text: t})
		default:
			return nil, badParam(pp+".type", "Invalid value: '%s'. Supported values are: 'text' and 'refusal'.", typ)
		}
	}
	return out, nil
}

func toolCall(raw json.RawMessage, param string) (*llm.ToolCall, error) {
	var c struct {
		ID       json.RawMessage `json:"id"`
		Type     json.RawMessage `json:"type"`
		Function json.RawMessage `json:"function"`
	}
	if err := decodeAs(raw, param, "an object", &c); err != nil {
		return nil, err
	}
	id, err := reqString(c.ID, param+".id")
	if err != nil {
		return nil, err
	}
	if typ, err := optString(c.Type, param+".type"); err != nil {
		return nil, err
	} else if typ != "" && typ != "function" {
		return nil, badParam(param+".type", "Invalid value: '%s'. Supported values are: 'function'.", typ)
	}
	if isNull(c.Function) {
		return nil, badParam(param+".function", "Missing required parameter: '%s.function'.", param)
	}
	var f struct {
		Name      json.RawMessage `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	}
	if err := decodeAs(c.Function, param+".function", "an object", &f); err != nil {
		return nil, err
	}
	tc := &llm.ToolCall{ID: id}
	if tc.Name, err = reqString(f.Name, param+".function.name"); err != nil {
		return nil, err
	}
	if tc.Arguments, err = optString(f.Arguments, param+".function.arguments"); err != nil {
		return nil, err
	}
	return tc, nil
}

// toolResult reads a role "tool" message as a tool_result part.
func toolResult(rm rawMessage, pm *msgParams) (llm.Part, error) {
	id, err := reqString(rm.ToolCallID, pm.toolCallID)
	if err != nil {
		return llm.Part{}, err
	}
	texts, err := textContent(rm.Content, pm.content)
	if err != nil {
		return llm.Part{}, err
	}
	res := &llm.ToolResult{CallID: id, Content: make([]llm.Part, 0, len(texts))}
	for _, t := range texts {
		res.Content = append(res.Content, llm.Part{Type: llm.PartText, Text: t})
	}
	return llm.Part{Type: llm.PartToolResult, ToolResult: res}, nil
}

// nativeOnly marks request content that only an OpenAI provider can take;
// the request stays valid for the fast path (see llm.Request.NativeOnly).
type nativeOnly struct{ reason string }

func (n *nativeOnly) Error() string { return n.reason + " needs an OpenAI provider" }
