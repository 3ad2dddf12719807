package config

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite golden files")

// testEnv is the environment every golden test sees. Variables ending in
// _UNSET are never set.
func testEnv(k string) (string, bool) {
	v, ok := map[string]string{
		"OPENAI_API_KEY":           "sk-test-openai",
		"ANTHROPIC_API_KEY":        "sk-ant-test",
		"RAILYARD_MASTER_KEY":      "rk-master-test",
		"PGPASSWORD":               "pg-secret",
		"REDIS_PASSWORD":           "redis-secret",
		"DEEPSEEK_API_KEY":         "sk-deepseek-test",
		"DASHSCOPE_API_KEY":        "sk-dashscope-test",
		"VLLM_API_KEY":             "vllm-test",
		"AWS_BEARER_TOKEN_BEDROCK": "bedrock-test-key",
		"GEMINI_API_KEY":           "gemini-test",
		"AZURE_OPENAI_API_KEY":     "azure-test",
		"MISTRAL_API_KEY":          "mistral-test",
		"GROQ_API_KEY":             "groq-test",
		"OPENROUTER_API_KEY":       "openrouter-test",
		"UPSTREAM_TIMEOUT":         "",
	}[k]
	return v, ok
}

// asJSON renders c by its yaml names (durations as Go strings), the shape a
// user reads in the file.
func asJSON(t *testing.T, c *Config) any {
	t.Helper()
	y, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := yaml.Unmarshal(y, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestGoldenValid parses each valid config and compares what was written
// (parsed), what runs (defaulted) and the warnings with the golden JSON.
func TestGoldenValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/valid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(data, filepath.Base(f), testEnv)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			parsed := asJSON(t, c)
			d := *c
			d.ApplyDefaults()
			if err := d.Validate(); err != nil {
				t.Fatalf("defaulted config does not validate: %v", err)
			}
			again := d
			again.ApplyDefaults()
			out, err := json.MarshalIndent(map[string]any{
				"parsed":    parsed,
				"defaulted": asJSON(t, &d),
				"warnings":  c.Warnings,
			}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, strings.TrimSuffix(f, ".yaml")+".golden.json", append(out, '\n'))
		})
	}
}

// TestGoldenInvalid checks the exact error text for each invalid config.
func TestGoldenInvalid(t *testing.T) {
	files, _ := filepath.Glob("testdata/invalid/*.yaml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(data, "railyard.yaml", testEnv)
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", c)
			}
			var list ErrorList
			if !asList(err, &list) {
				t.Fatalf("error is %T, want ErrorList", err)
			}
			for _, e := range list {
				if e.File != "railyard.yaml" {
					t.Errorf("error without file: %v", e)
				}
			}
			checkGolden(t, strings.TrimSuffix(f, ".yaml")+".golden.txt", []byte(err.Error()+"\n"))
		})
	}
}

func asList(err error, l *ErrorList) bool {
	v, ok := err.(ErrorList)
	*l = v
	return ok
}

// TestExamples: the README's example configs must parse, with every
// variable set and with none set (providers then disabled, not errors).
func TestExamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/example-*.yaml")
	if len(files) < 6 {
		t.Fatalf("want at least 6 examples, have %d", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Parse(data, f, testEnv)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if len(c.Warnings) != 0 {
				t.Errorf("warnings with every variable set: %q", c.Warnings)
			}
			c.ApplyDefaults()
			if err := c.Validate(); err != nil {
				t.Fatal(err)
			}
			if len(c.Providers) == 0 || len(c.Models) == 0 {
				t.Errorf("example has no providers or models")
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-env")
	c, err := Load("testdata/example-openai.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Providers[0].APIKey != "sk-from-env" || c.Providers[0].BaseURL != DefaultOpenAIBaseURL || c.Store != DefaultStore {
		t.Errorf("Load did not expand or default: %+v", c.Providers[0])
	}
	if _, err := Load("testdata/does-not-exist.yaml"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
}
