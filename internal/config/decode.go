package config

import (
	"encoding"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// maxAliases bounds how many alias nodes one decode may follow, so a small
// file of nested aliases ("billion laughs") cannot make decoding explode.
const maxAliases = 1000

var (
	durationType        = reflect.TypeOf(time.Duration(0))
	unmarshalerType     = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()
	textUnmarshalerType = reflect.TypeOf((*encoding.TextUnmarshaler)(nil)).Elem()
)

// decoder turns a yaml.Node tree into Go values by walking it against the
// struct fields' yaml tags itself, instead of yaml's own Decode, so that an
// unknown key or a wrong type is reported with the file, the line and the
// path of the key (providers[1].api_keys) and a suggestion.
type decoder struct {
	file      string
	lookupEnv func(string) (string, bool)
	errs      ErrorList
	// lines maps each decoded path (models[0].targets[1].weight) to the line
	// of its value, so validation can point at the line too.
	lines map[string]int
	// bad holds scalars whose expansion failed; they are not decoded, so
	// one mistake is not reported twice.
	bad map[*yaml.Node]bool
	// raw holds the text as written of values that expansion changed, so
	// messages show "${VAR}" rather than what the environment holds, which
	// may be a secret.
	raw     map[string]string
	aliases int
}

// show quotes a value for a message: as written when it came from the
// environment, else the value itself, shortened.
func (d *decoder) show(path, v string) string {
	if r, ok := d.raw[path]; ok {
		return fmt.Sprintf("%q (after expansion)", clip(r))
	}
	return fmt.Sprintf("%q", clip(v))
}

// warnf records a warning in c, located like an error.
func (d *decoder) warnf(c *Config, path, format string, args ...any) {
	e := &Error{File: d.file, Line: d.line(path), Path: path, Msg: fmt.Sprintf(format, args...)}
	c.Warnings = append(c.Warnings, e.Error())
}

func (d *decoder) errorf(line int, path, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// line returns the line of path, or of its nearest decoded parent.
func (d *decoder) line(path string) int {
	for path != "" {
		if l, ok := d.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			break
		}
		path = path[:i]
	}
	return 0
}

// resolve follows alias nodes within the alias budget; nil means give up.
func (d *decoder) resolve(n *yaml.Node, path string) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		d.aliases++
		if d.aliases > maxAliases {
			d.errorf(n.Line, path, "too many aliases (more than %d)", maxAliases)
			return nil
		}
		n = n.Alias
	}
	return n
}

// decode stores node n into v (addressable), reporting problems under path.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n = d.resolve(n, path); n == nil || d.bad[n] {
		return
	}
	if path != "" {
		if _, ok := d.lines[path]; !ok {
			d.lines[path] = n.Line
		}
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		v.Set(reflect.Zero(v.Type()))
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(unmarshalerType) {
		if err := v.Addr().Interface().(yaml.Unmarshaler).UnmarshalYAML(n); err != nil {
			d.errorf(n.Line, path, "%v", err)
		}
		return
	}
	if v.CanAddr() && v.Addr().Type().Implements(textUnmarshalerType) && v.Type() != durationType {
		if d.wantKind(n, yaml.ScalarNode, path, "a single value") {
			if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
				d.errorf(n.Line, path, "%v", err)
			}
		}
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Interface:
		if err := n.Decode(v.Addr().Interface()); err != nil {
			d.errorf(n.Line, path, "%v", err)
		}
	default:
		if d.wantKind(n, yaml.ScalarNode, path, describeType(v.Type())) {
			d.decodeScalar(n, v, path)
		}
	}
}

