package openai

import (
	"github.com/railyard-ai/railyard/internal/jsonx"
	"github.com/railyard-ai/railyard/internal/llm"
)

// fastResponseUsage is ResponseUsage for the replies upstreams actually
// send: one validation pass (jsonx.Valid) and one walk of the top-level
// object (jsonx.Members) that reads "model" and the integer fields of
// "usage" without copying anything else (two gjson lookups scanned the
// reply twice and copied the usage object and the model). ok is false at
// anything unusual (invalid JSON, an escaped key, a model string
// CutString does not read exactly, a duplicate key it reads, a count that
// is not a plain non-negative integer or null) and the caller then uses
// gjson, so the result is always gjson's: FuzzResponseUsageFast holds the
// two to the same answers.
func fastResponseUsage(body []byte) (u llm.Usage, model string, ok bool) {
	if !jsonx.Valid(body) {
		return llm.Usage{}, "", false
	}
	var sawModel, sawUsage bool
	var hit int
	ok = jsonx.Members(body, func(k, v []byte) bool {
		switch string(k) {
		case "model":
			if sawModel {
				return false
			}
			sawModel = true
			if v[0] == 'n' {
				return true
			}
			s, rest, ok := jsonx.CutString(v)
			model = s
			return ok && len(rest) == 0
		case "usage":
			if sawUsage {
				return false
			}
			sawUsage = true
			var ok bool
			u, hit, ok = usageObject(v)
			return ok
		}
		return true
	})
	if !ok {
		return llm.Usage{}, "", false
	}
	if u.CacheReadTokens == 0 {
		u.CacheReadTokens = hit
	}
	return u, model, true
}

// usageObject reads the usage object or null. hit is DeepSeek's
// prompt_cache_hit_tokens, used when there is no cached_tokens count.
func usageObject(v []byte) (u llm.Usage, hit int, ok bool) {
	if v[0] == 'n' {
		return u, 0, true
	}
	var seen [6]bool // the fields below, each read once
	ok = jsonx.Members(v, func(k, v []byte) bool {
		var f int
		var dst *int
		switch string(k) {
		case "prompt_tokens":
			f, dst = 0, &u.InputTokens
		case "completion_tokens":
			f, dst = 1, &u.OutputTokens
		case "cache_creation_input_tokens":
			f, dst = 2, &u.CacheWriteTokens
		case "prompt_cache_hit_tokens":
			f, dst = 3, &hit
		case "prompt_tokens_details":
			return onceOf6(&seen, 4) && usageDetail(v, "cached_tokens", &u.CacheReadTokens)
		case "completion_tokens_details":
			return onceOf6(&seen, 5) && usageDetail(v, "reasoning_tokens", &u.ReasoningTokens)
		default:
			return true
		}
		return onceOf6(&seen, f) && usageCount(v, dst)
	})
	return u, hit, ok
}

// usageDetail reads a details object (or null) for its one count named name.
func usageDetail(v []byte, name string, dst *int) bool {
	if v[0] == 'n' {
		return true
	}
	seen := false
	return jsonx.Members(v, func(k, v []byte) bool {
		if string(k) != name {
			return true
		}
		if seen {
			return false
		}
		seen = true
		return usageCount(v, dst)
	})
}

func onceOf6(seen *[6]bool, f int) bool {
	if seen[f] {
		return false
	}
	seen[f] = true
	return true
}

// usageCount reads a plain non-negative integer of at most 18 digits, or null
// (0): what gjson's Int reads the same way.
func usageCount(v []byte, dst *int) bool {
	if v[0] == 'n' {
		*dst = 0
		return true
	}
	if len(v) > 18 || (len(v) > 1 && v[0] == '0') {
		return false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	*dst = n
	return true
}
