package gemini

import (
	"encoding/json"

	"github.com/railyard-ai/railyard/internal/llm"
)

// Wire types of the Gemini API (v1beta), both directions. Field names are
// the REST API's camelCase JSON names.

type wireRequest struct {
	Contents          []wireContent         `json:"contents"`
	SystemInstruction *wireContent          `json:"systemInstruction,omitempty"`
	Tools             []wireTool            `json:"tools,omitempty"`
	ToolConfig        *wireToolConfig       `json:"toolConfig,omitempty"`
	GenerationConfig  *wireGenerationConfig `json:"generationConfig,omitempty"`
	SafetySettings    json.RawMessage       `json:"safetySettings,omitempty"`
	CachedContent     string                `json:"cachedContent,omitempty"`
	Labels            json.RawMessage       `json:"labels,omitempty"`

	// Google's JSON parser also takes the proto field names; clients
	// built on older SDKs send them. normalize folds them in.
	SystemInstructionSnake *wireContent          `json:"system_instruction,omitempty"`
	ToolConfigSnake        *wireToolConfig       `json:"tool_config,omitempty"`
	GenerationConfigSnake  *wireGenerationConfig `json:"generation_config,omitempty"`
}

type wireContent struct {
	Role  string     `json:"role,omitempty"`
	Parts []wirePart `json:"parts"`
}

type wirePart struct {
	Text                *string               `json:"text,omitempty"`
	Thought             bool                  `json:"thought,omitempty"`
	ThoughtSignature    string                `json:"thoughtSignature,omitempty"`
	InlineData          *wireBlob             `json:"inlineData,omitempty"`
	FileData            *wireFileData         `json:"fileData,omitempty"`
	FunctionCall        *wireFunctionCall     `json:"functionCall,omitempty"`
	FunctionResponse    *wireFunctionResponse `json:"functionResponse,omitempty"`
	ExecutableCode      json.RawMessage       `json:"executableCode,omitempty"`
	CodeExecutionResult json.RawMessage       `json:"codeExecutionResult,omitempty"`

	FunctionCallSnake     *wireFunctionCall     `json:"function_call,omitempty"`
	FunctionResponseSnake *wireFunctionResponse `json:"function_response,omitempty"`
	InlineDataSnake       *wireBlob             `json:"inline_data,omitempty"`
	FileDataSnake         *wireFileData         `json:"file_data,omitempty"`
	ThoughtSignatureSnake string                `json:"thought_signature,omitempty"`
}

type wireBlob struct {
	MimeType string `json:"mimeType"`
	Data     string `json:"data"`
}

type wireFileData struct {
	MimeType string `json:"mimeType,omitempty"`
	FileURI  string `json:"fileUri"`
}

type wireFunctionCall struct {
	ID   string          `json:"id,omitempty"`
	Name string          `json:"name"`
	Args json.RawMessage `json:"args,omitempty"`
}

type wireFunctionResponse struct {
	ID       string          `json:"id,omitempty"`
	Name     string          `json:"name"`
	Response json.RawMessage `json:"response"`
}

type wireTool struct {
	FunctionDeclarations  []wireFunctionDeclaration `json:"functionDeclarations,omitempty"`
	GoogleSearch          json.RawMessage           `json:"googleSearch,omitempty"`
	GoogleSearchRetrieval json.RawMessage           `json:"googleSearchRetrieval,omitempty"`
	CodeExecution         json.RawMessage           `json:"codeExecution,omitempty"`
	URLContext            json.RawMessage           `json:"urlContext,omitempty"`

	FunctionDeclarationsSnake []wireFunctionDeclaration `json:"function_declarations,omitempty"`
}

type wireFunctionDeclaration struct {
	Name                 string          `json:"name"`
	Description          string          `json:"description,omitempty"`
	Parameters           json.RawMessage `json:"parameters,omitempty"`
	ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema,omitempty"`
}

type wireToolConfig struct {
	FunctionCallingConfig *wireFunctionCallingConfig `json:"functionCallingConfig,omitempty"`
}

type wireFunctionCallingConfig struct {
	Mode                 string   `json:"mode,omitempty"`
	AllowedFunctionNames []string `json:"allowedFunctionNames,omitempty"`
}

type wireGenerationConfig struct {
	StopSequences      []string            `json:"stopSequences,omitempty"`
	ResponseMimeType   string              `json:"responseMimeType,omitempty"`
	ResponseSchema     json.RawMessage     `json:"responseSchema,omitempty"`
	ResponseJSONSchema json.RawMessage     `json:"responseJsonSchema,omitempty"`
	CandidateCount     *int                `json:"candidateCount,omitempty"`
	MaxOutputTokens    *int                `json:"maxOutputTokens,omitempty"`
	Temperature        *float64            `json:"temperature,omitempty"`
	TopP               *float64            `json:"topP,omitempty"`
	TopK               *float64            `json:"topK,omitempty"`
	Seed               *int64              `json:"seed,omitempty"`
	PresencePenalty    *float64            `json:"presencePenalty,omitempty"`
	FrequencyPenalty   *float64            `json:"frequencyPenalty,omitempty"`
	ThinkingConfig     *wireThinkingConfig `json:"thinkingConfig,omitempty"`
}

