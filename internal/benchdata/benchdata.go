// Package benchdata holds the client request and the upstream replies that
// bench/proxy sends over loopback and the pipeline benchmarks in
// internal/gateway send from memory, so that both measure the same work.
// The replies are shaped like the providers' API references (the OpenAI
// chat completion object and the Anthropic Messages example), with
// realistic usage.
package benchdata

import (
	"bytes"
	"fmt"
)

// OpenAIReply is an OpenAI chat completion.
const OpenAIReply = `{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4o-mini-2024-07-18",
  "choices": [
    {
      "index": 0,
      "message": {
        "role": "assistant",
        "content": "The image shows a wooden boardwalk path running through a lush green field or meadow. The sky is bright blue with some scattered clouds, giving the scene a serene and peaceful atmosphere. Trees and shrubs are visible in the background.",
        "refusal": null,
        "annotations": []
      },
      "logprobs": null,
      "finish_reason": "stop"
    }
  ],
  "usage": {
    "prompt_tokens": 1117,
    "completion_tokens": 46,
    "total_tokens": 1163,
    "prompt_tokens_details": {
      "cached_tokens": 0,
      "audio_tokens": 0
    },
    "completion_tokens_details": {
      "reasoning_tokens": 0,
      "audio_tokens": 0,
      "accepted_prediction_tokens": 0,
      "rejected_prediction_tokens": 0
    }
  },
  "service_tier": "default",
  "system_fingerprint": "fp_fc9f1d7035"
}`

// AnthropicReply is an Anthropic message.
const AnthropicReply = `{
  "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
  "type": "message",
  "role": "assistant",
  "model": "claude-haiku-4-5-20251001",
  "content": [
    {
      "type": "text",
      "text": "The image shows a wooden boardwalk path running through a lush green field or meadow. The sky is bright blue with some scattered clouds, giving the scene a serene and peaceful atmosphere. Trees and shrubs are visible in the background."
    }
  ],
  "stop_reason": "end_turn",
  "stop_sequence": null,
  "usage": {
    "input_tokens": 1117,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 0,
    "output_tokens": 46
  }
}`

// ChatRequest is the client's OpenAI Chat Completions request: a system
// prompt, a short conversation and a tool, about 1.5 KB like a typical
// application call. stream asks for a stream with usage.
func ChatRequest(model string, stream bool) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `{"model":%q,"max_tokens":1024,"temperature":0.2,`, model)
	if stream {
		b.WriteString(`"stream":true,"stream_options":{"include_usage":true},`)
	}
	b.WriteString(`"messages":[` +
		`{"role":"system","content":"You are a helpful assistant for a travel booking company. Answer briefly and precisely. When the user asks about availability, call the search_flights tool with the cities and the date. Never invent flight numbers, prices or schedules; if the tool returns nothing, say so and suggest nearby dates."},` +
		`{"role":"user","content":"Hi! I am planning a trip to Lisbon in the spring with my family (two adults, two children). What is the weather usually like in April, and which neighbourhoods are good for families?"},` +
		`{"role":"assistant","content":"April in Lisbon is mild: days around 19-21°C, cool evenings, and some showers. For families, Belém (museums, gardens, the riverside), Parque das Nações (aquarium, open spaces) and Campo de Ourique (quiet, residential, good food) work well."},` +
		`{"role":"user","content":"Great, thanks. Can you check flights from Amsterdam to Lisbon on the 12th of April, morning departures preferred, and tell me which one is cheapest?"}],`)
	b.WriteString(`"tools":[{"type":"function","function":{"name":"search_flights","description":"Search scheduled flights between two cities on a date.","parameters":{"type":"object","properties":{"from":{"type":"string","description":"Departure city or IATA code"},"to":{"type":"string","description":"Arrival city or IATA code"},"date":{"type":"string","description":"Date, YYYY-MM-DD"},"time_of_day":{"type":"string","enum":["morning","afternoon","evening","any"]}},"required":["from","to","date"]}}}]}`)
	return b.Bytes()
}
