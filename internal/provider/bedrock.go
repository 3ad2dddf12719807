package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/railyard-ai/railyard/internal/config"
	"github.com/railyard-ai/railyard/internal/dialect/bedrock"
)

// BedrockSigningName is the SigV4 service name of bedrock-runtime.
const BedrockSigningName = "bedrock"

// bedrockAPIKeyEnv is the variable AWS's SDKs read a Bedrock API key from.
const bedrockAPIKeyEnv = "AWS_BEARER_TOKEN_BEDROCK"

// setupBedrock chooses how a bedrock provider authenticates: a Bedrock API
// key (api_key, else AWS_BEARER_TOKEN_BEDROCK when no static credentials
// are configured) goes as a Bearer token; otherwise every request is
// signed with SigV4, with static credentials from the config or the
// standard AWS chain. The chain is resolved lazily and cached (refreshing
// before expiry), so a missing credential fails the attempt, not startup.
func (p *Provider) setupBedrock(cfg config.Provider) error {
	signer, err := bedrockSigner(cfg, p.header)
	if err != nil {
		return fmt.Errorf("provider %q: %w", cfg.Name, err)
	}
	p.sign = func(req *http.Request, body []byte) error {
		// ConverseStream answers in eventstream, not SSE; say so before
		// signing (the gateway asks for text/event-stream).
		if strings.HasSuffix(req.URL.Path, "/converse-stream") {
			req.Header.Set("Accept", bedrock.StreamContentType)
		}
		if signer == nil {
			return nil
		}
		return signer.Sign(req, body)
	}
	return nil
}

// bedrockSigner returns the SigV4 signer of a provider, or nil when it
// authenticates with a Bedrock API key (set into header as a Bearer token).
func bedrockSigner(cfg config.Provider, header http.Header) (*SigV4, error) {
	if cfg.APIKey != "" {
		return nil, nil // New already set Authorization: Bearer
	}
	if cfg.AWS.AccessKeyID == "" && cfg.AWS.Profile == "" {
		if key := os.Getenv(bedrockAPIKeyEnv); key != "" {
			header.Set("Authorization", "Bearer "+key)
			return nil, nil
		}
	}
	creds, err := bedrockCredentials(cfg)
	if err != nil {
		return nil, err
	}
	return &SigV4{Credentials: creds, Region: cfg.AWS.Region, Service: BedrockSigningName, signer: v4.NewSigner()}, nil
}

// bedrockCredentials returns static credentials when the config has them,
// else the default chain, loaded at the first signature: a missing profile
// or credential fails that attempt (and the next target is tried), not
// startup or `railyard check`.
func bedrockCredentials(cfg config.Provider) (aws.CredentialsProvider, error) {
	a := cfg.AWS
	if a.AccessKeyID != "" {
		return credentials.NewStaticCredentialsProvider(a.AccessKeyID, a.SecretAccessKey, a.SessionToken), nil
	}
	opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(a.Region)}
	if a.Profile != "" {
		opts = append(opts, awsconfig.WithSharedConfigProfile(a.Profile))
	}
	return &lazyChain{opts: opts}, nil
}

// lazyChain is the standard AWS credential chain, loaded on first use and
// kept once loaded (the SDK's provider caches and refreshes credentials
// itself). A failed load is retried at the next request.
type lazyChain struct {
	opts []func(*awsconfig.LoadOptions) error
	mu   sync.Mutex
	p    aws.CredentialsProvider
}

// Retrieve implements aws.CredentialsProvider.
func (l *lazyChain) Retrieve(ctx context.Context) (aws.Credentials, error) {
	l.mu.Lock()
	p := l.p
	if p == nil {
		ac, err := awsconfig.LoadDefaultConfig(ctx, l.opts...)
		if err != nil {
			l.mu.Unlock()
			return aws.Credentials{}, fmt.Errorf("load AWS config: %w", err)
		}
		if ac.Credentials == nil {
			l.mu.Unlock()
			return aws.Credentials{}, fmt.Errorf("no AWS credentials found")
		}
		l.p, p = ac.Credentials, ac.Credentials
	}
	l.mu.Unlock()
	return p.Retrieve(ctx)
}

// SigV4 signs requests with the AWS SDK's v4 signer. It keeps no state
// between requests besides its credentials provider's cache.
type SigV4 struct {
	Credentials aws.CredentialsProvider
	Region      string
	Service     string
	// Now is the signing time; nil means time.Now.
	Now func() time.Time
	// signer is shared by every request (the SDK's Signer is safe for
	// concurrent use); nil means a new one per request. Its default options
	// escape the path, as every service but S3 wants.
	signer *v4.Signer
}

// Sign adds X-Amz-Date, X-Amz-Security-Token (with temporary
// credentials) and Authorization to req, whose body is body. Call it last:
// a header set after signing breaks the signature.
func (s *SigV4) Sign(req *http.Request, body []byte) error {
	creds, err := s.Credentials.Retrieve(req.Context())
	if err != nil {
		return fmt.Errorf("AWS credentials: %w", err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	signer := s.signer
	if signer == nil {
		signer = v4.NewSigner()
	}
	sum := sha256.Sum256(body)
	return signer.SignHTTP(req.Context(), creds, req, hex.EncodeToString(sum[:]), s.Service, s.Region, now().UTC())
}
