package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/openai/openai-go/v3"
	ooption "github.com/openai/openai-go/v3/option"
)

// Static test credentials for the Bedrock provider; the verifier in front
// of the simulator checks each request's signature against them.
const (
	bedrockKeyID  = "AKIDRAILYARDE2E"
	bedrockSecret = "railyard/e2e/secret/key"
	bedrockToken  = "session-token-e2e"
	bedrockRegion = "eu-central-1"
)

// bedrockGatewayConfig routes to the simulator in Bedrock mode: a provider
// of type bedrock (SigV4, /model/{id}/converse[-stream], eventstream)
// whose base URL is a signature verifier in front of the simulator. The
// model is a cross-region inference profile id. %[1]s is the verifier's URL,
// %[2]s the simulator's.
const bedrockGatewayConfig = `
server: {first_byte_timeout: 5s, shutdown_timeout: 10s}
providers:
  - name: sim-bedrock
    type: bedrock
    region: ` + bedrockRegion + `
    base_url: "%[1]s"
    aws_access_key_id: ` + bedrockKeyID + `
    aws_secret_access_key: ` + bedrockSecret + `
    aws_session_token: ` + bedrockToken + `
  - {name: sim-openai, type: openai-compatible, base_url: "%[2]s/v1"}
models:
  - name: bedrock-backed
    targets: [{provider: sim-bedrock, model: "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"}]
  - name: bedrock-throttled
    targets:
      - {provider: sim-bedrock, model: sim-429}
      - {provider: sim-openai, model: sim-gpt}
  - name: bedrock-overloaded
    targets:
      - {provider: sim-bedrock, model: sim-overloaded}
      - {provider: sim-bedrock, model: sim-500}
`

// sigV4Verifier re-signs every request it receives with the AWS SDK's
// signer (same credentials, the request's own X-Amz-Date and signed
// headers) and forwards it to the simulator only when the Authorization
// headers match; otherwise it answers 403 InvalidSignatureException.
type sigV4Verifier struct {
	srv            *httptest.Server
	good, bad      atomic.Int64
	streams, plain atomic.Int64
}

