package bedrock

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/railyard-ai/railyard/internal/llm"
)

// DecodeResponse parses a Converse reply. Converse replies carry neither an
// id nor the model: the gateway knows which model it called.
func (Dialect) DecodeResponse(body []byte) (*llm.Response, error) {
	var w wireResponse
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, badGateway("bedrock: malformed reply: %v", err)
	}
	if w.Output.Message == nil {
		return nil, badGateway("bedrock: reply without output.message")
	}
	resp := &llm.Response{StopReason: stopReasonIn(w.StopReason), Usage: usageIn(w.Usage)}
	for i := range w.Output.Message.Content {
		b := &w.Output.Message.Content[i]
		if b.CachePoint != nil || b.unknown() {
			// A block of a kind this version does not know (Converse adds
			// kinds) is skipped, not a failed reply.
			continue
		}
		p, ok, err := decodeBlock("output.message.content", llm.RoleAssistant, b)
		if err != nil {
			return nil, badGateway("bedrock: reply content: %v", llm.AsError(err).Message)
		}
		if ok {
			resp.Content = append(resp.Content, p)
		}
	}
	return resp, nil
}

// EncodeResponse renders a complete Converse reply.
func (Dialect) EncodeResponse(_ *llm.Request, resp *llm.Response) ([]byte, error) {
	msg := wireMessage{Role: "assistant", Content: []wireBlock{}}
	for i := range resp.Content {
		p := &resp.Content[i]
		if p.Type == llm.PartReasoning && p.Signature == "" && p.Redacted == "" {
			// Reasoning from a provider without signatures is still the
			// reply's reasoning: Bedrock clients read reasoningText.text.
			t := wireReasoningText{Text: p.Text}
			msg.Content = append(msg.Content, wireBlock{ReasoningContent: &wireReasoning{ReasoningText: &t}})
			continue
		}
		b, ok, err := encodeBlock(p, i)
		if err != nil || !ok {
			continue
		}
		msg.Content = append(msg.Content, b)
	}
	w := wireResponse{
		Output:     wireOutput{Message: &msg},
		StopReason: stopReasonOut(resp.StopReason),
		Usage:      usageOut(resp.Usage),
		Metrics:    &wireMetrics{},
	}
	b, err := json.Marshal(w)
	if err != nil {
		return nil, llm.Errorf(http.StatusInternalServerError, llm.ErrAPI, "bedrock: encode reply: %v", err)
	}
	return b, nil
}

// RewriteRequest is the fast path: the model is in the path, not the body,
// so the client's bytes go upstream unchanged (guardrailConfig and every
// other field included). Bedrock streams always report usage.
func (Dialect) RewriteRequest(body []byte, _ string, _ *llm.Request) ([]byte, error) {
	if !json.Valid(bytes.TrimSpace(body)) {
		return nil, llm.BadRequest("request body is not valid JSON")
	}
	return body, nil
}

// ResponseUsage reads usage off a complete reply. Converse replies do not
// name the model, so the model is empty.
func (Dialect) ResponseUsage(body []byte) (llm.Usage, string) {
	var w struct {
		Usage *wireUsage `json:"usage"`
	}
	if json.Unmarshal(body, &w) != nil {
		return llm.Usage{}, ""
	}
	return usageIn(w.Usage), ""
}
