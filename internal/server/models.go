package server

import (
	"net/http"
	"time"
)

// openAIModel is one entry of OpenAI's GET /v1/models list.
type openAIModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
	modelFacts
}

// anthropicModel is one entry of Anthropic's GET /v1/models list.
type anthropicModel struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	CreatedAt   string `json:"created_at"`
	modelFacts
}

// models lists every model name clients may ask for, in the shape of the
// SDK that asks: Anthropic's when the anthropic-version header is present.
func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	names := s.gw.Table().ModelNames()
	if r.Header.Get("anthropic-version") != "" {
		data := make([]anthropicModel, 0, len(names))
		for _, n := range names {
			data = append(data, anthropicModel{Type: "model", ID: n, DisplayName: n, CreatedAt: time.Unix(0, 0).UTC().Format(time.RFC3339), modelFacts: s.facts(n)})
		}
		var first, last *string
		if len(names) > 0 {
			first, last = &names[0], &names[len(names)-1]
		}
		writeJSON(w, http.StatusOK, map[string]any{"data": data, "has_more": false, "first_id": first, "last_id": last})
		return
	}
	data := make([]openAIModel, 0, len(names))
	for _, n := range names {
		data = append(data, openAIModel{ID: n, Object: "model", OwnedBy: "railyard", modelFacts: s.facts(n)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}
