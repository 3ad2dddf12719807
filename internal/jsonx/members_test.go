package jsonx

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestMembersAndElements(t *testing.T) {
	var got []string
	ok := Members([]byte(` { "a" : 1 , "b":[1, {"c":"}"}] ,"d":"x\"y", "e":{} } `), func(k, v []byte) bool {
		got = append(got, string(k)+"="+string(v))
		return true
	})
	want := []string{`a=1`, `b=[1, {"c":"}"}]`, `d="x\"y"`, `e={}`}
	if !ok || len(got) != len(want) {
		t.Fatalf("Members = %v, %q", ok, got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("member %d = %s, want %s", i, got[i], want[i])
		}
	}
	if Members([]byte(`{"a\u0062":1}`), func(k, v []byte) bool { return true }) {
		t.Error("Members accepted an escaped key")
	}
	if Members([]byte(`[1]`), func(k, v []byte) bool { return true }) || !Members([]byte(`{}`), nil) {
		t.Error("Members on a non-object or an empty object")
	}
	var els []string
	if !Elements([]byte(`[ 1, "a,b" ,[2,3], {"x":[]} ]`), func(v []byte) bool { els = append(els, string(v)); return true }) || len(els) != 4 || els[2] != "[2,3]" {
		t.Errorf("Elements = %q", els)
	}
	if Elements([]byte(`{}`), nil) || !Elements([]byte(`[]`), nil) {
		t.Error("Elements on a non-array or an empty array")
	}
}

// FuzzMembers: on valid JSON objects whose keys have no escapes, Members
// sees exactly the members encoding/json sees, in order.
func FuzzMembers(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":[true,null],"c":{"d":"e"}}`))
	f.Add([]byte(`{ }`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if !Valid(b) {
			return
		}
		var keys []string
		var vals []json.RawMessage
		ok := Members(b, func(k, v []byte) bool {
			keys, vals = append(keys, string(k)), append(vals, v)
			return true
		})
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil || m == nil {
			if ok {
				t.Fatalf("Members accepted %q, which is not an object", b)
			}
			return
		}
		if !ok {
			return // an escaped key
		}
		for _, k := range keys {
			if !utf8.ValidString(k) {
				return // encoding/json rewrites the key
			}
		}
		for i, k := range keys {
			if v, found := m[k]; found && isLast(keys, i) && string(v) != string(vals[i]) {
				t.Fatalf("member %q = %s, encoding/json reads %s", k, vals[i], v)
			}
		}
		if len(m) != countDistinct(keys) {
			t.Fatalf("Members saw keys %q, encoding/json %d distinct", keys, len(m))
		}
	})
}

func isLast(keys []string, i int) bool {
	for _, k := range keys[i+1:] {
		if k == keys[i] {
			return false
		}
	}
	return true
}

func countDistinct(keys []string) int {
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	return len(seen)
}