// wantKind reports whether n is of kind k, and records an error if not.
func (d *decoder) wantKind(n *yaml.Node, k yaml.Kind, path, want string) bool {
	if n.Kind == k {
		return true
	}
	got := describeNode(n)
	if n.Kind == yaml.ScalarNode {
		got = d.show(path, n.Value)
	}
	d.errorf(n.Line, path, "expected %s, got %s", want, got)
	return false
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	s := n.Value
	t := v.Type()
	switch {
	case t == durationType:
		dur, err := time.ParseDuration(s)
		if err != nil {
			d.errorf(n.Line, path, "expected a duration such as 30s or 10m, got %s", d.show(path, s))
			return
		}
		v.SetInt(int64(dur))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Bool:
		switch s {
		case "true", "True", "TRUE":
			v.SetBool(true)
		case "false", "False", "FALSE":
			v.SetBool(false)
		default:
			d.errorf(n.Line, path, "expected true or false, got %s", d.show(path, s))
		}
	case v.CanInt():
		i, err := strconv.ParseInt(s, 0, t.Bits())
		if err != nil {
			d.errorf(n.Line, path, "expected %s, got %s", describeType(t), d.show(path, s))
			return
		}
		v.SetInt(i)
	case v.CanUint():
		u, err := strconv.ParseUint(s, 0, t.Bits())
		if err != nil {
			d.errorf(n.Line, path, "expected %s, got %s", describeType(t), d.show(path, s))
			return
		}
		v.SetUint(u)
	case v.CanFloat():
		f, err := strconv.ParseFloat(s, t.Bits())
		if err != nil {
			d.errorf(n.Line, path, "expected a number, got %s", d.show(path, s))
			return
		}
		v.SetFloat(f)
	default:
		d.errorf(n.Line, path, "cannot decode into %s", t)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if !d.wantKind(n, yaml.SequenceNode, path, "a list") {
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		d.decode(c, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if !d.wantKind(n, yaml.MappingNode, path, "a mapping") {
		return
	}
	t := v.Type()
	if t.Key().Kind() != reflect.String {
		d.errorf(n.Line, path, "cannot decode into %s", t)
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(t))
	}
	d.eachPair(n, path, func(k, val *yaml.Node) {
		e := reflect.New(t.Elem()).Elem()
		d.decode(val, e, joinPath(path, k.Value))
		v.SetMapIndex(reflect.ValueOf(k.Value).Convert(t.Key()), e)
	})
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if !d.wantKind(n, yaml.MappingNode, path, "a mapping") {
		return
	}
	fields := fieldsOf(v.Type())
	d.eachPair(n, path, func(k, val *yaml.Node) {
		f, ok := fields[k.Value]
		if !ok && path == "" && strings.HasPrefix(k.Value, "x-") {
			// Top-level x- keys are free for anchors to share settings
			// (&local ... <<: *local), as in Compose files.
			return
		}
		if !ok {
			d.unknownKey(k, path, fields)
			return
		}
		d.decode(val, v.FieldByIndex(f), joinPath(path, k.Value))
	})
}

// eachPair calls fn for every key/value of mapping n: first those merged in
// with "<<" (earlier merges win, as in YAML 1.1), then the explicit ones, so
// explicit keys override merged ones. Keys must be scalars and unique.
func (d *decoder) eachPair(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	seen := make(map[string]bool, len(n.Content)/2)
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			merges = append(merges, n.Content[i+1])
		}
	}
	for i := len(merges) - 1; i >= 0; i-- {
		m := d.resolve(merges[i], path)
		if m == nil {
			continue
		}
		srcs := []*yaml.Node{m}
		if m.Kind == yaml.SequenceNode {
			srcs = srcs[:0]
			for j := len(m.Content) - 1; j >= 0; j-- {
				srcs = append(srcs, m.Content[j])
			}
		}
		for _, src := range srcs {
			if src = d.resolve(src, path); src == nil {
				continue
			}
			if !d.wantKind(src, yaml.MappingNode, path, "a mapping to merge with <<") {
				continue
			}
			d.eachPair(src, path, fn)
		}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, path, "a key must be a plain name, got %s", describeNode(k))
			continue
		}
		if seen[k.Value] {
			d.errorf(k.Line, path, "duplicate key %q", clip(k.Value))
			continue
		}
		seen[k.Value] = true
		fn(k, n.Content[i+1])
	}
}

func (d *decoder) unknownKey(k *yaml.Node, path string, fields map[string][]int) {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	msg := fmt.Sprintf("unknown key %q", clip(k.Value))
	if s := suggest(k.Value, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	d.errorf(k.Line, path, "%s", msg)
}

// fieldsOf maps the yaml names of t's fields to their index paths. It
// follows yaml's rules: the tag name, else the lower-cased field name; "-"
// skips a field; ",inline" lifts an embedded struct's fields.
func fieldsOf(t reflect.Type) map[string][]int {
	out := make(map[string][]int)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(","+opts+",", ",inline,") && f.Type.Kind() == reflect.Struct {
			for n, idx := range fieldsOf(f.Type) {
				out[n] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = []int{i}
	}
	return out
}

// suggest returns the candidate closest to s by edit distance, if it is
// close enough to be a likely typo.
func suggest(s string, candidates []string) string {
	sort.Strings(candidates)
	best, bestD := "", -1
	for _, c := range candidates {
		dist := editDistance(strings.ToLower(s), c)
		if bestD < 0 || dist < bestD {
			best, bestD = c, dist
		}
	}
	limit := max(1, min(len(s), len(best))/3)
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b:
// Levenshtein plus swapping two adjacent letters as one edit, the most
// common typo ("modle").
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return max(len(a), len(b))
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", clip(n.Value))
	default:
		return "nothing"
	}
}

func describeType(t reflect.Type) string {
	switch {
	case t == durationType:
		return "a duration such as 30s or 10m"
	case t.Kind() == reflect.String:
		return "a string"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Int64:
		return "an integer"
	case t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uintptr:
		return "a non-negative integer"
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return "a number"
	}
	return t.String()
}