type wireThinkingConfig struct {
	IncludeThoughts bool   `json:"includeThoughts,omitempty"`
	ThinkingBudget  *int   `json:"thinkingBudget,omitempty"`
	ThinkingLevel   string `json:"thinkingLevel,omitempty"`
}

type wireResponse struct {
	Candidates     []wireCandidate     `json:"candidates,omitempty"`
	PromptFeedback *wirePromptFeedback `json:"promptFeedback,omitempty"`
	UsageMetadata  *wireUsage          `json:"usageMetadata,omitempty"`
	ModelVersion   string              `json:"modelVersion,omitempty"`
	ResponseID     string              `json:"responseId,omitempty"`
	// Error is an in-band stream error.
	Error *wireError `json:"error,omitempty"`
}

type wireCandidate struct {
	Content       *wireContent `json:"content,omitempty"`
	FinishReason  string       `json:"finishReason,omitempty"`
	Index         int          `json:"index"`
	FinishMessage string       `json:"finishMessage,omitempty"`
}

type wirePromptFeedback struct {
	BlockReason string `json:"blockReason,omitempty"`
}

type wireUsage struct {
	PromptTokenCount        int `json:"promptTokenCount"`
	CachedContentTokenCount int `json:"cachedContentTokenCount,omitempty"`
	CandidatesTokenCount    int `json:"candidatesTokenCount,omitempty"`
	ToolUsePromptTokenCount int `json:"toolUsePromptTokenCount,omitempty"`
	ThoughtsTokenCount      int `json:"thoughtsTokenCount,omitempty"`
	TotalTokenCount         int `json:"totalTokenCount"`
}

type wireErrorEnvelope struct {
	Error *wireError `json:"error"`
}

type wireError struct {
	Code    int               `json:"code"`
	Message string            `json:"message"`
	Status  string            `json:"status,omitempty"`
	Details []json.RawMessage `json:"details,omitempty"`
}

// usageIn maps usageMetadata to the canonical counts: Gemini's
// candidatesTokenCount excludes thoughts, the IR's OutputTokens includes
// them.
func usageIn(u *wireUsage) llm.Usage {
	if u == nil {
		return llm.Usage{}
	}
	return llm.Usage{
		InputTokens:     max(0, u.PromptTokenCount) + max(0, u.ToolUsePromptTokenCount),
		OutputTokens:    max(0, u.CandidatesTokenCount) + max(0, u.ThoughtsTokenCount),
		CacheReadTokens: max(0, u.CachedContentTokenCount),
		ReasoningTokens: max(0, u.ThoughtsTokenCount),
	}
}

// usageOut is usageIn's inverse.
func usageOut(u llm.Usage) *wireUsage {
	return &wireUsage{
		PromptTokenCount:        u.InputTokens,
		CachedContentTokenCount: u.CacheReadTokens,
		CandidatesTokenCount:    max(0, u.OutputTokens-u.ReasoningTokens),
		ThoughtsTokenCount:      u.ReasoningTokens,
		TotalTokenCount:         u.InputTokens + u.OutputTokens,
	}
}

// normalize folds the proto (snake_case) field names a client may send
// into the camelCase ones; where both are present camelCase wins.
func (w *wireRequest) normalize() {
	if w.SystemInstruction == nil {
		w.SystemInstruction = w.SystemInstructionSnake
	}
	if w.ToolConfig == nil {
		w.ToolConfig = w.ToolConfigSnake
	}
	if w.GenerationConfig == nil {
		w.GenerationConfig = w.GenerationConfigSnake
	}
	w.SystemInstructionSnake, w.ToolConfigSnake, w.GenerationConfigSnake = nil, nil, nil
	for i := range w.Tools {
		t := &w.Tools[i]
		if t.FunctionDeclarations == nil {
			t.FunctionDeclarations = t.FunctionDeclarationsSnake
		}
		t.FunctionDeclarationsSnake = nil
	}
	for i := range w.Contents {
		for j := range w.Contents[i].Parts {
			w.Contents[i].Parts[j].normalize()
		}
	}
}

func (p *wirePart) normalize() {
	if p.FunctionCall == nil {
		p.FunctionCall = p.FunctionCallSnake
	}
	if p.FunctionResponse == nil {
		p.FunctionResponse = p.FunctionResponseSnake
	}
	if p.InlineData == nil {
		p.InlineData = p.InlineDataSnake
	}
	if p.FileData == nil {
		p.FileData = p.FileDataSnake
	}
	if p.ThoughtSignature == "" {
		p.ThoughtSignature = p.ThoughtSignatureSnake
	}
	p.FunctionCallSnake, p.FunctionResponseSnake, p.InlineDataSnake, p.FileDataSnake, p.ThoughtSignatureSnake = nil, nil, nil, nil, ""
}
