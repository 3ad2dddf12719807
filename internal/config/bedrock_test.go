package config

import (
	"strings"
	"testing"
)

func TestBedrockProviderRules(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"ok chain", `{name: b, type: bedrock, region: us-east-1}`, ""},
		{"ok static", `{name: b, type: bedrock, region: eu-west-3, aws_access_key_id: AKID, aws_secret_access_key: s, aws_session_token: t}`, ""},
		{"ok api key", `{name: b, type: bedrock, region: us-west-2, api_key: k}`, ""},
		{"no region", `{name: b, type: bedrock}`, "needs a region"},
		{"bad region", `{name: b, type: bedrock, region: "evil.com/x"}`, "is not an AWS region name"},
		{"half static", `{name: b, type: bedrock, region: us-east-1, aws_access_key_id: AKID}`, "needs both aws_access_key_id and aws_secret_access_key"},
		{"token alone", `{name: b, type: bedrock, region: us-east-1, aws_session_token: t}`, "aws_session_token needs"},
		{"profile and keys", `{name: b, type: bedrock, region: us-east-1, aws_profile: p, aws_access_key_id: a, aws_secret_access_key: s}`, "exclude each other"},
		{"key and creds", `{name: b, type: bedrock, region: us-east-1, api_key: k, aws_access_key_id: a, aws_secret_access_key: s}`, "not both"},
		{"region elsewhere", `{name: o, type: openai, region: us-east-1}`, "only a provider of type bedrock takes region"},
		{"dialect", `{name: b, type: bedrock, region: us-east-1, dialect: openai}`, "speaks only the bedrock dialect"},
	}
	for _, tc := range cases {
		_, err := Parse([]byte("providers:\n  - "+tc.yaml+"\n"), "t.yaml", func(string) (string, bool) { return "", false })
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestBedrockDefaultsAndRedaction(t *testing.T) {
	c, err := Parse([]byte(`providers:
  - {name: b, type: bedrock, region: ap-southeast-2, aws_access_key_id: AKID, aws_secret_access_key: secret, aws_session_token: tok}
  - {name: s, type: sim, dialect: bedrock}
`), "t.yaml", func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	c.ApplyDefaults()
	p := c.Providers[0]
	if p.BaseURL != "https://bedrock-runtime.ap-southeast-2.amazonaws.com" || p.Dialect != "bedrock" {
		t.Errorf("defaults: %q %q", p.BaseURL, p.Dialect)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	r := c.Redacted().Providers[0]
	if r.AWS.SecretAccessKey != Redaction || r.AWS.SessionToken != Redaction || r.AWS.AccessKeyID != "AKID" || c.Providers[0].AWS.SecretAccessKey != "secret" {
		t.Errorf("redaction: %+v", r.AWS)
	}
}
