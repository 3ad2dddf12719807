package config

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// expandResult says what expanding one scalar found.
type expandResult struct {
	// Unset names the variables that were referenced without a default and
	// are not set in the environment, in order of appearance.
	Unset []string
}

// expand replaces ${VAR} and ${VAR:-default} in s with values from
// lookupEnv, and $${ with a literal ${.
//
// The rules follow the POSIX shell where they overlap: ${VAR:-default} uses
// the default when VAR is unset or empty. The default is literal text up to
// the first "}" (it is not expanded again). A "$" not followed by "{" is kept
// as is, so passwords containing "$" need no escaping; only "${" starts a
// reference. A variable that is unset and has no default expands to the empty
// string and is reported in Unset, so the caller decides whether that is an
// error. A malformed reference (unterminated, empty or invalid name) is an
// error.
func expand(s string, lookupEnv func(string) (string, bool)) (string, expandResult, error) {
	var res expandResult
	if !strings.Contains(s, "${") {
		return s, res, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' {
			b.WriteByte(c)
			i++
			continue
		}
		// "$${" is an escaped literal "${".
		if strings.HasPrefix(s[i:], "$${") {
			b.WriteString("${")
			i += 3
			continue
		}
		if !strings.HasPrefix(s[i:], "${") {
			b.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", res, fmt.Errorf("unterminated %q: missing }", clip(s[i:]))
		}
		body := s[i+2 : i+2+end]
		name, def, hasDef := strings.Cut(body, ":-")
		if !validEnvName(name) {
			return "", res, fmt.Errorf("invalid variable reference %q: a name is letters, digits and _ and does not start with a digit", clip("${"+body+"}"))
		}
		val, ok := lookupEnv(name)
		switch {
		case hasDef && val == "":
			val = def
		case !ok:
			res.Unset = append(res.Unset, name)
		}
		b.WriteString(val)
		i += 2 + end + 1
	}
	return b.String(), res, nil
}

// validEnvName reports whether name is a portable environment variable name.
func validEnvName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// clip shortens s for an error message.
func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}

// expandTree expands every scalar value in the tree rooted at n in place.
// Mapping keys are never expanded, and alias nodes are not followed (the
// anchored node is expanded where it is defined), so each scalar is expanded
// exactly once. Because expansion rewrites only the Value of scalar nodes
// that were already parsed, an environment value can never add YAML
// structure, and every node keeps its line.
//
// An unset variable without default is an error, except in a provider's
// api_key: there it expands to nothing and the provider index goes into
// disabled, so one config file can list every provider and each deployment
// enables those it has keys for.
func (d *decoder) expandTree(n *yaml.Node, path string, disabled map[int]string) {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for i, c := range n.Content {
			p := path
			if n.Kind == yaml.SequenceNode {
				p = fmt.Sprintf("%s[%d]", path, i)
			}
			d.expandTree(c, p, disabled)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.expandTree(n.Content[i+1], joinPath(path, n.Content[i].Value), disabled)
		}
	case yaml.ScalarNode:
		v, res, err := expand(n.Value, d.lookupEnv)
		if err != nil {
			d.errorf(n.Line, path, "%v", err)
			d.bad[n] = true
			return
		}
		if v != n.Value {
			d.raw[path] = n.Value
		}
		n.Value = v
		if len(res.Unset) == 0 {
			return
		}
		if idx, ok := providerAPIKeyIndex(path); ok {
			if _, seen := disabled[idx]; !seen {
				disabled[idx] = res.Unset[0]
			}
			return
		}
		for _, name := range res.Unset {
			d.errorf(n.Line, "", "${%s} is not set", name)
		}
		d.bad[n] = true
	}
}

// providerAPIKeyIndex reports whether path is providers[i].api_key.
func providerAPIKeyIndex(path string) (int, bool) {
	rest, ok := strings.CutPrefix(path, "providers[")
	if !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(rest, "].api_key")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	if err != nil || i < 0 {
		return 0, false
	}
	return i, true
}

// joinPath appends a mapping key to a path in the a.b[1].c form used by
// error messages.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
