package gemini

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/railyard-ai/railyard/internal/llm"
)

// DecodeResponse parses a complete generateContent reply. Only the first
// candidate counts (railyard never asks for more).
func (Dialect) DecodeResponse(body []byte) (*llm.Response, error) {
	var w wireResponse
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, badGateway("gemini: malformed reply: %v", err)
	}
	if w.Error != nil {
		return nil, streamError(w.Error)
	}
	r := &llm.Response{ID: w.ResponseID, Model: w.ModelVersion, Usage: usageIn(w.UsageMetadata), Content: []llm.Part{}}
	ids := callIDs{prefix: callPrefix(w.ResponseID)}
	var finish string
	if len(w.Candidates) > 0 {
		c := w.Candidates[0]
		finish = c.FinishReason
		if c.Content != nil {
			for _, wp := range c.Content.Parts {
				if p, ok := partIn(&wp, &ids); ok {
					r.Content = append(r.Content, p)
				}
			}
		}
	}
	r.StopReason = stopReason(finish, w.PromptFeedback, ids.n > 0)
	if len(w.Candidates) == 0 && r.StopReason != llm.StopContentFilter {
		return nil, badGateway("gemini: reply has no candidates")
	}
	return r, nil
}

// callIDs synthesises the ids of one reply's function calls: Gemini has
// none, and the client needs them to send results back.
type callIDs struct {
	prefix string
	n      int
}

func (c *callIDs) next(fc *wireFunctionCall) string {
	c.n++
	if fc.ID != "" {
		return fc.ID
	}
	return c.prefix + strconv.Itoa(c.n-1)
}

// callPrefix makes call ids unique per reply, from the response id when
// Gemini sent one, keeping only characters every dialect accepts in an id.
func callPrefix(responseID string) string {
	var sb strings.Builder
	sb.WriteString("call_")
	for _, r := range responseID {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			sb.WriteRune(r)
		}
	}
	if sb.Len() > len("call_") {
		sb.WriteByte('_')
	}
	return sb.String()
}

// partIn maps one reply part to the IR; parts railyard cannot carry
// (executable code and its result) are left out.
func partIn(wp *wirePart, ids *callIDs) (llm.Part, bool) {
	switch {
	case wp.FunctionCall != nil:
		args := string(bytes.TrimSpace(wp.FunctionCall.Args))
		if args == "" || args == "null" {
			args = "{}"
		}
		return llm.Part{Type: llm.PartToolCall, Signature: wp.ThoughtSignature,
			ToolCall: &llm.ToolCall{ID: ids.next(wp.FunctionCall), Name: wp.FunctionCall.Name, Arguments: args}}, true
	case wp.InlineData != nil:
		typ := llm.PartDocument
		if strings.HasPrefix(wp.InlineData.MimeType, "image/") {
			typ = llm.PartImage
		}
		return llm.Part{Type: typ, Media: &llm.Media{MediaType: wp.InlineData.MimeType, Data: wp.InlineData.Data}}, true
	case wp.Text != nil || wp.ThoughtSignature != "":
		text := ""
		if wp.Text != nil {
			text = *wp.Text
		}
		if wp.Thought {
			return llm.Part{Type: llm.PartReasoning, Text: text, Signature: wp.ThoughtSignature}, true
		}
		return llm.Part{Type: llm.PartText, Text: text, Signature: wp.ThoughtSignature}, true
	}
	return llm.Part{}, false
}

// stopReason maps a finishReason (and a prompt block) to the IR. STOP
// after function calls is tool_use, as every other dialect says it.
func stopReason(finish string, pf *wirePromptFeedback, calls bool) llm.StopReason {
	if pf != nil && pf.BlockReason != "" && finish == "" {
		return llm.StopContentFilter
	}
	switch finish {
	case "MAX_TOKENS":
		return llm.StopMaxTokens
	case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "LANGUAGE",
		"IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION":
		return llm.StopContentFilter
	}
	if calls {
		return llm.StopToolUse
	}
	return llm.StopEndTurn
}

// finishReason is stopReason's inverse.
func finishReason(s llm.StopReason) string {
	switch s {
	case llm.StopMaxTokens:
		return "MAX_TOKENS"
	case llm.StopContentFilter, llm.StopRefusal:
		return "SAFETY"
	}
	return "STOP"
}

// EncodeResponse renders a complete reply as a GenerateContentResponse.
func (Dialect) EncodeResponse(req *llm.Request, resp *llm.Response) ([]byte, error) {
	c := &wireContent{Role: "model", Parts: []wirePart{}}
	for i := range resp.Content {
		if wp, ok := partOut(&resp.Content[i]); ok {
			c.Parts = append(c.Parts, wp)
		}
	}
	w := wireResponse{
		Candidates:    []wireCandidate{{Content: c, FinishReason: finishReason(resp.StopReason)}},
		UsageMetadata: usageOut(resp.Usage),
		ModelVersion:  modelName(req, resp.Model),
		ResponseID:    resp.ID,
	}
	return json.Marshal(w)
}

// modelName is what modelVersion reports: the upstream's model, else the
// one the client asked for.
func modelName(req *llm.Request, model string) string {
	if model == "" && req != nil {
		return req.Model
	}
	return model
}

// partOut maps one IR part to a reply part.
func partOut(p *llm.Part) (wirePart, bool) {
	switch p.Type {
	case llm.PartText, llm.PartRefusal:
		return wirePart{Text: &p.Text, ThoughtSignature: p.Signature}, true
	case llm.PartReasoning:
		if p.Text == "" && p.Signature == "" {
			return wirePart{}, false
		}
		return wirePart{Text: &p.Text, Thought: true, ThoughtSignature: p.Signature}, true
	case llm.PartToolCall:
		if p.ToolCall == nil {
			return wirePart{}, false
		}
		args := json.RawMessage(p.ToolCall.Arguments)
		if t := bytes.TrimSpace(args); len(t) == 0 || !json.Valid(t) || t[0] != '{' {
			args = json.RawMessage("{}")
		}
		return wirePart{FunctionCall: &wireFunctionCall{Name: p.ToolCall.Name, Args: args}, ThoughtSignature: p.Signature}, true
	case llm.PartImage, llm.PartDocument:
		return mediaPart(p.Media)
	}
	return wirePart{}, false
}
