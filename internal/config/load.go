package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is one problem in a config, located by file, line and key path.
type Error struct {
	// File is the name given to Parse (the path for Load).
	File string
	// Line is 1-based; 0 when the problem has no single line.
	Line int
	// Path is the key path such as providers[1].base_url; empty for the
	// top level.
	Path string
	// Msg says what is wrong.
	Msg string
}

// Error formats as "file:line: path: msg", leaving out the parts that are
// unknown.
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	} else if e.Line > 0 {
		b.WriteString("line " + strconv.Itoa(e.Line) + ": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// ErrorList is every problem found in a config, in line order. Reporting
// them all at once saves the operator a fix-and-retry loop per mistake.
type ErrorList []*Error

// Error joins the problems, one per line.
func (l ErrorList) Error() string {
	s := make([]string, len(l))
	for i, e := range l {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

// Unwrap lets errors.As find each *Error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// err returns nil for an empty list, else the list sorted by line with
// duplicates (the same node reached through aliases) removed.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	sort.SliceStable(l, func(i, j int) bool { return l[i].Line < l[j].Line })
	out := l[:0]
	seen := make(map[string]bool, len(l))
	for _, e := range l {
		if s := e.Error(); !seen[s] {
			seen[s] = true
			out = append(out, e)
		}
	}
	return out
}

// Load reads the config file at path with os.LookupEnv for ${VAR} and
// returns it ready to run: parsed, validated and with defaults applied.
// Errors name the file and line.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(data, path, os.LookupEnv)
	if err != nil {
		return nil, err
	}
	c.ApplyDefaults()
	return c, nil
}

// Parse decodes and validates a YAML config. name labels error messages
// (usually the file name). lookupEnv resolves ${VAR} references; nil means
// no variable is set.
//
// The result is what the file says, without defaults, so it can be shown
// and compared as written; call ApplyDefaults before running with it.
// Providers whose api_key names an unset variable are removed (together
// with the targets that use them and models left without targets), each
// with a warning in Config.Warnings. Every problem found is returned at
// once as an ErrorList.
func Parse(data []byte, name string, lookupEnv func(string) (string, bool)) (*Config, error) {
	if lookupEnv == nil {
		lookupEnv = func(string) (string, bool) { return "", false }
	}
	d := &decoder{file: name, lookupEnv: lookupEnv, lines: map[string]int{}, bad: map[*yaml.Node]bool{}, raw: map[string]string{}}
	root, err := parseYAML(data, name)
	if err != nil {
		return nil, err
	}
	c := new(Config)
	if root == nil {
		c.Warnings = append(c.Warnings, "the config is empty")
		return c, nil
	}
	disabled := map[int]string{}
	d.expandTree(root, "", disabled)
	d.decode(root, reflect.ValueOf(c).Elem(), "")
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	d.validate(c)
	if err := d.errs.err(); err != nil {
		return nil, err
	}
	d.disable(c, disabled)
	return c, nil
}

// yamlErrLine matches the line number yaml puts in its syntax errors.
var yamlErrLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML parses exactly one YAML document and returns its top-level
// node, or nil for an empty file.
func parseYAML(data []byte, name string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, yamlError(err, name)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, ErrorList{{File: name, Line: extra.Line, Msg: "only one YAML document is allowed"}}
	} else if !errors.Is(err, io.EOF) {
		return nil, yamlError(err, name)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil, nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, ErrorList{{File: name, Line: root.Line, Msg: "expected a mapping of settings at the top level, got " + describeNode(root)}}
	}
	return root, nil
}

// yamlError turns a yaml syntax error into an ErrorList with the line.
func yamlError(err error, name string) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlErrLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return ErrorList{{File: name, Line: line, Msg: m[2]}}
	}
	return ErrorList{{File: name, Msg: fmt.Sprintf("invalid YAML: %s", msg)}}
}

// disable removes the providers whose api_key names an unset variable, the
// targets that point at them and the models left with no target, and
// records a warning for each, so the gateway never sees a provider it cannot
// authenticate to.
func (d *decoder) disable(c *Config, disabled map[int]string) {
	if len(disabled) == 0 {
		return
	}
	gone := map[string]bool{}
	kept := c.Providers[:0]
	for i, p := range c.Providers {
		v, ok := disabled[i]
		if !ok {
			kept = append(kept, p)
			continue
		}
		gone[p.Name] = true
		d.warnf(c, fmt.Sprintf("providers[%d].api_key", i), "provider %q disabled: ${%s} is not set", p.Name, v)
	}
	c.Providers = kept
	models := c.Models[:0]
	for i, m := range c.Models {
		targets := m.Targets[:0]
		for _, t := range m.Targets {
			if !gone[t.Provider] {
				targets = append(targets, t)
			}
		}
		m.Targets = targets
		if len(m.Targets) == 0 {
			d.warnf(c, fmt.Sprintf("models[%d]", i), "model %q removed: all its targets use disabled providers", m.Name)
			continue
		}
		models = append(models, m)
	}
	c.Models = models
}
