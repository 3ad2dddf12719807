package openai

import (
	"github.com/tidwall/gjson"

	"github.com/railyard-ai/railyard/internal/llm"
)

// AppendRewrite appends RewriteRequest's result to dst (the gateway's
// pooled upstream body buffer): the body with the model value swapped, in
// place of sjson's fresh copy of the whole body. It splices exactly where
// sjson.SetBytes does (the first top-level "model" gjson finds, a model
// name that needs no escaping written between quotes as sjson writes it)
// and leaves anything else to RewriteRequest; FuzzAppendRewrite holds the
// two to the same bytes.
func (d Dialect) AppendRewrite(dst, body []byte, model string, req *llm.Request) ([]byte, error) {
	res := gjson.GetBytes(body, "model")
	if res.Index <= 0 || mustQuote(model) {
		out, err := d.RewriteRequest(body, model, req)
		if err != nil {
			return nil, err
		}
		return append(dst, out...), nil
	}
	start := len(dst)
	dst = append(dst, body[:res.Index]...)
	dst = append(dst, '"')
	dst = append(dst, model...)
	dst = append(dst, '"')
	dst = append(dst, body[res.Index+len(res.Raw):]...)
	out, err := askUsage(dst[start:], req)
	if err != nil {
		return nil, err
	}
	if &out[0] != &dst[start] {
		// askUsage made a new body (a stream that now asks for usage).
		dst = append(dst[:start], out...)
	}
	return dst, nil
}

// mustQuote reports whether sjson escapes s rather than writing it between
// quotes as it is (sjson's mustMarshalString).
func mustQuote(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > 0x7f || s[i] == '"' || s[i] == '\\' {
			return true
		}
	}
	return false
}