func newSigV4Verifier(t *testing.T, target string) *sigV4Verifier {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	v := &sigV4Verifier{}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.FlushInterval = -1
	v.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !v.verify(r, body) {
			v.bad.Add(1)
			w.Header().Set("x-amzn-ErrorType", "InvalidSignatureException")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"message":"The request signature we calculated does not match the signature you provided."}`)
			return
		}
		v.good.Add(1)
		if strings.HasSuffix(r.URL.Path, "/converse-stream") {
			v.streams.Add(1)
		} else {
			v.plain.Add(1)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(v.srv.Close)
	return v
}

func (v *sigV4Verifier) verify(r *http.Request, body []byte) bool {
	auth := r.Header.Get("Authorization")
	_, signed, ok := strings.Cut(auth, "SignedHeaders=")
	if !ok || r.Header.Get("X-Amz-Security-Token") != bedrockToken {
		return false
	}
	signed, _, _ = strings.Cut(signed, ",")
	when, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || time.Since(when).Abs() > 5*time.Minute {
		return false
	}
	ref, _ := http.NewRequest(r.Method, "http://"+r.Host+r.URL.EscapedPath(), bytes.NewReader(body))
	for _, h := range strings.Split(signed, ";") {
		if h != "host" && h != "content-length" {
			ref.Header[http.CanonicalHeaderKey(h)] = r.Header.Values(h)
		}
	}
	ref.Header.Del("Authorization")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: bedrockKeyID, SecretAccessKey: bedrockSecret, SessionToken: bedrockToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, ref, hex.EncodeToString(sum[:]), "bedrock", bedrockRegion, when); err != nil {
		return false
	}
	return ref.Header.Get("Authorization") == auth
}

// newBedrockEnv starts a simulator, the verifier and a gateway that calls
// the simulator as Bedrock through the verifier.
func newBedrockEnv(t *testing.T) (*env, *sigV4Verifier) {
	t.Helper()
	sim := start(t, "sim", "--config", writeConfig(t, simConfig))
	v := newSigV4Verifier(t, sim.URL())
	gw := start(t, "serve", "--config", writeConfig(t, fmt.Sprintf(bedrockGatewayConfig, v.srv.URL, sim.URL())))
	return &env{t: t, sim: sim, gw: gw, key: "sk-unused"}, v
}

func TestBedrockUpstreamText(t *testing.T) {
	t.Parallel()
	e, v := newBedrockEnv(t)
	want := wantRoute{"sim-bedrock", "eu.anthropic.claude-sonnet-4-5-20250929-v1:0", "failover: sim-bedrock ok"}
	checkGreetings(t, e, "bedrock-backed", want)
	if v.bad.Load() != 0 || v.plain.Load() != 2 || v.streams.Load() != 2 {
		t.Errorf("verifier: %d good (%d converse, %d converse-stream), %d bad signatures",
			v.good.Load(), v.plain.Load(), v.streams.Load(), v.bad.Load())
	}
}

func TestBedrockUpstreamTools(t *testing.T) {
	t.Parallel()
	e, v := newBedrockEnv(t)
	checkToolRoundTrips(t, e, "bedrock-backed", "tooluse_")
	if v.bad.Load() != 0 {
		t.Errorf("%d requests with a bad signature", v.bad.Load())
	}
}

// TestSigV4VerifierRejects keeps the verifier honest: a request signed with
// the wrong secret does not pass it.
func TestSigV4VerifierRejects(t *testing.T) {
	t.Parallel()
	v := newSigV4Verifier(t, "http://127.0.0.1:1")
	body := []byte(`{"messages":[]}`)
	req, _ := http.NewRequest(http.MethodPost, v.srv.URL+"/model/m/converse", bytes.NewReader(body))
	req.Header.Set("X-Amz-Security-Token", bedrockToken)
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: bedrockKeyID, SecretAccessKey: "wrong", SessionToken: bedrockToken}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "bedrock", bedrockRegion, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || v.bad.Load() != 1 {
		t.Errorf("status %d, bad %d", resp.StatusCode, v.bad.Load())
	}
}

// TestBedrockFailover: Bedrock's ThrottlingException (429) fails over to
// the next target before the first byte; when every target fails, the
// client gets the gateway's status in its own dialect.
func TestBedrockFailover(t *testing.T) {
	t.Parallel()
	e, _ := newBedrockEnv(t)
	for _, stream := range []bool{false, true} {
		t.Run(fmt.Sprintf("throttled/stream=%v", stream), func(t *testing.T) {
			p := oaGreeting("bedrock-throttled")
			var hr *http.Response
			var text string
			if stream {
				acc, _, r := oaStream(t, e.openai(), p)
				text, hr = acc.Choices[0].Message.Content, r
			} else {
				got, r := oaChat(t, e.openai(), p)
				text, hr = got.Choices[0].Message.Content, r
			}
			checkHeaders(t, hr.Header, wantRoute{"sim-openai", "sim-gpt", "failover: sim-bedrock 429 -> sim-openai ok"})
			if text != "Hello from the OpenAI SDK" {
				t.Errorf("reply %q", text)
			}
		})
	}
	t.Run("all fail", func(t *testing.T) {
		c := e.anthropic()
		_, err := c.Messages.New(context.Background(), anGreeting("bedrock-overloaded"))
		var ae *anthropic.Error
		if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadGateway {
			t.Fatalf("err %v", err)
		}
		if r := ae.Response.Header.Get("x-railyard-route"); r != "failover: sim-bedrock 529 -> sim-bedrock 500" {
			t.Errorf("route %q", r)
		}
	})
}

// TestBedrockEmbeddings: the OpenAI SDK's embeddings through the gateway
// to Bedrock's InvokeModel in the simulator, Titan (one text, dimensions)
// and Cohere (a batch), signed like every Bedrock call.
func TestBedrockEmbeddings(t *testing.T) {
	t.Parallel()
	e, v := newBedrockEnv(t)
	c := e.openai()
	for _, tc := range []struct {
		model string
		input []string
		dims  int
	}{
		{"sim-bedrock/amazon.titan-embed-text-v2:0", []string{"How do I reset my password?"}, 256},
		{"sim-bedrock/cohere.embed-english-v3", []string{"Hello world", "How do I reset my password?", "Hello world"}, 0},
	} {
		p := openai.EmbeddingNewParams{Model: tc.model, Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: tc.input}}
		if tc.dims > 0 {
			p.Dimensions = openai.Int(int64(tc.dims))
		}
		var hr *http.Response
		got, err := c.Embeddings.New(context.Background(), p, ooption.WithResponseInto(&hr))
		if err != nil {
			t.Fatalf("%s: %v", tc.model, err)
		}
		want := tc.dims
		if want == 0 {
			want = 64 // the simulator's default
		}
		if len(got.Data) != len(tc.input) || len(got.Data[0].Embedding) != want || got.Usage.PromptTokens == 0 ||
			hr.Header.Get("X-Railyard-Provider") != "sim-bedrock" {
			t.Errorf("%s: %d vectors of %d, usage %+v, headers %v", tc.model, len(got.Data), len(got.Data[0].Embedding), got.Usage, hr.Header)
		}
	}
	// Titan embeds one text per call: a batch has nowhere to go.
	_, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{Model: "sim-bedrock/amazon.titan-embed-text-v2:0",
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}}})
	if err == nil {
		t.Error("a Titan batch was accepted")
	}
	if v.bad.Load() != 0 || v.plain.Load() != 2 {
		t.Errorf("verifier: %d signed InvokeModel calls, %d bad", v.plain.Load(), v.bad.Load())
	}
}
