package config

import "strings"

// TypeBedrock is the provider type of AWS Bedrock (the Converse API), and
// DialectBedrock its wire format, which a sim provider may also speak.
const (
	TypeBedrock    = "bedrock"
	DialectBedrock = "bedrock"
)

// AWS holds what a bedrock provider needs besides the common fields. It is
// inlined into Provider: its keys sit next to name and type.
type AWS struct {
	// Region is the AWS region of a bedrock provider (such as us-east-1):
	// its endpoint, https://bedrock-runtime.{region}.amazonaws.com unless
	// base_url says otherwise, and the region requests are signed for.
	// Required for type bedrock; not allowed for other types.
	Region string `yaml:"region"`
	// AccessKeyID and SecretAccessKey are static AWS credentials for a
	// bedrock provider, with SessionToken for temporary ones. Default none:
	// the standard AWS chain (environment, shared config and credentials
	// files with aws_profile, web identity, container and instance roles).
	// A bedrock provider with api_key (a Bedrock API key) sends it as a
	// Bearer token and signs nothing; so does one without either when
	// AWS_BEARER_TOKEN_BEDROCK is set.
	AccessKeyID     string `yaml:"aws_access_key_id"`
	SecretAccessKey string `yaml:"aws_secret_access_key"`
	SessionToken    string `yaml:"aws_session_token"`
	// Profile names the shared-config profile the AWS chain reads.
	// Default: AWS_PROFILE, else the default profile.
	Profile string `yaml:"aws_profile"`
}

// The models FromEnv's "fast" and "smart" aliases use on Bedrock: global
// cross-region inference profiles, which every commercial region serves.
const (
	BedrockFastModel  = "global.anthropic.claude-haiku-4-5-20251001-v1:0"
	BedrockSmartModel = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
)

// bedrockFromEnv is the bedrock provider FromEnv adds when AWS credentials
// are in the environment. The credentials stay there (the provider's AWS
// chain reads them); only the region goes into the config. warn is set
// when credentials are present but the provider cannot be built.
func bedrockFromEnv(env func(string) string) (p Provider, ok bool, warn string) {
	if env("AWS_ACCESS_KEY_ID") == "" && env("AWS_PROFILE") == "" && env("AWS_WEB_IDENTITY_TOKEN_FILE") == "" &&
		env("AWS_BEARER_TOKEN_BEDROCK") == "" {
		return Provider{}, false, ""
	}
	region := env("AWS_REGION")
	if region == "" {
		region = env("AWS_DEFAULT_REGION")
	}
	if !validRegion(region) {
		return Provider{}, false, "AWS credentials are set but AWS_REGION is not: no Bedrock provider (set AWS_REGION, such as us-east-1)"
	}
	return Provider{Name: "bedrock", Type: TypeBedrock, AWS: AWS{Region: region}, Tags: []string{"cloud"}}, true, ""
}

// BedrockBaseURL is the public Bedrock runtime endpoint of region.
func BedrockBaseURL(region string) string {
	return "https://bedrock-runtime." + region + ".amazonaws.com"
}

// validateAWS checks the bedrock fields of provider p at path.
func (d *decoder) validateAWS(p *Provider, path string, at func(string, string, ...any)) {
	a := p.AWS
	if p.Type != TypeBedrock {
		for _, f := range []struct{ key, v string }{
			{"region", a.Region}, {"aws_access_key_id", a.AccessKeyID}, {"aws_secret_access_key", a.SecretAccessKey},
			{"aws_session_token", a.SessionToken}, {"aws_profile", a.Profile},
		} {
			if f.v != "" {
				at(path+"."+f.key, "only a provider of type bedrock takes %s", f.key)
			}
		}
		return
	}
	switch {
	case a.Region == "":
		at(path, "provider %q of type bedrock needs a region (such as us-east-1)", clip(p.Name))
	case !validRegion(a.Region):
		at(path+".region", "region %q is not an AWS region name (such as us-east-1)", clip(a.Region))
	}
	if (a.AccessKeyID == "") != (a.SecretAccessKey == "") {
		at(path, "provider %q needs both aws_access_key_id and aws_secret_access_key, or neither (the AWS credential chain)", clip(p.Name))
	}
	if a.SessionToken != "" && a.AccessKeyID == "" {
		at(path+".aws_session_token", "aws_session_token needs aws_access_key_id and aws_secret_access_key")
	}
	if a.Profile != "" && a.AccessKeyID != "" {
		at(path+".aws_profile", "aws_profile and static credentials exclude each other")
	}
	if p.APIKey != "" && a.AccessKeyID != "" {
		at(path+".api_key", "a bedrock provider authenticates with api_key (a Bedrock API key) or AWS credentials, not both")
	}
	if p.Dialect != "" && p.Dialect != TypeBedrock {
		at(path+".dialect", "a provider of type bedrock speaks only the bedrock dialect")
	}
}

// validRegion accepts names like us-east-1, eu-central-2, us-gov-west-1:
// lower-case letters, digits and hyphens, so a region can never change the
// endpoint's host beyond its label.
func validRegion(s string) bool {
	if len(s) < 3 || len(s) > 40 || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}
