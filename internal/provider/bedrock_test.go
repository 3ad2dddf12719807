package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/bedrock"
	"github.com/railyard-ai/railyard/internal/llm"
)

// The credentials of AWS's SigV4 test suite.
const (
	exampleKeyID  = "AKIDEXAMPLE"
	exampleSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var exampleTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// TestSigV4KnownVectors signs requests of the AWS Signature Version 4 test
// suite (get-vanilla, post-vanilla) and expects its published signatures.
func TestSigV4KnownVectors(t *testing.T) {
	for _, tc := range []struct{ method, want string }{
		{http.MethodGet, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
		{http.MethodPost, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	} {
		req, _ := http.NewRequest(tc.method, "https://example.amazonaws.com/", nil)
		s := &SigV4{Credentials: credentials.NewStaticCredentialsProvider(exampleKeyID, exampleSecret, ""),
			Region: "us-east-1", Service: "service", Now: func() time.Time { return exampleTime }}
		if err := s.Sign(req, nil); err != nil {
			t.Fatal(err)
		}
		if got := req.Header.Get("Authorization"); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.method, got, tc.want)
		}
		if req.Header.Get("X-Amz-Date") != "20150830T123600Z" {
			t.Errorf("X-Amz-Date %q", req.Header.Get("X-Amz-Date"))
		}
	}
}

// TestSigV4MatchesSDK signs a Converse request through the provider and
// the same request directly with the SDK's signer (fixed time,
// credentials, body); the Authorization headers must be equal.
func TestSigV4MatchesSDK(t *testing.T) {
	body := []byte(`{"messages":[{"role":"user","content":[{"text":"Hello"}]}],"inferenceConfig":{"maxTokens":64}}`)
	url := "https://bedrock-runtime.eu-west-1.amazonaws.com" + bedrock.Dialect{}.Path(&llm.Request{Model: "eu.anthropic.claude-haiku-4-5-20251001-v1:0"})
	mk := func() *http.Request {
		r, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("x-request-id", "req_1")
		return r
	}
	creds := credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "session-token")
	ours := mk()
	s := &SigV4{Credentials: creds, Region: "eu-west-1", Service: BedrockSigningName, Now: func() time.Time { return exampleTime }}
	if err := s.Sign(ours, body); err != nil {
		t.Fatal(err)
	}
	ref := mk()
	c, _ := creds.Retrieve(context.Background())
	err := v4.NewSigner().SignHTTP(context.Background(), c, ref,
		sha256Hex(body), "bedrock", "eu-west-1", exampleTime)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token"} {
		if ours.Header.Get(h) != ref.Header.Get(h) || ours.Header.Get(h) == "" {
			t.Errorf("%s:\n ours %q\n sdk  %q", h, ours.Header.Get(h), ref.Header.Get(h))
		}
	}
	// The ARN's escaped path is what is signed: the URL keeps it escaped.
	if !strings.Contains(ours.URL.EscapedPath(), "%3A0") {
		t.Errorf("path %s", ours.URL.EscapedPath())
	}
}

func TestBedrockProviderAuth(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		io.WriteString(w, "{}")
	}))
	defer srv.Close()
	d := Dialects{"bedrock": bedrock.Dialect{}}
	send := func(cfg config.Provider) *http.Request {
		t.Helper()
		cfg.Name, cfg.Type, cfg.BaseURL = "br", "bedrock", srv.URL
		cfg.AWS.Region = "us-west-2"
		p, err := New(cfg, d, srv.Client(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if p.Dialect.Name() != "bedrock" {
			t.Fatalf("dialect %s", p.Dialect.Name())
		}
		resp, err := p.Send(context.Background(), "/model/m/converse", []byte(`{}`), http.Header{"X-Request-Id": {"r"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return got
	}
	r := send(config.Provider{AWS: config.AWS{AccessKeyID: "AKID", SecretAccessKey: "secret", SessionToken: "tok"}})
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKID/") || !strings.Contains(auth, "/us-west-2/bedrock/aws4_request") ||
		!strings.Contains(auth, "x-request-id") || r.Header.Get("X-Amz-Security-Token") != "tok" || strings.Contains(auth, "secret") {
		t.Errorf("SigV4 headers: %v", r.Header)
	}
	r = send(config.Provider{APIKey: "bedrock-api-key"})
	if r.Header.Get("Authorization") != "Bearer bedrock-api-key" || r.Header.Get("X-Amz-Date") != "" {
		t.Errorf("API key headers: %v", r.Header)
	}
	t.Setenv("AWS_BEARER_TOKEN_BEDROCK", "from-env")
	r = send(config.Provider{})
	if r.Header.Get("Authorization") != "Bearer from-env" {
		t.Errorf("AWS_BEARER_TOKEN_BEDROCK: %v", r.Header)
	}
	// The standard chain, from the environment.
	t.Setenv("AWS_BEARER_TOKEN_BEDROCK", "")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "envsecret")
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	r = send(config.Provider{})
	if !strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 Credential=AKIDENV/") {
		t.Errorf("credential chain: %v", r.Header)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestBedrockStreamAccept: a ConverseStream request asks for eventstream,
// and the Accept header is set before signing (so it is signed).
func TestBedrockStreamAccept(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	cfg := config.Provider{Name: "b", Type: "bedrock", BaseURL: srv.URL,
		AWS: config.AWS{Region: "us-east-1", AccessKeyID: "AKID", SecretAccessKey: "s"}}
	p, err := New(cfg, Dialects{"bedrock": bedrock.Dialect{}}, srv.Client(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := p.Send(context.Background(), "/model/m/converse-stream", []byte(`{}`), http.Header{"Accept": {"text/event-stream"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got.Get("Accept") != bedrock.StreamContentType || !strings.Contains(got.Get("Authorization"), "accept;") {
		t.Errorf("headers %v", got)
	}
}

// TestBedrockChainIsLazy: a profile that does not exist fails the attempt
// (so the gateway tries the next target), not provider construction.
func TestBedrockChainIsLazy(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
	t.Setenv("AWS_BEARER_TOKEN_BEDROCK", "")
	cfg := config.Provider{Name: "b", Type: "bedrock", BaseURL: "http://127.0.0.1:1", AWS: config.AWS{Region: "us-east-1", Profile: "missing"}}
	p, err := New(cfg, Dialects{"bedrock": bedrock.Dialect{}}, http.DefaultClient, time.Minute)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	_, err = p.Send(context.Background(), "/model/m/converse", []byte(`{}`), nil)
	if err == nil || !strings.Contains(err.Error(), "load AWS config") {
		t.Fatalf("Send: %v", err)
	}
}
